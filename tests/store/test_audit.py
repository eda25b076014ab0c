"""The audit chain: altering, deleting, reordering or rewriting any entry is detected and named.

The store's first entry (``keys.establish``) is written when it is opened; the tests'
own entries follow it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from backchannel.store.crypto import Keyed, new_key
from backchannel.store.service import CaseStore
from tests.store.test_store import secret_case


def filled(store: CaseStore, entries: int = 4) -> None:
    """Bring the log to ``entries`` entries (the first is the store's own)."""
    for n in range(entries - 1):
        store.save_case(secret_case(f"case-{n}"))
    assert store.verify_audit().entries == entries


def tamper(target: CaseStore | Engine, statements: list[str]) -> None:
    """Run raw SQL as a database owner would, switching the append-only triggers off first."""
    engine = target if isinstance(target, Engine) else target.engine
    with engine.begin() as connection:
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


def test_a_new_store_verifies_with_its_first_entry(store: CaseStore) -> None:
    result = store.verify_audit()
    assert result.ok and result.entries == 1
    assert store.audit_entries()[0].action == "keys.establish"


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
    """An intruder who re-MACs the last entry (even with the key) still leaves the head behind."""
    filled(store, 2)
    forged = _forged(store, 2, store.keyed)
    tamper(
        store,
        [f"UPDATE audit_log SET user_name = 'someone else', hash = '{forged}' WHERE seq = 2"],
    )
    result = store.verify_audit()
    assert not result.ok and result.first_bad_seq == 2


def _forged(store: CaseStore, seq: int, keyed: Keyed | None) -> str:
    """The hash an intruder computes for entry ``seq`` with its user changed."""
    from backchannel.store.audit import entry_hash

    with store.engine.connect() as connection:
        row = (
            connection.execute(text(f"SELECT * FROM audit_log WHERE seq = {seq}")).mappings().one()
        )
    forged = dict(row, user_name="someone else")
    fields = {k: forged[k] for k in forged if k not in ("hash", "scheme")}
    return entry_hash(keyed=keyed, **fields)


def test_an_entry_passed_off_as_a_legacy_hash_is_caught(store: CaseStore) -> None:
    """Without the key, an intruder can only compute plain hashes: those are refused."""
    filled(store, 3)
    forged = _forged(store, 3, None)
    tamper(
        store,
        [
            f"UPDATE audit_log SET user_name = 'someone else', hash = '{forged}', "
            "scheme = 'sha256' WHERE seq = 3",
            f"UPDATE audit_head SET hash = '{forged}'",
        ],
    )
    result = store.verify_audit()
    assert not result.ok and result.first_bad_seq == 3
    assert result.reason is not None and "keyed" in result.reason


def test_a_whole_chain_rewritten_with_another_key_is_caught(store: CaseStore) -> None:
    """Every entry and the head recomputed consistently, but not under the store's audit key."""
    from backchannel.store.audit import GENESIS, entry_hash

    filled(store, 4)
    intruder = Keyed(new_key())
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings().all()
    statements, previous = [], GENESIS
    for row in rows:
        fields = {k: row[k] for k in row if k not in ("hash", "scheme")}
        fields.update(prev_hash=previous, user_name="someone else")
        digest = entry_hash(keyed=intruder, **fields)
        statements.append(
            f"UPDATE audit_log SET user_name = 'someone else', prev_hash = '{previous}', "
            f"hash = '{digest}' WHERE seq = {row['seq']}"
        )
        previous = digest
    statements.append(f"UPDATE audit_head SET hash = '{previous}'")
    tamper(store, statements)
    result = store.verify_audit()
    assert not result.ok and result.first_bad_seq == 1
    assert result.reason is not None and "audit key" in result.reason


def test_concurrent_writers_keep_one_unbroken_chain(store: CaseStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def write(worker: int) -> None:
        for n in range(5):
            store.save_case(secret_case(f"w{worker}-{n}"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    result = store.verify_audit()
    assert result.ok and result.entries == 21


def test_missing_head_row_stops_appends(store: CaseStore) -> None:
    from backchannel.errors import IntegrityError

    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head"))
    with pytest.raises(IntegrityError, match="audit head row is missing"):
        store.save_case(secret_case())
    assert store.list_cases() == []
