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
    out,
    parse_day,
    print_json,
    print_table,
    reported_errors,
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
    if format is OutputFormat.json:
        print_json(document)
        return
    names = {actor.id: actor.name for actor in case.actors}
    counterparts = ", ".join(names[c.id] for c in analysis.counterparts) or "none"
    out.print(
        f"{case.context.title}, as of {analysis.as_of}: counterpart(s) [bold]{counterparts}[/]",
        highlight=False,
    )
    print_table(
        "Entry points",
        ["entry", "counterpart", "reach", "route", "if a link breaks", "why"],
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
    )
    print_table(
        "Brokers",
        ["actor", "route share", "camps linked", "cut off without it", "why"],
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
    )
    print_table(
        "Spoilers",
        ["actor", "score", "means", "motive", "position", "threatens", "why"],
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
    )
    print_table(
        "Cohesion",
        ["counterpart", "level", "score", "command", "splinters", "rival factions", "why"],
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
    )
    print_table(
        "Influence",
        ["actor", "rank", "score", "say over counterpart", "why"],
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
    )
    for note in document["notes"]:
        out.print(f"note: {note}", highlight=False)


def _fallbacks(alternatives: list[dict[str, Any]]) -> str:
    """One line per link of a route: the reach left if it breaks, or that none is left."""
    lines = []
    for alternative in alternatives:
        route = alternative["route"]
        left = "no route left" if route is None else f"reach {route['reach']:.2g}"
        lines.append(f"{alternative['if_broken']}: {left}")
    return "\n".join(lines)
