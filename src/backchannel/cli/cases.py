"""Commands on case files and stored cases: schema, validate, import, export, delete, list."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from backchannel.casefile import case_json_schema, dump_case, load_case
from backchannel.cli.common import (
    EXIT_CODES,
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    print_json,
    reported_errors,
    with_store,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    listing,
    print_csv,
    print_data,
)
from backchannel.errors import InvalidInputError
from backchannel.model.case import Case

case_app = typer.Typer(help="Validate, import, export and list cases.", no_args_is_help=True)


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
        print_json(results)
    elif format is OutputFormat.csv:
        print_csv(
            listing(
                "Case files",
                ["file", "valid", "case", "line", "location", "message"],
                [
                    [r["file"], r["valid"], r["case"], p["line"], p["location"], p["message"]]
                    for r in results
                    for p in r["problems"] or [{"line": None, "location": None, "message": None}]
                ],
            )
        )
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
    settings = load_settings()
    with reported_errors():
        cases = [load_case(file) for file in files]  # validate every file before writing any
        changes = with_store(settings, lambda store: store.save_cases(cases))
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
    settings = load_settings()
    with reported_errors():
        case = with_store(settings, lambda store: store.get_case(case_id))
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
    settings = load_settings()
    if not yes:
        typer.confirm(f"Delete case {case_id} and all its records?", abort=True)
    with reported_errors():
        with_store(settings, lambda store: store.delete_case(case_id))
    out.print(f"deleted case {case_id}", highlight=False)


@case_app.command("list")
def case_list(format: FormatOption = OutputFormat.table, wide: WideOption = False) -> None:
    """List the stored cases (no sensitive field is shown); --wide adds who changed each
    last and how many records it holds."""
    settings = load_settings()
    with reported_errors():
        summaries = with_store(settings, lambda store: store.list_cases())
    shown = Listing(
        "Cases",
        (
            Column("id"),
            Column("title"),
            Column("country"),
            Column("revision", numeric=True),
            Column("updated"),
            Column("by", wide=True),
            Column("records", wide=True),
        ),
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
    print_data(shown, format, wide=wide, document=[s.__dict__ for s in summaries])


def _counts(case: Case) -> str:
    return ", ".join(f"{len(getattr(case, c))} {c}" for c in Case.COLLECTIONS)
