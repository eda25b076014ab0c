"""Commands on conflict event data: ingest, profile, alerts."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer

from backchannel.casefile import load_case
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    parse_day,
    reported_errors,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    print_data,
)
from backchannel.settings import Settings

events_app = typer.Typer(
    help="Conflict event data (UCDP GED, ACLED): ingest, group profiles, alerts.",
    no_args_is_help=True,
)

REJECTIONS_SHOWN = 20


class InputFormat(StrEnum):
    """Layouts of event files."""

    ged = "ged"
    acled = "acled"


EventsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--events",
        help="Event files (GED/ACLED CSV or ingested Parquet). "
        "Default: everything ingested, else the pulled UCDP GED data set.",
    ),
]


def load_event_files(settings: Settings, files: list[Path] | None) -> pa.Table:
    """Events from the given files, else the ingested Parquet files, else the pulled GED."""
    from backchannel.datasets.analysis_inputs import installed_events

    return installed_events(settings, files)


@events_app.command("ingest")
def events_ingest(
    file: Annotated[Path, typer.Argument(help="A GED or ACLED CSV file.")],
    format: Annotated[
        InputFormat | None,
        typer.Option("--format", help="Layout of the file (default: recognised from its header)."),
    ] = None,
) -> None:
    """Read an event file, report every rejected row, and store the events as Parquet."""
    from backchannel.events.parquet import store_events
    from backchannel.events.readers import read_events

    settings = load_settings()
    with reported_errors():
        result = read_events(file, format.value if format else None)
        stored = store_events(result, settings.data_dir)
    out.print(
        f"{file}: {result.rows_read} rows read ({result.format}, {result.encoding}): "
        f"{result.accepted} accepted, {len(result.rejected)} rejected; stored in {stored}",
        highlight=False,
    )
    for row in result.rejected[:REJECTIONS_SHOWN]:
        err.print(f"rejected {row.file}:{row.line}: {row.reason}", highlight=False)
    if len(result.rejected) > REJECTIONS_SHOWN:
        err.print(f"... and {len(result.rejected) - REJECTIONS_SHOWN} more rejected rows")


# ``events profile`` and ``events crosswalk`` live in events_actors; importing it registers
# them on ``events_app`` (it imports ``events_app`` from here, hence the late import).
from backchannel.cli import events_actors  # noqa: E402, F401


@events_app.command("alerts")
def events_alerts(
    events: EventsOption = None,
    case: Annotated[
        Path | None,
        typer.Option(
            "--case",
            help="A case file: alerts on its talks and commitments, and escalation alerts, "
            "all from the case's country (and regions) only.",
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only events up to this day (YYYY-MM-DD).")
    ] = None,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Escalation alerts; with --case also talks conduct, buying time, commitment violations.

    With --case every alert reads the case's country only (and its regions when they match
    the data); escalation alerts on actors that are not the case's are marked "context".
    Where the events come from, and what was left out, is written to standard error.
    """
    from backchannel.events.alerts import case_alerts, case_escalation_alerts, escalation_alerts
    from backchannel.events.backends import connect, event_table
    from backchannel.events.case_scope import scope_to_case

    settings = load_settings()
    notes: list[str] = []
    with reported_errors():
        cutoff = parse_day(as_of)
        table = event_table(load_event_files(settings, events))
        if cutoff:
            table = table.filter(table.date_start <= cutoff)
        connection = connect()
        if case:
            from backchannel.model.as_of import known_on

            loaded = load_case(case)
            if cutoff:
                # a replay: the talks and commitments known that day, windows cut at it
                loaded = known_on(loaded, cutoff).case
            scoped = scope_to_case(connection, table, loaded)
            notes = scoped.scope.notes()
            found = case_alerts(connection, scoped, loaded, cutoff) + case_escalation_alerts(
                connection, scoped, loaded
            )
        else:
            found = escalation_alerts(connection, table)
    for note in notes:
        err.print(note, highlight=False)
    shown = Listing(
        f"{len(found)} alerts",
        (
            Column("kind"),
            Column("scope"),
            Column("actor"),
            Column("from"),
            Column("to"),
            Column("what"),
            Column("events", numeric=True, wide=True),
        ),
        [
            [a.kind, a.scope or "", a.actor, a.start, a.end, a.summary, len(a.event_ids)]
            for a in found
        ],
    )
    print_data(shown, format, wide=wide, document=[alert.as_dict() for alert in found])
