"""The ``backchannel`` command line: thin commands over the library.

Exit codes (one table, used by every command):

=====  ===========================================================
0      success
1      unexpected error inside backchannel
2      wrong usage (unknown option, missing argument)
3      invalid input: a case file, data file or value broke its contract
4      not found: no such case, data set or file
5      integrity failure: the audit chain or a sealed value does not verify
6      data unavailable: a download or mirror install failed
7      configuration or key problem
=====  ===========================================================
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from backchannel import datasets
from backchannel.casefile import case_json_schema, dump_case, load_case
from backchannel.errors import (
    BackchannelError,
    ConfigurationError,
    DataUnavailableError,
    EncryptionKeyError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
)
from backchannel.model.case import Case
from backchannel.reports.case_report import build_case_report
from backchannel.reports.render import render_case_html
from backchannel.reports.structural import structural_section
from backchannel.settings import Settings
from backchannel.store import keys as key_admin
from backchannel.store.service import CaseStore

#: The one mapping from error types to exit codes; the most specific type wins.
EXIT_CODES: dict[type[BackchannelError], int] = {
    InvalidInputError: 3,
    NotFoundError: 4,
    IntegrityError: 5,
    DataUnavailableError: 6,
    ConfigurationError: 7,
    EncryptionKeyError: 7,
    BackchannelError: 1,
}

app = typer.Typer(
    help="Decision support for atrocity prevention through dialogue with armed groups.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
case_app = typer.Typer(help="Validate, import, export and list cases.", no_args_is_help=True)
data_app = typer.Typer(help="Install and list the external data sets.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage the encryption keys of the case store.", no_args_is_help=True)
app.add_typer(case_app, name="case")
app.add_typer(data_app, name="data")
app.add_typer(audit_app, name="audit")
forecast_app = typer.Typer(
    help="Structural risk forecast (Early Warning Project data).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
app.add_typer(forecast_app, name="forecast")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    """How a command prints data."""

    table = "table"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Print as a table or as JSON.")
]

T = TypeVar("T")


def exit_code_for(error: BackchannelError) -> int:
    """The exit code for an error: that of its nearest listed type."""
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return 1


@contextmanager
def _reported_errors() -> Iterator[None]:
    try:
        yield
    except BackchannelError as error:
        err.print(f"[bold red]error:[/] {error.message}", markup=True, highlight=False)
        raise typer.Exit(exit_code_for(error)) from None


def _settings() -> Settings:
    with _reported_errors():
        try:
            return Settings()
        except ValueError as exc:
            raise ConfigurationError(f"invalid BACKCHANNEL_* setting: {exc}") from None


def _with_store(settings: Settings, work: Callable[[CaseStore], T]) -> T:
    store = CaseStore.open(settings)
    try:
        return work(store)
    finally:
        store.close()


def _print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def _print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for position, column in enumerate(columns):
        # the first column is the identifier a user types next: never cut it
        table.add_column(
            column, no_wrap=position == 0, overflow="fold", min_width=min(len(column), 12)
        )
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    out.print(table)


# --- schema and cases ---------------------------------------------------------------------


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of case files (generated from the model)."""
    text = json.dumps(case_json_schema(), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@case_app.command("validate")
def case_validate(
    files: Annotated[list[Path], typer.Argument(help="Case files (YAML).")],
    format: FormatOption = OutputFormat.table,
) -> None:
    """Check case files; every problem is named with file, line and path."""
    results: list[dict[str, Any]] = []
    failed = False
    for file in files:
        try:
            case = load_case(file)
            results.append({"file": str(file), "valid": True, "case": case.id, "problems": []})
        except InvalidInputError as error:
            failed = True
            problems = [
                {"line": p.line, "location": p.location, "message": p.message}
                for p in error.problems
            ]
            results.append({"file": str(file), "valid": False, "case": None, "problems": problems})
    if format is OutputFormat.json:
        _print_json(results)
    else:
        for result in results:
            if result["valid"]:
                out.print(f"[green]ok[/] {result['file']} (case {result['case']})", highlight=False)
            for p in result["problems"]:
                place = f"{result['file']}:{p['line']}" if p["line"] else result["file"]
                where = f" at {p['location']}" if p["location"] else ""
                err.print(f"[red]invalid[/] {place}:{where} {p['message']}", highlight=False)
    if failed:
        raise typer.Exit(EXIT_CODES[InvalidInputError])


@case_app.command("import")
def case_import(
    files: Annotated[list[Path], typer.Argument(help="Case files (YAML) to store.")],
) -> None:
    """Store cases from files: all or nothing, each change audited."""
    settings = _settings()
    with _reported_errors():
        cases = [load_case(file) for file in files]  # validate every file before writing any
        changes = _with_store(settings, lambda store: store.save_cases(cases))
    for case, change in zip(cases, changes, strict=True):
        verb = "unchanged" if change.empty else "stored"
        out.print(f"{verb} case {case.id}: " + _counts(case), highlight=False)


@case_app.command("export")
def case_export(
    case_id: Annotated[str, typer.Argument(help="Id of the stored case.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Write a stored case back as a YAML case file."""
    settings = _settings()
    with _reported_errors():
        case = _with_store(settings, lambda store: store.get_case(case_id))
    text = dump_case(case)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", highlight=False)
    else:
        sys.stdout.write(text)


@case_app.command("delete")
def case_delete(
    case_id: Annotated[str, typer.Argument(help="Id of the stored case.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a case and all its records from the store (audited)."""
    settings = _settings()
    if not yes:
        typer.confirm(f"Delete case {case_id} and all its records?", abort=True)
    with _reported_errors():
        _with_store(settings, lambda store: store.delete_case(case_id))
    out.print(f"deleted case {case_id}", highlight=False)


@case_app.command("list")
def case_list(format: FormatOption = OutputFormat.table) -> None:
    """List the stored cases (no sensitive field is shown)."""
    settings = _settings()
    with _reported_errors():
        summaries = _with_store(settings, lambda store: store.list_cases())
    if format is OutputFormat.json:
        _print_json([s.__dict__ for s in summaries])
        return
    _print_table(
        "Cases",
        ["id", "title", "country", "revision", "updated", "by", "records"],
        [
            [
                s.id,
                s.title,
                s.country,
                s.revision,
                f"{s.updated_at:%Y-%m-%d %H:%M}",
                s.updated_by,
                ", ".join(f"{n} {c}" for c, n in s.counts.items()),
            ]
            for s in summaries
        ],
    )


def _counts(case: Case) -> str:
    return ", ".join(f"{len(getattr(case, c))} {c}" for c in Case.COLLECTIONS)


# --- data sets ----------------------------------------------------------------------------


@data_app.command("pull")
def data_pull(
    ids: Annotated[list[str] | None, typer.Argument(help="Data set ids (default: all).")] = None,
    mirror: Annotated[
        Path | None,
        typer.Option("--mirror", help="Install from this local folder instead of downloading."),
    ] = None,
) -> None:
    """Download the data sets (or install them from a mirror), verified and atomically."""
    settings = _settings()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with _reported_errors(), Progress(*columns, console=err, transient=True) as progress:
        tasks: dict[str, Any] = {}

        def report(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=done, total=total)

        installed = datasets.pull(settings, ids=ids or None, mirror=mirror, progress=report)
    for item in installed:
        out.print(f"installed {item.id} {item.version} ({item.status})", highlight=False)


@data_app.command("list")
def data_list(format: FormatOption = OutputFormat.table) -> None:
    """Show every data set of the manifest, whether installed, and its real coverage."""
    settings = _settings()
    with _reported_errors():
        entries = datasets.installed(settings)
    if format is OutputFormat.json:
        _print_json([entry.as_dict() for entry in entries])
        return
    _print_table(
        "Data sets",
        ["id", "version", "status", "rows", "years", "countries", "source"],
        [entry.table_row() for entry in entries],
    )


# --- audit and keys -----------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(format: FormatOption = OutputFormat.table) -> None:
    """Walk the audit chain; exit 5 naming the first entry that was altered, removed or moved."""
    settings = _settings()
    with _reported_errors():
        result = _with_store(settings, lambda store: store.verify_audit())
    if format is OutputFormat.json:
        _print_json(
            {
                "ok": result.ok,
                "entries": result.entries,
                "first_bad_entry": result.first_bad_seq,
                "reason": result.reason,
            }
        )
    elif result.ok:
        out.print(f"audit log intact: {result.entries} entries verified", highlight=False)
    else:
        err.print(
            f"[bold red]audit log broken at entry {result.first_bad_seq}[/]: {result.reason}",
            highlight=False,
        )
    if not result.ok:
        raise typer.Exit(EXIT_CODES[IntegrityError])


@audit_app.command("log")
def audit_log(
    case_id: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many entries.")] = 50,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Show the newest audit entries: who changed what, when."""
    settings = _settings()
    with _reported_errors():
        rows = _with_store(settings, lambda store: store.audit_entries(case_id, limit))
    documents: list[dict[str, Any]] = [
        {
            "entry": row.seq,
            "at": row.at,
            "user": row.user_name,
            "action": row.action,
            "case": row.case_id,
            "detail": row.detail,
            "before_digest": row.before_digest,
            "after_digest": row.after_digest,
            "hash": row.hash,
        }
        for row in rows
    ]
    if format is OutputFormat.json:
        _print_json(documents)
        return
    _print_table(
        "Audit log",
        ["entry", "at", "user", "action", "case", "change"],
        [
            [d["entry"], d["at"][:19], d["user"], d["action"], d["case"], _change_text(d["detail"])]
            for d in documents
        ],
    )


def _change_text(detail: dict[str, Any]) -> str:
    parts = [
        f"{sign}{len(ids)} {collection}"
        for sign, key in (("+", "added"), ("~", "changed"), ("-", "removed"))
        for collection, ids in detail.get(key, {}).items()
    ]
    if detail.get("context_changed"):
        parts.append("context")
    return ", ".join(parts) or ", ".join(f"{k}={v}" for k, v in detail.items())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every sensitive field with a new key.

    With a key file, the new key is written there. With BACKCHANNEL_SECRET_KEY, give the new
    key in BACKCHANNEL_NEW_SECRET_KEY and set it as BACKCHANNEL_SECRET_KEY afterwards.
    """
    settings = _settings()
    with _reported_errors():
        result = key_admin.rotate(settings)
    out.print(
        f"re-encrypted {result.values} sealed values with key {result.new_key_id} "
        f"(was {result.old_key_id})",
        highlight=False,
    )
    if result.next_step:
        out.print(result.next_step, highlight=False)


# --- structural forecast -------------------------------------------------------------------

EWP_PREDICTORS = "prepared2024predictors-2025-09-03.csv"
EWP_FOOS = "FOOSforecasts_3Sep2025.csv"
EWP_FINAL = "final_forecasts_data_3Sep2025.csv"
DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="Predictor file of the EWP layout (default: the pulled EWP data)."),
]


def _ewp_inputs(settings: Settings, data: Path | None) -> tuple[Any, Any, Any]:
    import pandas as pd

    from backchannel.risk.forecast.predictors import load_predictors

    table = load_predictors(data or datasets.file_path(settings, "ewp", EWP_PREDICTORS))
    foos = pd.read_csv(datasets.file_path(settings, "ewp", EWP_FOOS))
    final = pd.read_csv(datasets.file_path(settings, "ewp", EWP_FINAL))
    return table, foos, final


def _run_comparison(settings: Settings, data: Path | None, samples: int) -> Any:
    from backchannel.risk.forecast.backtest import compare

    table, foos, final = _ewp_inputs(settings, data)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("backtest", total=62)
        comparison = compare(
            table,
            foos,
            samples=samples,
            on_step=lambda name, cutoff: bar.update(
                task, advance=1, description=f"{name} {cutoff}"
            ),
        )
    return table, final, comparison


@forecast_app.command("backtest")
def forecast_backtest(
    data: DataOption = None,
    format: FormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write our forecasts as CSV (ewp_name,year,risk)."),
    ] = None,
    charts: Annotated[
        Path | None, typer.Option("--charts", help="Write ROC and reliability charts (PNG) here.")
    ] = None,
    samples: Annotated[int, typer.Option("--samples", min=10, help="Bootstrap samples.")] = 1000,
) -> None:
    """Run EWP's fully-out-of-sample protocol: ours vs EWP re-implemented vs EWP published."""
    from backchannel.risk.forecast.backtest import OURS
    from backchannel.risk.forecast.metrics import METRIC_NAMES

    settings = _settings()
    with _reported_errors():
        _table, _final, comparison = _run_comparison(settings, data, samples)
    if output:
        comparison.backtests[OURS].forecasts.to_csv(
            output, index=False, columns=["ewp_name", "year", "risk"]
        )
        err.print(f"wrote {output}", highlight=False)
    if charts:
        _write_forecast_charts(comparison, charts)
    if format is OutputFormat.json:
        _print_json(comparison.as_json())
        return
    rows = [
        [name]
        + [
            f"{e.value:.4f} ({e.low:.3f}-{e.high:.3f})"
            for e in (comparison.metrics[source][name] for source in comparison.metrics)
        ]
        for name in METRIC_NAMES
    ]
    _print_table(
        f"Backtest on {comparison.n_country_years:,} country-years, {comparison.n_onsets} onsets "
        "(value and bootstrap 95% interval)",
        ["metric", *comparison.metrics],
        rows,
    )


def _write_forecast_charts(comparison: Any, folder: Path) -> None:
    from backchannel.reports.charts import reliability_chart, roc_chart, write_png

    labels = {
        "ours": "ours",
        "ewp_reimplemented": "EWP re-implemented",
        "ewp_published": "EWP published",
    }
    scored = {labels.get(k, k): v for k, v in comparison.scored.items()}
    for name, png in (
        ("roc.png", roc_chart(scored)),
        ("reliability.png", reliability_chart(scored)),
    ):
        err.print(f"wrote {write_png(png, folder / name)}", highlight=False)


@forecast_app.command("countries")
def forecast_countries(
    data: DataOption = None,
    format: FormatOption = OutputFormat.table,
    top: Annotated[int, typer.Option("--top", min=1, help="Show the top N countries.")] = 30,
) -> None:
    """Forecast every country for the next two years, with drivers and EWP's published figure."""
    from backchannel.risk.forecast.countries import country_table

    settings = _settings()
    with _reported_errors():
        table, _foos, final = _ewp_inputs(settings, data)
        rows = country_table(table, final)
    if format is OutputFormat.json:
        _print_json([row.as_dict() for row in rows])
        return
    _print_table(
        f"Risk of a new mass-killing onset in {rows[0].base_year + 1}-{rows[0].base_year + 2} "
        "(our model; EWP published beside it)",
        ["country", "rank", "risk", "EWP rank", "EWP risk", "drivers"],
        [
            [
                r.country,
                r.rank,
                f"{r.risk:.1%}",
                r.ewp_published_rank or "",
                f"{r.ewp_published_risk:.1%}" if r.ewp_published_risk is not None else "",
                "; ".join(d.text for d in r.drivers),
            ]
            for r in rows[:top]
        ],
    )


@forecast_app.command("build")
def forecast_build(
    data: DataOption = None,
    folder: Annotated[
        Path | None, typer.Option("--folder", help="Where to write (default: the package data).")
    ] = None,
    samples: Annotated[int, typer.Option("--samples", min=10, help="Bootstrap samples.")] = 1000,
) -> None:
    """Rebuild the packaged forecast artifacts from the pulled EWP data (``make model``)."""
    from backchannel.risk.forecast.artifacts import packaged_folder, write_artifacts
    from backchannel.risk.forecast.countries import country_table

    settings = _settings()
    with _reported_errors():
        table, final, comparison = _run_comparison(settings, data, samples)
        version = next(e.version for e in datasets.installed(settings) if e.id == "ewp")
        paths = write_artifacts(
            folder or packaged_folder(), comparison, country_table(table, final), version
        )
    for path in paths:
        out.print(f"wrote {path}", highlight=False)


# --- demo ---------------------------------------------------------------------------------


def example_case_files() -> list[Path]:
    """The packaged example case files."""
    folder = resources.files("backchannel").joinpath("data/examples")
    return sorted(Path(str(folder)).glob("*.yaml"))


@app.command()
def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the briefs.")] = Path(
        "demo-output"
    ),
) -> None:
    """Load the example cases into a fresh store and write one HTML brief per case (offline)."""
    store_dir = output / "store"
    if store_dir.exists():
        shutil.rmtree(store_dir)
    settings = Settings(
        data_dir=store_dir, database_url=None, secret_key=None, key_file=None, user="demo"
    )
    with _reported_errors():
        cases = [load_case(file) for file in example_case_files()]
        store = CaseStore.open(settings)
        try:
            store.save_cases(cases)
            stored = [store.get_case(case.id) for case in cases]
            verification = store.verify_audit()
        finally:
            store.close()
    rows = []
    for case in stored:
        brief = output / f"{case.id}.html"
        structural = structural_section(case.context.country, case.context.period.start.year)
        report = build_case_report(case, structural=structural)
        brief.write_text(render_case_html(report), encoding="utf-8")
        rows.append(
            [case.id, case.context.country]
            + [len(getattr(case, collection)) for collection in Case.COLLECTIONS]
            + (
                [f"{structural.risk:.1%} (rank {structural.rank}, {structural.base_year})"]
                if structural
                else ["not available"]
            )
        )
    _print_table(
        "Example cases: stored, encrypted, audited",
        ["case", "country", *Case.COLLECTIONS, "structural risk"],
        rows,
    )
    out.print(f"one HTML brief per case written to {output}/<case>.html", highlight=False)
    out.print(
        f"audit log: {verification.entries} entries, {'intact' if verification.ok else 'BROKEN'}",
        highlight=False,
    )


def main() -> None:
    """Entry point of the ``backchannel`` script."""
    app()


if __name__ == "__main__":
    main()
