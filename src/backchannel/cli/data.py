"""Commands on the external data sets: pull and list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from backchannel import datasets
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    print_json,
    print_table,
    reported_errors,
)

data_app = typer.Typer(help="Install and list the external data sets.", no_args_is_help=True)


@data_app.command("pull")
def data_pull(
    ids: Annotated[list[str] | None, typer.Argument(help="Data set ids (default: all).")] = None,
    mirror: Annotated[
        Path | None,
        typer.Option("--mirror", help="Install from this local folder instead of downloading."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Install a designation list even when it holds more than 20% fewer entries "
            "than the installed copy or the producer's published count.",
        ),
    ] = False,
) -> None:
    """Download the data sets (or install them from a mirror), verified and atomically.

    A designation list is read whole by its screening reader first: one it cannot read,
    or one that lost more than 20% of its entries (unless --force), is refused and the
    installed copy kept.
    """
    settings = load_settings()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with reported_errors(), Progress(*columns, console=err, transient=True) as progress:
        tasks: dict[str, Any] = {}

        def report(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=done, total=total)

        installed = datasets.pull(
            settings, ids=ids or None, mirror=mirror, progress=report, force=force
        )
    for item in installed:
        line = f"installed {item.id} {item.version} ({item.status})"
        listed = item.designation_list
        if listed is not None:
            dated = f"published {listed.publication}" if listed.published else "undated"
            noun = "entry" if listed.entries == 1 else "entries"
            line += f": {listed.entries:,} {noun}, {dated}"
            if listed.forced:
                line += ", installed with --force despite its entry count"
        out.print(line, highlight=False, markup=False)


@data_app.command("list")
def data_list(format: FormatOption = OutputFormat.table) -> None:
    """Show every data set of the manifest, whether installed, and its real coverage."""
    settings = load_settings()
    with reported_errors():
        entries = datasets.installed(settings)
    if format is OutputFormat.json:
        print_json([entry.as_dict() for entry in entries])
        return
    print_table(
        "Data sets",
        ["id", "version", "status", "rows", "years", "countries", "source"],
        [entry.table_row() for entry in entries],
    )
