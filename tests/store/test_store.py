"""The case store on SQLite and PostgreSQL: round trips, atomicity, encryption at rest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from backchannel.casefile import dump_case, parse_case
from backchannel.errors import EncryptionKeyError, IntegrityError, NotFoundError
from backchannel.model import Actor, ActorKind, Case, Context, Engagement, Period
from backchannel.model.vocabulary import Channel
from backchannel.settings import Settings
from backchannel.store.crypto import KeyRing
from backchannel.store.schema import ActorRow, AuditRow, Base, CaseRow
from backchannel.store.service import CaseStore
from tests.test_casefile import GOOD

SECRET_SENTENCE = "The elders will carry the message to the commander at the river crossing."
SECRET_NAME = "Ahmed the go-between of Baidoa"


def secret_case(case_id: str = "secret") -> Case:
    """A small case whose sensitive fields hold sentences that must never be stored in clear."""
    return Case(
        id=case_id,
        context=Context(
            title="Discretion test", country="SOM", period=Period(start=dt.date(2011, 7, 1))
        ),
        actors=[
            Actor(
                id="group", name="Armed group", kind=ActorKind.ARMED_GROUP, notes=SECRET_SENTENCE
            ),
            Actor(
                id="go-between",
                name=SECRET_NAME,
                aliases=["the tailor"],
                kind=ActorKind.INTERMEDIARY,
            ),
        ],
        engagements=[
            Engagement(
                id="e1",
                date=dt.date(2011, 7, 20),
                channel=Channel.THROUGH_INTERMEDIARY,
                counterparts=["group"],
                participants=["Field coordinator Nuur"],
                summary=SECRET_SENTENCE,
            )
        ],
    )


def raw_contents(store: CaseStore, settings: Settings) -> str:
    """Everything the database holds, as the raw bytes or row text an intruder would read."""
    if store.engine.dialect.name == "sqlite":
        store.close()  # checkpoint the write-ahead log into the file
        database = Path(store.engine.url.database or "")
        parts = [p.read_bytes() for p in database.parent.glob(database.name + "*")]
        return b"".join(parts).decode("latin-1")
    chunks = []
    with store.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for (row,) in connection.execute(text(f'SELECT t::text FROM "{table}" t')):
                chunks.append(row)
    return "\n".join(chunks)


def table_snapshot(store: CaseStore) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for before/after comparisons."""
    snapshot: dict[str, list[tuple[object, ...]]] = {}
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            snapshot[table.name] = [tuple(map(str, row)) for row in rows]
    return snapshot


def test_case_round_trips_through_the_store(store: CaseStore) -> None:
    case = parse_case(GOOD)
    store.save_case(case)
    assert store.get_case(case.id) == case
    assert parse_case(dump_case(store.get_case(case.id))) == case


def test_examples_round_trip_losslessly(store: CaseStore, example_cases: list[Case]) -> None:
    store.save_cases(example_cases)
    for case in example_cases:
        stored = store.get_case(case.id)
        assert stored == case
        assert dump_case(stored) == dump_case(case)


def test_resaving_records_the_change_and_bumps_the_revision(store: CaseStore) -> None:
    case = secret_case()
    first = store.save_case(case)
    assert first.added["actors"] == ["group", "go-between"]
    unchanged = store.save_case(case)
    assert unchanged.empty
    edited = case.model_copy(update={"actors": case.actors[:1]})
    change = store.save_case(edited)
    assert change.removed == {"actors": ["go-between"]}
    summary = store.list_cases()[0]
    assert (summary.revision, summary.counts["actors"]) == (2, 1)


def test_missing_case_is_not_found(store: CaseStore) -> None:
    with pytest.raises(NotFoundError, match="no case with id 'nope'"):
        store.get_case("nope")


def test_nothing_of_a_case_is_stored_in_clear(store: CaseStore, settings: Settings) -> None:
    store.save_case(secret_case())
    raw = raw_contents(store, settings)
    assert "secret" in raw  # the search does see what stays in clear: the case id
    for text_in_case in (
        SECRET_SENTENCE,
        SECRET_NAME,
        "the tailor",
        "Field coordinator Nuur",
        "Discretion test",
        "go-between",
        "Armed group",
    ):
        assert text_in_case not in raw


