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
    WideOption,
    err,
    load_settings,
    out,
    print_data,
    print_line,
    reported_errors,
)
from backchannel.cli.output import Column, Listing

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
    """Download the data sets from their producers (or install them from a mirror),
    verified and atomically.

    Each data set is reported installed, updated (the producer's copy changed), up to
    date (nothing rewritten) or skipped (with the reason: ACLED without credentials or
    from a mirror, an address the manifest could not confirm). Downloads are retried on
    server errors and resumed after a cut; offline, the pull fails at once and names the
    address. A designation list is read whole by its screening reader first: one it cannot
    read, or one that lost more than 20% of its entries (unless --force), is refused and
    the installed copy kept.
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

        outcomes = datasets.pull_outcomes(
            settings, ids=ids or None, mirror=mirror, progress=report, force=force
        )
    for outcome in outcomes:
        out.print(_outcome_line(outcome), highlight=False, markup=False)


def _outcome_line(outcome: datasets.PullOutcome) -> str:
    item = outcome.record
    if outcome.action is datasets.Action.SKIPPED:
        return f"skipped {item.id}: {outcome.note.removeprefix(item.id + ': ')}"
    line = f"{outcome.action} {item.id} {item.version} ({item.status})"
    listed = item.designation_list
    if listed is not None:
        dated = f"published {listed.publication}" if listed.published else "undated"
        noun = "entry" if listed.entries == 1 else "entries"
        line += f": {listed.entries:,} {noun}, {dated}"
        if listed.forced:
            line += ", installed with --force despite its entry count"
    elif item.publication is not None:
        line += f": published {item.publication.stated}"
    return line


#: The columns of ``data list``: provenance and coverage are behind ``--wide``.
DATA_LIST_COLUMNS = (
    Column("id"),
    Column("version", wide=True),
    Column("status"),
    Column("rows", wide=True, numeric=True),
    Column("years", wide=True),
    Column("countries", wide=True, numeric=True),
    Column("published"),
    Column("age"),
    Column("freshness"),
    Column("source", wide=True),
)


@data_app.command("list")
def data_list(format: FormatOption = OutputFormat.table, wide: WideOption = False) -> None:
    """Show every data set of the manifest, whether installed, its publication date and
    age, and whether it is stale; --wide adds its version, real coverage and source.

    The age counts from the producer's date for the installed copy (a list's stated
    date, a release's date, a monthly release's month, ACLED's newest event); an undated
    copy is flagged "age unknown". The largest ages come from BACKCHANNEL_DATA_MAX_AGE_DAYS
    and BACKCHANNEL_LIST_MAX_AGE_DAYS.
    """
    settings = load_settings()
    with reported_errors():
        entries = datasets.installed(settings)
        ages = {age.id: age for age in datasets.data_ages(settings)}
    rows = []
    for entry in entries:
        cells = dict(zip(datasets.TABLE_COLUMNS, entry.table_row(), strict=True))
        age = ages[entry.id]
        flag = "" if age.stale is None else ("STALE" if age.stale else "current")
        if age.freshness is datasets.Freshness.AGE_UNKNOWN:
            flag = "STALE (age unknown)"
        rows.append(
            [cells[c] for c in ("id", "version", "status", "rows", "years", "countries")]
            + [age.published_text, age.age_text, flag, cells["source"]]
        )
    document = [{**entry.as_dict(), **ages[entry.id].as_dict()} for entry in entries]
    shown = Listing("Data sets", DATA_LIST_COLUMNS, rows)
    print_data(shown, format, wide=wide, document=document)
    if format is OutputFormat.table and not wide:
        # where each copy came from goes below the table: addresses are too long for a cell
        for entry, row in zip(entries, rows, strict=True):
            if row[-1]:
                print_line(f"{entry.id}: {row[-1]}")
