"""``backchannel events profile`` and ``events crosswalk``: one group's record in the events,
and which UCDP actor each ACLED actor is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from backchannel import datasets
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    reported_errors,
)
from backchannel.cli.events import EventsOption, events_app, load_event_files
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    columns_of,
    print_data,
    print_line,
    print_listing,
)
from backchannel.errors import NotFoundError
from backchannel.settings import Settings

TOP_SHOWN = 10
CROSSWALK_ROWS_SHOWN = 25
CROSSWALK_FILE = "crosswalk.csv"

CrosswalkOption = Annotated[
    Path | None,
    typer.Option(
        "--crosswalk",
        help="Reviewed UCDP-ACLED crosswalk CSV: its confirmed rows link ACLED names to UCDP "
        f"actors. Default: DATA_DIR/{CROSSWALK_FILE} when it exists.",
    ),
]


def default_crosswalk(settings: Settings) -> Path:
    """Where ``events crosswalk`` writes and ``events profile`` reads the crosswalk."""
    return settings.data_dir / CROSSWALK_FILE


def _ucdp_actor_list(settings: Settings) -> tuple[list[Any], str | None]:
    """The UCDP actor list when installed, else none and a note saying so."""
    from backchannel.events.ucdp_actors import read_actor_list

    try:
        path = datasets.file_path(settings, "ucdp-actors")
    except NotFoundError as missing:
        return [], f"UCDP actor list not used ({missing.message}): names from the events only"
    return read_actor_list(path), None


@events_app.command("profile")
def events_profile(
    actor: Annotated[
        str,
        typer.Argument(
            help="Group name, acronym or alias, as the events write it (GED side_a/side_b; "
            "ACLED actor1/actor2/assoc_actor_1/assoc_actor_2) or the UCDP actor list does; "
            "ucdp:ID picks a UCDP actor by id."
        ),
    ],
    events: EventsOption = None,
    exact: Annotated[
        bool,
        typer.Option("--exact", help="Exact names only (case, accents, punctuation aside)."),
    ] = False,
    crosswalk: CrosswalkOption = None,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """A group's profile: civilian fatalities and events by year and type, trend, peaks,
    areas, opponents; each source's figures side by side, never added.

    The name is looked up among the actors the events name and the UCDP actor list: an
    exact match first, then a partial one (whole words, the part after ACLED's colon, an
    acronym). The profile lists the names that matched, with their source and events.
    Exit code 10 when several actors match: they are listed with their sources and event
    counts; give one of the listed names exactly (or --exact, or ucdp:ID). Exit code 4
    when none matches.
    """
    from backchannel.events.backends import connect, event_table
    from backchannel.events.crosswalk_csv import read_crosswalk
    from backchannel.events.profile import profile_actor

    settings = load_settings()
    with reported_errors():
        table = event_table(load_event_files(settings, events))
        actors, missing_list = _ucdp_actor_list(settings)
        links_file = crosswalk or default_crosswalk(settings)
        links = read_crosswalk(links_file) if crosswalk or links_file.is_file() else []
        profile = profile_actor(connect(), table, actor, actors, links, exact_only=exact)
    document = profile.as_dict()
    if missing_list:
        document["notes"].append(missing_list)
    if format is OutputFormat.table:
        _print_profile(document, wide)
    else:
        print_data(_profile_listings(document), format, document=document)


def _print_profile(document: dict[str, Any], wide: bool) -> None:
    who = document["actor"]
    ucdp = f"UCDP {who['ucdp_id']}" if who["ucdp_id"] is not None else "not in the UCDP list"
    print_line(
        f"{who['name']} ({ucdp}); {who['query']!r} matched {who['matched_name']!r}: "
        f"{who['match_reason']}"
    )
    by_source = document["by_source"]
    headline = document["figures_source"]
    if headline:
        print_line(f"{by_source[headline]['title']}: {document['trend']}")
    print_listing(_names_listing(document), wide=wide)
    if len(by_source) > 1:
        print_listing(_side_by_side(document), wide=wide)
    for figures in by_source.values():
        for each in _source_listings(figures):
            print_listing(each, wide=wide)
        for label, key in (
            ("areas", "areas"),
            ("opponents", "opponents"),
            ("allies in events", "allies_in_events"),
        ):
            if figures[key]:
                print_line(f"{figures['title']} {label}: {_top(figures[key])}")
    for note in document["notes"]:
        print_line(f"note: {note}")


def _profile_listings(document: dict[str, Any]) -> list[Listing]:
    """Every table of a profile, each source's rows named by a ``source`` column."""
    listings = [_names_listing(document)]
    if len(document["by_source"]) > 1:
        listings.append(_side_by_side(document))
    per_source = [_source_listings(figures) for figures in document["by_source"].values()]
    for position, name in enumerate(("by_year", "by_type", "peaks")):
        parts = [tables[position] for tables in per_source]
        if parts:
            rows = [row for part in parts for row in part.rows]
            listings.append(Listing(name, parts[0].columns, rows, name=name))
    return listings