def test_sealed_value_moved_to_another_row_fails_authentication(store: CaseStore) -> None:
    store.save_case(secret_case())
    refs = store.keyed
    with Session(store.engine) as session, session.begin():
        group = session.get(ActorRow, ("secret", refs.record_ref("secret", "actors", "group")))
        other = session.get(ActorRow, ("secret", refs.record_ref("secret", "actors", "go-between")))
        assert group is not None and other is not None
        other.sealed = dict(group.sealed)
    with pytest.raises(IntegrityError, match="failed authentication"):
        store.get_case("secret")


def test_a_different_key_cannot_open_the_store(store: CaseStore) -> None:
    store.save_case(secret_case())
    intruder = CaseStore(store.engine, KeyRing.fresh(), "intruder")
    with pytest.raises(EncryptionKeyError, match="not in the key ring"):
        intruder.get_case("secret")


def test_failed_import_leaves_the_store_exactly_as_it_was(store: CaseStore) -> None:
    store.save_case(secret_case())
    before = table_snapshot(store)

    # A database failure in the middle of writing the second case of a batch.
    inserted = {"actors": 0}

    def fail_on_third_actor(session: Session, _flush: object, _instances: object) -> None:
        for obj in session.new:
            if isinstance(obj, ActorRow):
                inserted["actors"] += 1
                if inserted["actors"] >= 3:
                    raise RuntimeError("disk full")

    event.listen(Session, "before_flush", fail_on_third_actor)
    try:
        replacement = secret_case().model_copy(update={"actors": secret_case().actors[:1]})
        with pytest.raises(RuntimeError, match="disk full"):
            store.save_cases([replacement, parse_case(GOOD)])
    finally:
        event.remove(Session, "before_flush", fail_on_third_actor)
    assert inserted["actors"] >= 3
    assert table_snapshot(store) == before
    assert store.verify_audit().ok


def test_every_change_is_audited_with_digests(store: CaseStore) -> None:
    store.save_case(secret_case())
    store.save_case(parse_case(GOOD))
    store.delete_case("sample")
    with Session(store.engine) as session:
        entries = session.execute(select(AuditRow).order_by(AuditRow.seq)).scalars().all()
    assert [(e.action, e.case_id, e.user_name) for e in entries[1:]] == [
        ("case.import", "secret", "tester"),
        ("case.import", "sample", "tester"),
        ("case.delete", "sample", "tester"),
    ]
    entries = entries[1:]  # the first is the store's own key entry
    assert entries[0].before_digest is None and entries[0].after_digest
    assert entries[2].before_digest == entries[1].after_digest
    assert entries[2].after_digest is None
    assert store.verify_audit().entries == 4


def test_migrations_match_the_model(store: CaseStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_rows_hold_one_sealed_value_and_an_opaque_id(store: CaseStore) -> None:
    store.save_case(secret_case())
    ref = store.keyed.record_ref("secret", "actors", "go-between")
    with Session(store.engine) as session:
        row = session.get(ActorRow, ("secret", ref))
        case_row = session.get(CaseRow, "secret")
    assert row is not None and case_row is not None
    assert row.public == {} and set(row.sealed) == {"record"}
    assert row.kind == "intermediary" and len(row.record_id) == 64
    assert case_row.title == "" and case_row.public == {} and set(case_row.sealed) == {"case"}


def test_judgements_are_append_only(store: CaseStore) -> None:
    from backchannel.errors import InvalidInputError
    from backchannel.model import Judgement

    case = parse_case(GOOD)
    store.save_case(case)
    revision = store.list_cases()[0].revision
    original = case.judgements[0]
    later = Judgement(
        id="j2",
        analyst=original.analyst,
        at=original.at + dt.timedelta(days=30),
        subject=original.subject,
        finding="command restored after the split",
    )
    store.save_case(case.model_copy(update={"judgements": [original, later]}))
    assert [j.id for j in store.get_case(case.id).judgements] == ["j1", "j2"]
    edited = original.model_copy(update={"finding": "rewritten afterwards"})
    for judgements, verb in (([edited, later], "changed"), ([later], "removed")):
        with pytest.raises(InvalidInputError, match=f"'j1' is already stored.*may not be {verb}"):
            store.save_case(case.model_copy(update={"judgements": judgements}))
    # Nothing was half-written: the stored case still has both judgements, unaltered.
    stored = store.get_case(case.id)
    assert stored.judgements == [original, later]
    assert store.list_cases()[0].revision == revision + 1
    assert store.verify_audit().ok
