"""The demo's work: example cases into a fresh encrypted store, and their briefs, offline.

Kept apart from the command so that the heavy libraries it needs load only when it runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backchannel import datasets
from backchannel.casefile import load_case
from backchannel.cli.brief_inputs import write_briefs
from backchannel.cli.common import (
    OutputFormat,
    err,
    load_settings,
    print_data,
    print_line,
    reported_errors,
)
from backchannel.cli.demo import example_case_files
from backchannel.cli.output import Column, Listing
from backchannel.datasets.analysis_inputs import (
    EVIDENCE_DATASETS,
    AnalysisInputs,
    installed_inputs,
)
from backchannel.model.case import Case
from backchannel.reports.actor_section import ActorSection, build_actor_section
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief
from backchannel.reports.event_signals import INSTALL_HINT
from backchannel.reports.legal_section import LegalSection
from backchannel.settings import Settings
from backchannel.store.service import CaseStore

#: What the demo assesses for each example: a first meeting, the two humanitarian activities
#: the report discusses most, and the facilitation of talks.
DEMO_ACTIVITIES = (
    "meeting",
    "training_ihl",
    "delivering_humanitarian_supplies",
    "facilitating_talks_between_parties",
)


#: The summary's columns: the country, record counts and modality are behind ``--wide``
#: (each case's kind of dialogue is printed below it).
SUMMARY_COLUMNS = (
    Column("case"),
    Column("country", wide=True),
    *(Column(collection, wide=True, numeric=True) for collection in Case.COLLECTIONS),
    Column("structural_risk", "structural risk"),
    Column("event_signals", "event signals"),
    Column("stage"),
    Column("status"),
    Column("modality", wide=True),
)


def run_demo(
    output: Path, *, pdf: bool = True, format: OutputFormat = OutputFormat.table, wide: bool = False
) -> None:
    """Load the example cases into a fresh store and write a full and a redacted brief per
    case, each as HTML and PDF (offline).

    As a table: what each case's analysis found, then the summary of every case. As JSON
    or CSV: the summary's rows only on standard output, every column; where the briefs
    went is written to standard error.
    """
    as_table = format is OutputFormat.table
    store_dir = output / "store"
    if store_dir.exists():
        shutil.rmtree(store_dir)
    settings = Settings(
        data_dir=store_dir, database_url=None, secret_key=None, key_file=None, user="demo"
    )
    with reported_errors():
        cases = [load_case(file) for file in example_case_files()]
        store = CaseStore.open(settings)
        try:
            store.save_cases(cases)
            stored = [store.get_case(case.id) for case in cases]
            verification = store.verify_audit()
        finally:
            store.close()
    say = print_line if as_table else _to_standard_error
    inputs = _demo_inputs(output, say)
    rows = []
    analyses: list[CaseAnalysis] = []
    for case in stored:
        with reported_errors():
            analysis = analyse_for_brief(
                case,
                events=inputs.events,
                event_source=inputs.event_source,
                screening=inputs.screening,
                activities=DEMO_ACTIVITIES,
                predictors=inputs.predictors,
                evidence_sources=inputs.evidence_sources,
                extents=inputs.event_extents,
                conflicts=inputs.conflicts,
                data_ages=inputs.data_ages,
            )
            for redacted in (False, True):
                stem = f"{case.id}{'-redacted' if redacted else ''}"
                suffixes = (".html", ".pdf") if pdf else (".html",)
                write_briefs(analysis, [output / f"{stem}{s}" for s in suffixes], redacted=redacted)
        analyses.append(analysis)
        if analysis.legal is not None and as_table:
            _print_screening(case.id, analysis.legal)
        structural = analysis.structural
        rows.append(
            [case.id, case.context.country]
            + [len(getattr(case, collection)) for collection in Case.COLLECTIONS]
            + (
                [f"{structural.risk:.1%} (rank {structural.rank}, {structural.base_year})"]
                if structural
                else ["not available"]
            )
            + [_event_column(analysis)]
            + [
                analysis.assessment.stage.stage or "unknown",
                analysis.strategy.status,
                analysis.strategy.modality,
            ]
        )
    summary = Listing("Example cases: stored, encrypted, audited", SUMMARY_COLUMNS, rows)
    print_data(summary, format, wide=wide)
    if as_table:
        for analysis in analyses:
            _print_stage(analysis.case.id, analysis.assessment.as_dict())
            _print_actors(
                build_actor_section(analysis.case, analysis.as_of, analysis=analysis.actors)
            )
            _print_strategy(analysis)
    say(f"briefs written to {output}/<case>.pdf and .html, redacted as <case>-redacted.pdf")
    if inputs.events is None:
        say(INSTALL_HINT)
    say(f"audit log: {verification.entries} entries, {'intact' if verification.ok else 'BROKEN'}")


def _to_standard_error(text: str) -> None:
    err.print(text, highlight=False, markup=False)


def _print_strategy(analysis: CaseAnalysis) -> None:
    """The recommendation, the rule that decided it, and what to do first."""
    strategy = analysis.strategy
    recommendation = strategy.recommendation
    print_line(f"  [bold]{recommendation.headline}[/]", markup=True)
    print_line(
        f"  kind of dialogue: {recommendation.label} (rule {recommendation.decided_by.rule}): "
        f"{recommendation.why}",
        markup=True,
    )
    for number, step in enumerate(strategy.first_steps[:3], 1):
        print_line(f"  first step {number}: {step.step}", markup=True)
    print_line(f"  {strategy.confidence.text}", markup=True)


#: What the demo installs from the configured mirror when the user has nothing installed.
DEMO_DATASETS = ("ucdp-ged", "ucdp-acd", "un-sanctions", "ofac-sdn", *EVIDENCE_DATASETS)


def _demo_inputs(output: Path, say: Callable[[str], None]) -> AnalysisInputs:
    """The user's installed data when there are any, else the configured mirror's installed
    into the demo folder, else none (the briefs then say how to install them)."""
    user = load_settings()
    if any(record.installed for record in datasets.installed(user)) or user.mirror is None:
        if user.mirror is None:
            say(
                "No data mirror is configured: the briefs use only the packaged content "
                "(set BACKCHANNEL_MIRROR, or `backchannel data pull`)."
            )
        return installed_inputs(user)
    demo_data = user.model_copy(update={"data_dir": output / "data"})
    datasets.pull(demo_data, list(DEMO_DATASETS), mirror=user.mirror)
    return installed_inputs(demo_data)


def _event_column(analysis: CaseAnalysis) -> str:
    """What the event data gave a case: alerts, a coverage gap, or nothing installed."""
    coverage = analysis.assessment.coverage
    if coverage is None:
        return "no event data"
    if not coverage.adequate:
        return f"not covered ({coverage.extent})"
    return f"{len(analysis.events.signals)} alerts"


def _print_screening(case_id: str, legal: LegalSection) -> None:
    """Who the lists designate among a case's counterparts."""
    for actor in legal.actors:
        best = actor["hits"][0]
        programmes = ", ".join(best["programmes"])
        print_line(
            f"  {case_id}: {actor['name']} matches {best['name']} on {best['list']} "
            f"({programmes}; score {best['score']:.2f})",
            markup=True,
        )


