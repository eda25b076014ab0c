"""The demo's work: example cases into a fresh encrypted store, one HTML brief each, offline.

Kept apart from the command so that the heavy libraries it needs load only when it runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa

from backchannel import datasets
from backchannel.casefile import load_case
from backchannel.cli.common import (
    load_settings,
    out,
    print_table,
    reported_errors,
)
from backchannel.cli.demo import example_case_files
from backchannel.errors import NotFoundError
from backchannel.events.backends import connect, event_table
from backchannel.events.readers import read_events
from backchannel.events.schema import combine_event_tables
from backchannel.model.case import Case
from backchannel.reports.actor_section import ActorSection, build_actor_section
from backchannel.reports.case_report import build_case_report
from backchannel.reports.event_signals import INSTALL_HINT, event_signals
from backchannel.reports.legal_section import LegalSection, build_legal_section
from backchannel.reports.render import render_case_html
from backchannel.reports.structural import structural_section
from backchannel.risk.assessment import assess_case
from backchannel.risk.forecast.country_names import ewp_names
from backchannel.screening.case_screening import screen_case
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


def run_demo(output: Path) -> None:
    """Load the example cases into a fresh store and write one HTML brief per case (offline)."""
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
    rows = []
    stages: list[tuple[str, dict[str, Any], ActorSection | None]] = []
    for case in stored:
        brief = output / f"{case.id}.html"
        structural = structural_section(case.context.country, case.context.period.start.year)
        covered = events if _covers(case, event_files) else None
        signals = event_signals(case, covered, source) if _covers(case, event_files) else None
        stage = _stage(case, covered)
        actors_map = build_actor_section(case)
        stages.append((case.id, stage, actors_map))
        legal = None
        if screening is not None:
            screened = screen_case(case, screening, activities=DEMO_ACTIVITIES)
            legal = build_legal_section(screened)
            _print_screening(case.id, legal)
        report = build_case_report(
            case,
            structural=structural,
            events=signals,
            stage=stage,
            actors_map=actors_map,
            legal=legal,
        )
        brief.write_text(render_case_html(report), encoding="utf-8")
        rows.append(
            [case.id, case.context.country]
            + [len(getattr(case, collection)) for collection in Case.COLLECTIONS]
            + (
                [f"{structural.risk:.1%} (rank {structural.rank}, {structural.base_year})"]
                if structural
                else ["not available"]
            )
            + [f"{len(signals.signals)} alerts" if signals else "no event data"]
            + [stage["stage"]]
        )
    print_table(
        "Example cases: stored, encrypted, audited",
        ["case", "country", *Case.COLLECTIONS, "structural risk", "event signals", "stage"],
        rows,
    )
    for case_id, stage, actors_map in stages:
        _print_stage(case_id, stage)
        if actors_map is not None:
            _print_actors(actors_map)
    out.print(f"one HTML brief per case written to {output}/<case>.html", highlight=False)
    if not event_files:
        out.print(INSTALL_HINT, highlight=False)
    out.print(
        f"audit log: {verification.entries} entries, {'intact' if verification.ok else 'BROKEN'}",
        highlight=False,
    )


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


def _stage(case: Case, events: pa.Table | None) -> dict[str, Any]:
    """The case's stage at the end of its period, from the sources installed."""
    if events is None:
        return assess_case(case).as_dict()
    return assess_case(case, None, event_table(events), connect()).as_dict()


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


def _print_actors(section: ActorSection) -> None:
    """Entry points and spoilers of one example case, each with its reason."""
    for point in section.entry_points:
        out.print(f"  entry point {point['entry_name']}: {point['why']}", highlight=False)
    for spoiler in section.spoilers:
        out.print(f"  spoiler {spoiler['name']}: {spoiler['why']}", highlight=False)
