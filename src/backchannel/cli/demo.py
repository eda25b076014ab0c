"""``backchannel demo``: example cases into a fresh encrypted store, and their briefs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from backchannel.cli.output import FormatOption, OutputFormat, WideOption


def example_case_files() -> list[Path]:
    """The packaged example case files."""
    folder = resources.files("backchannel").joinpath("data/examples")
    return sorted(Path(str(folder)).glob("*.yaml"))


def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the briefs.")] = Path(
        "demo-output"
    ),
    pdf: Annotated[
        bool,
        typer.Option("--pdf/--no-pdf", help="Write the PDF briefs too (HTML is always written)."),
    ] = True,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Load the example cases into a fresh store and write a full and a redacted brief per case,
    in PDF and HTML (offline); JSON and CSV give the summary of the cases only."""
    from backchannel.cli.demo_run import run_demo

    run_demo(output, pdf=pdf, format=format, wide=wide)
