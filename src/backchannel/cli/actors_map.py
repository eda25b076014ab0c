"""``backchannel actors map``: the interactive actor map as an offline folder, or a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backchannel.casefile import load_case
from backchannel.cli.actors import actors_app
from backchannel.cli.common import out, parse_day, reported_errors


@actors_app.command("map")
def actors_map(
    case_file: Annotated[Path, typer.Argument(help="The case file (YAML).")],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="A folder for the interactive map (index.html), or a .png file for the image.",
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only the relations in force on this day (YYYY-MM-DD)."),
    ] = None,
    redacted: Annotated[
        bool,
        typer.Option(
            "--redacted",
            help="Mask intermediaries and other channels, make ids opaque, leave notes out; "
            "refuse to write if a sensitive name remains.",
        ),
    ] = False,
) -> None:
    """Draw the case's actor map: an offline interactive page, or a static PNG image."""
    from backchannel.actors.analysis import analyse_case
    from backchannel.cli.brief_inputs import write_atomically
    from backchannel.model.as_of import known_on
    from backchannel.redaction import Disclosure, check_output
    from backchannel.reports.actor_map import actor_map_png
    from backchannel.reports.actor_map_page import graph_json, map_document, write_map_viewer
    from backchannel.reports.actor_section import map_roles

    with reported_errors():
        case = load_case(case_file)
        # who is masked is decided on the whole case, before any replay's cut
        disclosure = Disclosure.of(case) if redacted else None
        day = parse_day(as_of)
        if day is not None:
            # a replay: only the actors and ties known that day
            case = known_on(case, day).case
        roles = map_roles(analyse_case(case, day).as_dict())
        if output.suffix.lower() == ".png":
            if disclosure is not None:
                # the image is drawn from this document's labels: check them first
                document = map_document(case, day, redacted, roles, disclosure)
                title = disclosure.mask_text(case.context.title)
                text = graph_json({"title": title, **document})
                check_output(disclosure, f"actor map image of case {case.id}", text, "json")
            png = actor_map_png(case, day, redacted, roles, disclosure=disclosure)
            write_atomically(output, png)
            out.print(f"actor map image written to {output}", highlight=False)
            return
        index = write_map_viewer(case, output, day, redacted, roles, disclosure=disclosure)
    out.print(f"interactive actor map written to {index} (opens offline)", highlight=False)