def _names_listing(document: dict[str, Any]) -> Listing:
    return Listing(
        "Names matched",
        columns_of(["name", "source", "events", "linked by"]),
        [
            [m["name"], m["source"], "" if m["events"] is None else m["events"], m["linked_by"]]
            for m in document["matched_names"]
        ],
        name="names",
    )


def _side_by_side(document: dict[str, Any]) -> Listing:
    titles = {s: f["title"] for s, f in document["by_source"].items()}
    columns = [Column("year")]
    for source, title in titles.items():
        columns += [
            Column(f"{source}_events", f"{title} events", numeric=True),
            Column(f"{source}_fatalities", f"{title} fatalities", numeric=True),
            Column(f"{source}_civilians_killed", f"{title} civilians killed", numeric=True),
        ]
    rows = []
    for year in document["side_by_side"]:
        row: list[Any] = [year["year"]]
        for source in titles:
            figures = year[source]
            keys = ("events", "fatalities", "civilian_fatalities")
            row += [figures[k] for k in keys] if figures else ["not covered"] * len(keys)
        rows.append(row)
    return Listing(
        "Side by side (the sources count differently: never add them)",
        tuple(columns),
        rows,
        name="side_by_side",
    )


def _source_listings(figures: dict[str, Any]) -> tuple[Listing, Listing, Listing]:
    """One source's figures by year, by type, and its worst months for civilians."""
    title = figures["title"]
    source = Column("source", wide=True)
    by_year = Listing(
        f"{title}: by year",
        (source, *columns_of(["year", "events", "as actor1", "fatalities", "civilians killed"])),
        [
            [
                title,
                year,
                events,
                figures["events_as_actor1_by_year"].get(year, 0),
                figures["fatalities_by_year"].get(year, 0),
                figures["civilian_fatalities_by_year"].get(year, 0),
            ]
            for year, events in figures["events_by_year"].items()
        ],
        name="by_year",
    )
    by_type = Listing(
        f"{title}: by type",
        (
            source,
            Column("type"),
            Column("events", numeric=True),
            Column("fatalities", numeric=True),
            Column("sub_types", "sub-types", wide=True),
        ),
        [
            [title, kind, c["events"], c["fatalities"], _top(c["sub_event_types"])]
            for kind, c in figures["events_by_type"].items()
        ],
        name="by_type",
    )
    peaks = Listing(
        f"{title}: worst months for civilians",
        (source, *columns_of(["month", "civilians killed", "events", "areas"])),
        [
            [title, p["month"], p["civilian_fatalities"], p["events"], ", ".join(p["areas"])]
            for p in figures["peak_episodes"]
        ],
        name="peaks",
    )
    return by_year, by_type, peaks


