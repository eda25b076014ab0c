"""Commands that guard the store: audit verify and log, keys rotate and backup."""

from __future__ import annotations

from pathlib import Path
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
    reported_errors,
    with_store,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    columns_of,
    print_csv,
    print_data,
)
from backchannel.errors import IntegrityError
from backchannel.store import keys as key_admin

audit_app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage the encryption keys of the case store.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(format: FormatOption = OutputFormat.table) -> None:
    """Walk the audit chain and check every case against its last audited change.

    Exit 5 naming the first entry that was altered, removed or moved, or each case and
    record whose stored content the log does not vouch for (edited in the database).
    """
    settings = load_settings()
    with reported_errors():
        result, problems = with_store(
            settings, lambda store: (store.verify_audit(), store.verify_contents())
        )
    ok = result.ok and not problems
    if format is OutputFormat.csv:
        print_csv(
            Listing(
                "Audit verification",
                columns_of(["ok", "entries", "first_bad_entry", "reason", "content_problems"]),
                [[ok, result.entries, result.first_bad_seq, result.reason, len(problems)]],
            )
        )
    elif format is OutputFormat.json:
        print_json(
            {
                "ok": ok,
                "entries": result.entries,
                "first_bad_entry": result.first_bad_seq,
                "reason": result.reason,
                "content_problems": [
                    {
                        "case": p.case_id,
                        "record": p.record,
                        "reason": p.reason,
                        "audit_entry": p.audit_seq,
                    }
                    for p in problems
                ],
            }
        )
    else:
        if result.ok:
            out.print(f"audit log intact: {result.entries} entries verified", highlight=False)
        else:
            err.print(
                f"[bold red]audit log broken at entry {result.first_bad_seq}[/]: {result.reason}",
                highlight=False,
            )
        for problem in problems:
            err.print(f"[bold red]content altered[/]: {problem.describe()}", highlight=False)
        if result.ok and not problems:
            out.print("every case matches its last audited change", highlight=False)
    if not ok:
        raise typer.Exit(EXIT_CODES[IntegrityError])


@audit_app.command("log")
def audit_log(
    case_id: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many entries.")] = 50,
    format: FormatOption = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """Show the newest audit entries: who changed what, when (--wide: what changed)."""
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
    shown = Listing(
        "Audit log",
        (
            Column("entry", numeric=True),
            Column("at"),
            Column("user"),
            Column("action"),
            Column("case"),
            Column("change", wide=True),
        ),
        [
            [d["entry"], d["at"][:19], d["user"], d["action"], d["case"], _change_text(d["detail"])]
            for d in documents
        ],
    )
    print_data(shown, format, wide=wide, document=documents)


def _change_text(detail: dict[str, Any]) -> str:
    parts = [
        f"{sign}{len(ids)} {collection}"
        for sign, key in (("+", "added"), ("~", "changed"), ("-", "removed"))
        for collection, ids in detail.get(key, {}).items()
    ]
    if detail.get("context_changed"):
        parts.append("context")
    shown = {k: v for k, v in detail.items() if k != "content"}
    return ", ".join(parts) or ", ".join(f"{k}={v}" for k, v in shown.items())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every sealed value with a new key; safe while servers run.

    With a key file, the new key is written there (the old one is kept until every value
    is re-sealed). With BACKCHANNEL_SECRET_KEY, give the new key in
    BACKCHANNEL_NEW_SECRET_KEY and set it as BACKCHANNEL_SECRET_KEY afterwards.
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


@keys_app.command("backup")
def keys_backup(
    target: Annotated[Path, typer.Argument(help="A new file to write the key ring to (0600).")],
) -> None:
    """Write the store's key ring (data keys and audit key) to a new file, mode 0600.

    Keep it apart from the database: without it, the sealed data cannot be opened.
    """
    from backchannel.store.keyring_file import backup_key_ring

    settings = load_settings()
    with reported_errors():
        ring = with_store(settings, lambda store: store.ring)
        backup_key_ring(ring, target)
    out.print(
        f"key ring written to {target} (mode 0600): {len(ring.keys)} data key(s) and the "
        "audit key; keep it apart from the database",
        highlight=False,
    )
