"""``backchannel actors analyse``: entry points, brokers, spoilers, cohesion and influence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from backchannel.casefile import load_case
from backchannel.cli.actors import actors_app
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    parse_day,
    reported_errors,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    print_data,
    print_line,
    print_listing,
)


@actors_app.command("analyse")
def actors_analyse(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Analyse the map as it stood on this day, YYYY-MM-DD (default: case end).",
        ),
    ] = None,
    counterpart: Annotated[
        str | None,
        typer.Option(
            "--counterpart",
            help="The actor id of the group to analyse (default: the armed actors engaged "
            "most recently).",
        ),
    ] = None,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Find entry points, brokers and spoilers, and read the counterpart's cohesion."""
    from backchannel.actors.analysis import analyse_case
    from backchannel.model.as_of import known_on

    day = parse_day(as_of)
    with reported_errors():
        case = load_case(case_file)
        if day is not None:
            # a replay: only the actors and ties known that day
            case = known_on(case, day).case
        analysis = analyse_case(case, day, counterpart)
    document: dict[str, Any] = {"case": case.id, **analysis.as_dict()}
    listings = _listings(document)
    if format is not OutputFormat.table:
        print_data(listings, format, document=document)
        return
    names = {actor.id: actor.name for actor in case.actors}
    counterparts = ", ".join(names[c.id] for c in analysis.counterparts) or "none"
    print_line(
        f"{case.context.title}, as of {analysis.as_of}: counterpart(s) [bold]{counterparts}[/]",
        markup=True,
    )
    for shown in listings:
        print_listing(shown, wide=wide)
    for note in document["notes"]:
        print_line(f"note: {note}")


def _listings(document: dict[str, Any]) -> list[Listing]:
    """The analysis as five tables: entry points, brokers, spoilers, cohesion, influence."""
    entry_points = Listing(
        "Entry points",
        (
            Column("entry"),
            Column("counterpart"),
            Column("reach", numeric=True),
            Column("route", wide=True),
            Column("if_a_link_breaks", "if a link breaks", wide=True),
            Column("why"),
        ),
        [
            [
                e["entry"],
                e["counterpart"],
                f"{e['reach']:.2f}",
                " > ".join(e["route"]["actors"]),
                _fallbacks(e["alternatives"]),
                e["why"],
            ]
            for e in document["entry_points"]
        ],
        name="entry_points",
    )
    brokers = Listing(
        "Brokers",
        (
            Column("actor"),
            Column("route_share", "route share", numeric=True),
            Column("camps_linked", "camps linked", wide=True),
            Column("cut_off_without_it", "cut off without it", wide=True),
            Column("why"),
        ),
        [
            [
                b["actor"],
                f"{b['route_share']:.0%}",
                ", ".join(b["camps_linked"]),
                ", ".join(b["cut_off_without_it"]),
                b["why"],
            ]
            for b in document["brokers"]
        ],
        name="brokers",
    )
    spoilers = Listing(
        "Spoilers",
        (
            Column("actor"),
            Column("score", numeric=True),
            Column("means", wide=True, numeric=True),
            Column("motive", wide=True, numeric=True),
            Column("position", wide=True, numeric=True),
            Column("threatens", wide=True),
            Column("why"),
        ),
        [
            [
                s["actor"],
                f"{s['score']:.2f}",
                f"{s['capability']:.2f}",
                f"{s['opposition']:.2f}",
                f"{s['tie']:.2f}",
                ", ".join(s["threatens"]),
                s["why"],
            ]
            for s in document["spoilers"]
        ],
        name="spoilers",
    )
    cohesion = Listing(
        "Cohesion",
        (
            Column("counterpart"),
            Column("level"),
            Column("score", numeric=True),
            Column("command", wide=True),
            Column("splinters", wide=True),
            Column("rival_factions", "rival factions", wide=True),
            Column("why"),
        ),
        [
            [
                c["counterpart"],
                c["level"],
                f"{c['score']:.2f}",
                c["command"]["actor"] if c["command"] else "",
                ", ".join(p["actor"] for p in c["splinters"]),
                ", ".join(p["actor"] for p in c["rival_factions"]),
                c["why"],
            ]
            for c in document["cohesion"]
        ],
        name="cohesion",
    )
    influence = Listing(
        "Influence",
        (
            Column("actor"),
            Column("rank", numeric=True),
            Column("score", numeric=True),
            Column("say_over_counterpart", "say over counterpart", wide=True),
            Column("why"),
        ),
        [
            [
                i["actor"],
                i["rank"],
                f"{i['score']:.2f}",
                ", ".join(i["over_counterparts"]),
                i["why"],
            ]
            for i in document["influence"]
        ],
        name="influence",
    )
    return [entry_points, brokers, spoilers, cohesion, influence]


def _fallbacks(alternatives: list[dict[str, Any]]) -> str:
    """One line per link of a route: the reach left if it breaks, or that none is left."""
    lines = []
    for alternative in alternatives:
        route = alternative["route"]
        left = "no route left" if route is None else f"reach {route['reach']:.2g}"
        lines.append(f"{alternative['if_broken']}: {left}")
    return "\n".join(lines)