def _print_stage(case_id: str, stage: dict[str, Any]) -> None:
    """The stage of one example case with the rules that fired and where sources disagree."""
    shown = stage["stage"] or "unknown"
    print_line(f"\n[bold]{case_id}[/]: stage [bold]{shown}[/] as of {stage['as_of']}", markup=True)
    for reason in stage["reasons"]:
        print_line(
            f"  because {reason['rule']} ({reason['source']}): "
            f"{reason['measure']} = {reason['value']:.2g}",
            markup=True,
        )
    if not stage["reasons"]:
        print_line("  no rule fired on the sources with adequate data", markup=True)
    for source, why in stage.get("source_notes", {}).items():
        print_line(f"  {source} source left out: {why}", markup=True)
    for disagreement in stage["disagreements"]:
        print_line(
            f"  [yellow]sources disagree[/] ({disagreement['id']}): {disagreement['description']}",
            markup=True,
        )
    present = [f"{f['number']}. {f['name']}" for f in stage["factors"] if f["status"] == "present"]
    if present:
        print_line(f"  framework factors judged present: {'; '.join(present)}", markup=True)


def _print_actors(section: ActorSection | None) -> None:
    """Entry points and spoilers of one example case, each with its reason."""
    if section is None:
        return
    for point in section.entry_points:
        print_line(f"  entry point {point['entry_name']}: {point['why']}", markup=True)
    for spoiler in section.spoilers:
        print_line(f"  spoiler {spoiler['name']}: {spoiler['why']}", markup=True)
