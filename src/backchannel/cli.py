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
app.add_typer(keys_app, name="keys")

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
        brief.write_text(render_case_html(build_case_report(case)), encoding="utf-8")
        rows.append(
            [case.id, case.context.country]
            + [len(getattr(case, collection)) for collection in Case.COLLECTIONS]
        )
    _print_table(
        "Example cases: stored, encrypted, audited",
        ["case", "country", *Case.COLLECTIONS],
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
