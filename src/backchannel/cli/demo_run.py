"""The demo's work: example cases into a fresh encrypted store, and their briefs, offline.

Kept apart from the command so that the heavy libraries it needs load only when it runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from backchannel import datasets
from backchannel.casefile import load_case
from backchannel.cli.brief_inputs import write_brief
from backchannel.cli.common import (
    load_settings,
    out,
    print_table,
    reported_errors,
)
from backchannel.cli.demo import example_case_files
from backchannel.datasets.analysis_inputs import EVIDENCE_DATASETS, installed_evidence_sources
from backchannel.dialogue.evidence import EvidenceSources
from backchannel.errors import NotFoundError
from backchannel.events.readers import read_events
from backchannel.events.schema import combine_event_tables
from backchannel.model.case import Case
from backchannel.reports.actor_section import ActorSection, build_actor_section
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief
from backchannel.reports.event_signals import INSTALL_HINT
from backchannel.reports.legal_section import LegalSection
from backchannel.risk.forecast.country_names import ewp_names
from backchannel.screening.screen import Screening
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


def run_demo(output: Path, *, pdf: bool = True) -> None:
    """Load the example cases into a fresh store and write a full and a redacted brief per
    case, each as HTML and PDF (offline)."""
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
    event_files = _installed_event_files(output)
    # read the installed events once; every case that they cover shares them
    events = (
        combine_event_tables([read_events(path).events for path in event_files])
        if event_files
        else None
    )
    source = ", ".join(Path(path).name for path in event_files)
    screening = _demo_screening(output)
    evidence = _demo_evidence(output)
    rows = []
    analyses: list[CaseAnalysis] = []
    for case in stored:
        covered = events if _covers(case, event_files) else None
        with reported_errors():
            analysis = analyse_for_brief(
                case,
                events=covered,
                event_source=source,
                screening=screening,
                activities=DEMO_ACTIVITIES,
                evidence_sources=evidence,
            )
            for redacted in (False, True):
                for suffix in (".html", ".pdf") if pdf else (".html",):
                    name = f"{case.id}{'-redacted' if redacted else ''}{suffix}"
                    write_brief(analysis, output / name, redacted=redacted)
        analyses.append(analysis)
        if analysis.legal is not None:
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
            + [f"{len(analysis.events.signals)} alerts" if covered is not None else "no event data"]
            + [analysis.assessment.stage.stage, analysis.strategy.modality]
        )
    print_table(
        "Example cases: stored, encrypted, audited",
        [
            "case",
            "country",
            *Case.COLLECTIONS,
            "structural risk",
            "event signals",
            "stage",
            "recommendation",
        ],
        rows,
    )
    for analysis in analyses:
        _print_stage(analysis.case.id, analysis.assessment.as_dict())
        _print_actors(build_actor_section(analysis.case, analysis.as_of))
        _print_strategy(analysis)
    out.print(
        f"briefs written to {output}/<case>.pdf and .html, redacted as <case>-redacted.pdf",
        highlight=False,
    )
    if not event_files:
        out.print(INSTALL_HINT, highlight=False)
    out.print(
        f"audit log: {verification.entries} entries, {'intact' if verification.ok else 'BROKEN'}",
        highlight=False,
    )


def _print_strategy(analysis: CaseAnalysis) -> None:
    """The recommendation, the rule that decided it, and what to do first."""
    document = analysis.strategy.as_dict()
    recommendation = document["recommendation"]
    out.print(
        f"  recommendation: [bold]{recommendation['label']}[/] "
        f"(rule {recommendation['decided_by']['rule']}): {recommendation['why']}",
        highlight=False,
    )
    for number, step in enumerate(document["first_steps"][:3], 1):
        out.print(f"  first step {number}: {step['step']}", highlight=False)


def _demo_evidence(output: Path) -> EvidenceSources | None:
    """The evidence panel's data: the user's installed copies, else the configured mirror's
    (installed into the demo folder), else none."""
    user = load_settings()
    installed = installed_evidence_sources(user)
    if installed is not None or user.mirror is None:
        return installed
    demo_data = user.model_copy(update={"data_dir": output / "data"})
    datasets.pull(demo_data, list(EVIDENCE_DATASETS), mirror=user.mirror)
    return installed_evidence_sources(demo_data)


def _demo_screening(output: Path) -> Screening | None:
    """The designation lists: the user's installed copies, else the configured mirror's
    (installed into the demo folder), else none, with a hint printed."""
    from backchannel.cli.screen import load_screening

    user = load_settings()
    try:
        return load_screening(user)
    except NotFoundError:
        pass
    if user.mirror is None:
        out.print(
            "No designation list is installed, so the briefs have no legal section: run "
            "`backchannel data pull un-sanctions ofac-sdn` (add --mirror DIR when offline).",
            highlight=False,
        )
        return None
    demo_data = user.model_copy(update={"data_dir": output / "data"})
    datasets.pull(demo_data, ["un-sanctions", "ofac-sdn"], mirror=user.mirror)
    return load_screening(demo_data)


def _print_screening(case_id: str, legal: LegalSection) -> None:
    """Who the lists designate among a case's counterparts."""
    for actor in legal.actors:
        best = actor["hits"][0]
        programmes = ", ".join(best["programmes"])
        out.print(
            f"  {case_id}: {actor['name']} matches {best['name']} on {best['list']} "
            f"({programmes}; score {best['score']:.2f})",
            highlight=False,
        )


