"""The audit chain: altering, deleting or reordering any entry is detected and named."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from backchannel.store.service import CaseStore
from tests.store.test_store import secret_case


def filled(store: CaseStore, entries: int = 4) -> None:
    for n in range(entries):
        store.save_case(secret_case(f"case-{n}"))
    assert store.verify_audit().entries == entries


def tamper(store: CaseStore, statements: list[str]) -> None:
    """Run raw SQL as a database owner would, switching the append-only triggers off first."""
    with store.engine.begin() as connection:
        _triggers(connection, enable=False)
        for statement in statements:
            connection.execute(text(statement))
        _triggers(connection, enable=True)


def _triggers(connection: Connection, enable: bool) -> None:
    if connection.dialect.name == "postgresql":
        verb = "ENABLE" if enable else "DISABLE"
        connection.execute(text(f"ALTER TABLE audit_log {verb} TRIGGER USER"))
    elif not enable:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_intact_chain_verifies(store: CaseStore) -> None:
    filled(store)
    result = store.verify_audit()
    assert result.ok and result.entries == 4


def test_empty_log_verifies(store: CaseStore) -> None:
    assert store.verify_audit().ok


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET user_name = 'x'", "DELETE FROM audit_log"]
)
def test_triggers_refuse_changes_to_the_log(store: CaseStore, statement: str) -> None:
    filled(store, 1)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(statement))
    assert store.verify_audit().ok


TAMPERING: list[tuple[str, list[str], int, str]] = [
    (
        "altered user",
        ["UPDATE audit_log SET user_name = 'someone else' WHERE seq = 3"],
        3,
        "altered",
    ),
    ("altered detail", ["UPDATE audit_log SET action = 'case.view' WHERE seq = 2"], 2, "altered"),
    ("deleted middle", ["DELETE FROM audit_log WHERE seq = 2"], 2, "missing"),
    (
        "deleted and renumbered",
        ["DELETE FROM audit_log WHERE seq = 2", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2"],
        2,
        "broken",
    ),
    (
        "reordered",
        [
            "UPDATE audit_log SET seq = 100 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = 100",
        ],
        2,
        "broken",
    ),
    ("truncated tail", ["DELETE FROM audit_log WHERE seq = 4"], 4, "removed from the end"),
]


@pytest.mark.parametrize(
    ("statements", "bad_entry", "words"),
    [pytest.param(s, n, w, id=name) for name, s, n, w in TAMPERING],
)
def test_tampering_is_detected_at_the_first_bad_entry(
    store: CaseStore, statements: list[str], bad_entry: int, words: str
) -> None:
    filled(store)
    tamper(store, statements)
    result = store.verify_audit()
    assert not result.ok
    assert result.first_bad_seq == bad_entry
    assert result.reason is not None and words in result.reason


def test_rehashed_forgery_is_caught_by_the_head(store: CaseStore) -> None:
    """An intruder who recomputes the hash of the last entry still leaves the head behind."""
    from backchannel.store.audit import entry_hash

    filled(store, 2)
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM audit_log WHERE seq = 2")).mappings().one()
    forged = dict(row, user_name="someone else")
    fields = {k: forged[k] for k in forged if k != "hash"}
    new_hash = entry_hash(**fields)
    tamper(
        store,
        [f"UPDATE audit_log SET user_name = 'someone else', hash = '{new_hash}' WHERE seq = 2"],
    )
    result = store.verify_audit()
    assert not result.ok and result.first_bad_seq == 2


def test_concurrent_writers_keep_one_unbroken_chain(store: CaseStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def write(worker: int) -> None:
        for n in range(5):
            store.save_case(secret_case(f"w{worker}-{n}"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    result = store.verify_audit()
    assert result.ok and result.entries == 20


def test_missing_head_row_stops_appends(store: CaseStore) -> None:
    from backchannel.errors import IntegrityError

    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head"))
    with pytest.raises(IntegrityError, match="audit head row is missing"):
        store.save_case(secret_case())
    assert store.list_cases() == []
