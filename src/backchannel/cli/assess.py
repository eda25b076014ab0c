"""``backchannel assess``: the case's atrocity-risk stage, its reasons and disagreements."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from backchannel.casefile import load_case
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    load_settings,
    out,
    parse_day,
    print_json,
    print_table,
    reported_errors,
)
from backchannel.cli.events import EventsOption, load_event_files
from backchannel.errors import NotFoundError


def assess(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Assess with what was known on this day (default: case end)."),
    ] = None,
    events: EventsOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Assess the case's atrocity-risk stage from the structural forecast and event data."""
    from backchannel.events.backends import connect, event_table
    from backchannel.risk.assessment import assess_case

    settings = load_settings()
    with reported_errors():
        case = load_case(case_file)
        day = parse_day(as_of) or case.context.period.end or dt.date.today()
        try:
            table = event_table(load_event_files(settings, events))
        except NotFoundError:
            table = None
        assessment = assess_case(case, day, table, connect() if table is not None else None)
    result, notes = assessment.stage, assessment.notes
    document: dict[str, Any] = {"case": case.id, **assessment.as_dict()}
    if format is OutputFormat.json:
        print_json(document)
        return
    out.print(f"{case.context.title}, as of {day}: stage [bold]{result.stage}[/]", highlight=False)
    print_table(
        "Why",
        ["rule", "source", "stage", "reading", "rule says"],
        [
            [r.rule, r.source, r.stage, f"{r.measure} = {r.value:g}", r.description]
            for r in result.reasons
        ],
    )
    for disagreement in result.disagreements:
        out.print(
            f"[yellow]disagreement[/] {disagreement.id}: {disagreement.description}",
            highlight=False,
        )
    for source in result.missing_sources:
        out.print(f"no data from the {source} source", highlight=False)
    for note in notes:
        out.print(note, highlight=False)