def _installed_event_files(output: Path) -> list[str]:
    """The GED files installed in the user's data folder, else the configured mirror's
    (installed into the demo folder), else none."""
    user = load_settings()
    try:
        return [str(path) for path in datasets.file_paths(user, "ucdp-ged")]
    except NotFoundError:
        pass
    if user.mirror is None:
        return []
    demo_data = user.model_copy(update={"data_dir": output / "data"})
    datasets.pull(demo_data, ["ucdp-ged"], mirror=user.mirror)
    return [str(path) for path in datasets.file_paths(demo_data, "ucdp-ged")]


def _covers(case: Case, event_files: list[str]) -> bool:
    """Whether the installed GED files hold events of the case's country (or none are installed).

    The mirror's GED subsets are one country and a global sample; only a case whose country
    name appears in a file's name or rows is analysed, to keep the demo quick.
    """
    if not event_files:
        return case.context.country == "CAF"
    names = {n.lower().replace(" ", "_") for n in ewp_names(case.context.country)}
    return any(any(name in path.lower() for name in names) for path in event_files)


def _print_stage(case_id: str, stage: dict[str, Any]) -> None:
    """The stage of one example case with the rules that fired and where sources disagree."""
    out.print(f"\n[bold]{case_id}[/]: stage [bold]{stage['stage']}[/] as of {stage['as_of']}")
    for reason in stage["reasons"]:
        out.print(
            f"  because {reason['rule']} ({reason['source']}): "
            f"{reason['measure']} = {reason['value']:g}",
            highlight=False,
        )
    if not stage["reasons"]:
        out.print("  no rule fired: every source available reads remote", highlight=False)
    for disagreement in stage["disagreements"]:
        out.print(
            f"  [yellow]sources disagree[/] ({disagreement['id']}): {disagreement['description']}",
            highlight=False,
        )
    present = [f"{f['number']}. {f['name']}" for f in stage["factors"] if f["status"] == "present"]
    if present:
        out.print(f"  framework factors judged present: {'; '.join(present)}", highlight=False)


def _print_actors(section: ActorSection | None) -> None:
    """Entry points and spoilers of one example case, each with its reason."""
    if section is None:
        return
    for point in section.entry_points:
        out.print(f"  entry point {point['entry_name']}: {point['why']}", highlight=False)
    for spoiler in section.spoilers:
        out.print(f"  spoiler {spoiler['name']}: {spoiler['why']}", highlight=False)
