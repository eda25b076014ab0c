"""Commands on conflict event data: ingest, profile, alerts."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer

from backchannel import datasets
from backchannel.casefile import load_case
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    parse_day,
    print_json,
    print_table,
    reported_errors,
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


@events_app.command("profile")
def events_profile(
    actor: Annotated[str, typer.Argument(help="Group name, acronym or alias (UCDP actor list).")],
    events: EventsOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """A group's profile: civilian fatalities and events by year, trend, peaks, areas, opponents."""
    from backchannel.events.backends import connect, event_table
    from backchannel.events.profile import build_profile
    from backchannel.events.ucdp_actors import match_actor, read_actor_list

    settings = load_settings()
    with reported_errors():
        table = load_event_files(settings, events)
        actors = read_actor_list(datasets.file_path(settings, "ucdp-actors"))
        profile = build_profile(connect(), event_table(table), match_actor(actor, actors))
    document = profile.as_dict()
    if format is OutputFormat.json:
        print_json(document)
        return
    name = document["actor"]
    out.print(
        f"{name['name']} (UCDP {name['ucdp_id']}, matched on {name['matched_name']!r}): "
        f"{profile.trend}",
        highlight=False,
    )
    years = sorted(set(profile.events_by_year) | set(profile.civilian_fatalities_by_year))
    print_table(
        "By year",
        ["year", "events", "fatalities", "civilians killed"],
        [
            [
                y,
                profile.events_by_year.get(y, 0),
                profile.fatalities_by_year.get(y, 0),
                profile.civilian_fatalities_by_year.get(y, 0),
            ]
            for y in years
        ],
    )
    print_table(
        "Worst months for civilians",
        ["month", "civilians killed", "events", "areas"],
        [
            [p.month, p.civilian_fatalities, p.events, ", ".join(p.areas)]
            for p in profile.peak_episodes
        ],
    )


@events_app.command("alerts")
def events_alerts(
    events: EventsOption = None,
    case: Annotated[
        Path | None,
        typer.Option("--case", help="A case file: alerts on its talks and commitments."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only events up to this day (YYYY-MM-DD).")
    ] = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Escalation alerts; with --case also talks conduct, buying time, commitment violations."""
    from backchannel.events.alerts import case_alerts, escalation_alerts
    from backchannel.events.backends import connect, event_table

    settings = load_settings()
    with reported_errors():
        cutoff = parse_day(as_of)
        table = event_table(load_event_files(settings, events))
        if cutoff:
            table = table.filter(table.date_start <= cutoff)
        connection = connect()
        found = escalation_alerts(connection, table)
        if case:
            from backchannel.model.as_of import known_on

            loaded = load_case(case)
            if cutoff:
                # a replay: the talks and commitments known that day, windows cut at it
                loaded = known_on(loaded, cutoff).case
            found = case_alerts(connection, table, loaded, cutoff) + found
    if format is OutputFormat.json:
        print_json([alert.as_dict() for alert in found])
        return
    print_table(
        f"{len(found)} alerts",
        ["kind", "actor", "from", "to", "what", "events"],
        [[a.kind, a.actor, a.start, a.end, a.summary, len(a.event_ids)] for a in found],
    )
