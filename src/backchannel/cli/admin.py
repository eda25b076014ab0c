"""Commands that guard the store: audit verify and log, keys rotate."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from backchannel.cli.common import (
    EXIT_CODES,
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    print_json,
    print_table,
    reported_errors,
    with_store,
)
from backchannel.errors import IntegrityError
from backchannel.store import keys as key_admin

audit_app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage the encryption keys of the case store.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(format: FormatOption = OutputFormat.table) -> None:
    """Walk the audit chain; exit 5 naming the first entry that was altered, removed or moved."""
    settings = load_settings()
    with reported_errors():
        result = with_store(settings, lambda store: store.verify_audit())
    if format is OutputFormat.json:
        print_json(
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
    settings = load_settings()
    with reported_errors():
        rows = with_store(settings, lambda store: store.audit_entries(case_id, limit))
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
        print_json(documents)
        return
    print_table(
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
    settings = load_settings()
    with reported_errors():
        result = key_admin.rotate(settings)
    out.print(
        f"re-encrypted {result.values} sealed values with key {result.new_key_id} "
        f"(was {result.old_key_id})",
        highlight=False,
    )
    if result.next_step:
        out.print(result.next_step, highlight=False)