def _top(counts: dict[str, int]) -> str:
    shown = [f"{name} ({count})" for name, count in list(counts.items())[:TOP_SHOWN]]
    more = len(counts) - TOP_SHOWN
    return ", ".join(shown) + (f", ... {more} more" if more > 0 else "")


@events_app.command("crosswalk")
def events_crosswalk(
    events: EventsOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=f"The crosswalk CSV to write (default: DATA_DIR/{CROSSWALK_FILE}, where "
            "profiles read it). Reviewed rows already in it are kept.",
        ),
    ] = None,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Propose, for each ACLED actor, the UCDP actors it likely is, as a CSV to review.

    Compares names (normalised, the part after ACLED's colon, words, initials, state
    forces and governments), countries and active years with the GED events present and
    the UCDP actor list, and writes each proposal with its score and reasons, status
    "proposed". Change a row's status to "confirmed" or "rejected", or add rows by hand:
    profiles then merge the confirmed links. Rows already confirmed or rejected in the
    file are kept as they are; earlier proposals are replaced.
    """
    from backchannel.events.actor_names import actor_activity
    from backchannel.events.backends import connect, event_table
    from backchannel.events.crosswalk import acled_records, propose_crosswalk, ucdp_records
    from backchannel.events.crosswalk_csv import (
        LinkStatus,
        merge_reviewed,
        read_crosswalk,
        write_crosswalk,
    )

    settings = load_settings()
    target = output or default_crosswalk(settings)
    with reported_errors():
        table = event_table(load_event_files(settings, events))
        actors, missing_list = _ucdp_actor_list(settings)
        activity = actor_activity(connect(), table)
        acled = acled_records(activity)
        if not acled:
            raise NotFoundError(
                "no ACLED actors in the events: pass --events ACLED.csv (an ACLED export) "
                "or ingest one with `backchannel events ingest`"
            )
        ucdp = ucdp_records(activity, actors)
        if not ucdp:
            raise NotFoundError(
                "no UCDP actors to compare with: pull the UCDP actor list "
                "(`backchannel data pull ucdp-actors`) or pass GED events with --events"
            )
        existing = read_crosswalk(target) if target.is_file() else []
        rows = merge_reviewed(existing, propose_crosswalk(acled, ucdp))
        write_crosswalk(target, rows)
    if missing_list:
        err.print(f"note: {missing_list}", highlight=False, markup=False)
    crosswalk_columns = (
        Column("acled_actor", "ACLED actor"),
        Column("ucdp_actor", "UCDP actor"),
        Column("ucdp_id", "UCDP id", numeric=True),
        Column("score", numeric=True),
        Column("status"),
    )
    if format is not OutputFormat.table:
        every = [[r.acled_actor, r.ucdp_actor, r.ucdp_id, r.score, r.status.value] for r in rows]
        print_data(
            Listing("Crosswalk", crosswalk_columns, every),
            format,
            document=[{**vars(row), "status": row.status.value} for row in rows],
        )
        return
    counts = {status: sum(r.status is status for r in rows) for status in LinkStatus}
    print_line(
        f"{len(acled)} ACLED actors: {counts[LinkStatus.PROPOSED]} proposed links, "
        f"{counts[LinkStatus.UNMATCHED]} unmatched actors, "
        f"{counts[LinkStatus.CONFIRMED] + counts[LinkStatus.REJECTED]} reviewed rows kept; "
        f"written to {target}"
    )
    print_listing(
        Listing(
            "Crosswalk",
            crosswalk_columns,
            [
                [r.acled_actor, r.ucdp_actor, r.ucdp_id, r.score, r.status.value]
                for r in rows[:CROSSWALK_ROWS_SHOWN]
            ],
        ),
        wide=wide,
    )
    if len(rows) > CROSSWALK_ROWS_SHOWN:
        print_line(f"... {len(rows) - CROSSWALK_ROWS_SHOWN} more rows in {target}")
    print_line(
        "Review the file: set status to confirmed or rejected (the basis column says why each "
        "link was proposed); profiles use the confirmed rows."
    )
