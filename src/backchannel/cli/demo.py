"""``backchannel demo``: example cases into a fresh encrypted store, one HTML brief each."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer


def example_case_files() -> list[Path]:
    """The packaged example case files."""
    folder = resources.files("backchannel").joinpath("data/examples")
    return sorted(Path(str(folder)).glob("*.yaml"))


def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the briefs.")] = Path(
        "demo-output"
    ),
) -> None:
    """Load the example cases into a fresh store and write one HTML brief per case (offline)."""
    from backchannel.cli.demo_run import run_demo

    run_demo(output)
