"""Sealed records: nothing a case file says is readable in the database, and edits are caught.

Every example case is imported on SQLite and PostgreSQL; the raw database file (with its
WAL and SHM companions) and the ``pg_dump`` of the schema are then searched for every
name, alias, record id, location, title and free text of the case files. What may stay in
clear is what the README lists: case ids and countries, kinds, opaque ids, positions,
revisions, timestamps and user names. Then rows are edited as someone with write access
to the database would, and reading the case and ``audit verify`` must both say which
case and which record.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from backchannel.errors import IntegrityError
from backchannel.model import vocabulary
from backchannel.model.case import Case
from backchannel.settings import Settings
from backchannel.store.schema import ActorRow, CaseRow, RelationRow
from backchannel.store.service import CaseStore
from tests.store.test_store import raw_contents, secret_case

#: Shorter strings (``e1``, ``ok``) occur by chance in any binary file.
SHORTEST_NEEDLE = 5
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.+Z-]+)?$")
_VOCABULARY = {
    member.value
    for item in vars(vocabulary).values()
    if isinstance(item, type) and issubclass(item, StrEnum)
    for member in item
}


def case_texts(case: Case) -> set[str]:
    """Every name, id, location, title and free text of a case (what must not be in clear)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.add(value)

    document = case.model_dump(mode="json")
    document.pop("id")
    walk(document)
    return {
        text_
        for text_ in found
        if len(text_) >= SHORTEST_NEEDLE
        and text_ not in _VOCABULARY
        and not _ISO_DAY.match(text_)
        and text_ != case.context.country
    }


def database_dump(store: CaseStore, settings: Settings) -> str:
    """The raw SQLite files, or the PostgreSQL schema as ``pg_dump`` writes it."""
    url = store.engine.url
    if url.get_backend_name() != "postgresql" or shutil.which("pg_dump") is None:
        return raw_contents(store, settings)
    schema = re.search(r"search_path=(\w+)", str(url.query.get("options", "")))
    assert schema is not None
    address = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    dumped = subprocess.run(
        ["pg_dump", "--schema", schema.group(1), address],
        capture_output=True,
        check=True,
        text=True,
        timeout=60,
    ).stdout
    return dumped + raw_contents(store, settings)


def test_no_text_of_any_example_is_in_the_database(
    store: CaseStore, settings: Settings, example_cases: list[Case]
) -> None:
    baseline = database_dump(store, settings)  # the empty store: schema, triggers, key state
    reopened = CaseStore.open(settings)
    reopened.save_cases(example_cases)
    for case in example_cases:  # read back through every path a user takes
        reopened.get_case(case.id)
    reopened.list_cases()
    dumped = database_dump(reopened, settings)
    reopened.close()
    assert all(case.id in dumped for case in example_cases)  # the search sees what is in clear
    leaks = {
        (case.id, needle)
        for case in example_cases
        for needle in case_texts(case)
        if needle in dumped and needle not in baseline
    }
    assert leaks == set()
    assert sum(len(case_texts(c)) for c in example_cases) > 500  # the search was not empty


# --- edits made in the database, behind the program's back ----------------------------------


@pytest.fixture
def stored(store: CaseStore) -> Iterator[CaseStore]:
    store.save_case(secret_case())
    yield store


def _ref(store: CaseStore, collection: str, record_id: str) -> str:
    return store.keyed.record_ref("secret", collection, record_id)


def _problems(store: CaseStore) -> list[str]:
    return [p.describe() for p in store.verify_contents()]


def test_flipping_an_intermediarys_kind_is_caught_and_named(stored: CaseStore) -> None:
    with stored.engine.begin() as connection:
        connection.execute(
            text("UPDATE case_actors SET kind = 'armed_group' WHERE kind = 'intermediary'")
        )
    with pytest.raises(IntegrityError, match=r"'go-between'.*kind column says 'armed_group'"):
        stored.get_case("secret")
    (problem,) = _problems(stored)
    assert "case 'secret'" in problem and "go-between" in problem
    assert stored.verify_audit().ok  # the chain itself holds: the content check caught it


def test_a_deleted_record_row_is_caught(stored: CaseStore) -> None:
    with Session(stored.engine) as session, session.begin():
        row = session.get(ActorRow, ("secret", _ref(stored, "actors", "group")))
        session.delete(row)
    with pytest.raises(IntegrityError, match=r"actors #1.*missing \(deleted\)"):
        stored.get_case("secret")
    assert any("missing (deleted)" in p for p in _problems(stored))


def test_a_record_replaced_by_its_older_copy_is_caught(stored: CaseStore) -> None:
    ref = _ref(stored, "actors", "group")
    with Session(stored.engine) as session:
        older = session.get(ActorRow, ("secret", ref))
        assert older is not None
        old_sealed = dict(older.sealed)
    case = secret_case()
    renamed = case.actors[0].model_copy(update={"stance": vocabulary.Stance.OPEN})
    stored.save_case(case.model_copy(update={"actors": [renamed, *case.actors[1:]]}))
    with Session(stored.engine) as session, session.begin():
        row = session.get(ActorRow, ("secret", ref))
        assert row is not None
        row.sealed = old_sealed
    with pytest.raises(IntegrityError, match=r"'group'.*not the version the case was saved"):
        stored.get_case("secret")
    assert any("'group'" in p for p in _problems(stored))


def test_a_whole_case_rolled_back_to_an_older_version_is_caught(stored: CaseStore) -> None:
    """Case row and record rows restored together from an old backup read consistently;
    only the audit log knows they are not the last version saved."""
    tables = ("cases", "case_actors", "case_relations", "case_engagements")
    with stored.engine.connect() as connection:
        snapshot = {
            table: [dict(r) for r in connection.execute(text(f"SELECT * FROM {table}")).mappings()]
            for table in tables
        }
    case = secret_case()
    stored.save_case(case.model_copy(update={"actors": case.actors[:1]}))
    with stored.engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(text(f"DELETE FROM {table}"))
        for table in tables:
            for row in snapshot[table]:
                columns = ", ".join(row)
                values = ", ".join(f":{c}" for c in row)
                connection.execute(
                    text(f"INSERT INTO {table} ({columns}) VALUES ({values})"),
                    {k: _bind(v) for k, v in row.items()},
                )
    assert stored.get_case("secret") == case  # reads as a valid, older case
    problems = _problems(stored)
    assert any("'go-between'" in p and "inserted" in p for p in problems)


def _bind(value: Any) -> Any:
    import json

    return json.dumps(value) if isinstance(value, dict) else value


def test_a_relation_row_moved_to_another_case_fails_to_open(store: CaseStore) -> None:
    from backchannel.casefile import parse_case
    from tests.test_casefile import GOOD

    sample = parse_case(GOOD)
    store.save_cases([sample, secret_case()])
    with Session(store.engine) as session, session.begin():
        relation = session.execute(
            text("SELECT record_id FROM case_relations WHERE case_id = :c"), {"c": sample.id}
        ).first()
        assert relation is not None
        row = session.get(RelationRow, (sample.id, relation[0]))
        assert row is not None
        session.add(
            RelationRow(
                case_id="secret",
                record_id=row.record_id,
                position=0,
                kind=row.kind,
                public={},
                sealed=dict(row.sealed),
            )
        )
    with pytest.raises(IntegrityError):
        store.get_case("secret")


def test_a_case_row_without_an_audited_change_is_named(stored: CaseStore) -> None:
    with Session(stored.engine) as session, session.begin():
        original = session.get(CaseRow, "secret")
        assert original is not None
        session.add(
            CaseRow(
                id="planted",
                title="",
                layout=2,
                country="SOM",
                schema_version=1,
                revision=1,
                created_at=dt.datetime.now(dt.UTC),
                updated_at=dt.datetime.now(dt.UTC),
                updated_by="intruder",
                public={},
                sealed={},
            )
        )
    assert any("'planted'" in p and "no audited change" in p for p in _problems(stored))


# --- private files -------------------------------------------------------------------------


def test_the_data_folder_the_store_and_the_key_ring_are_private(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=None, secret_key=None, key_file=None
    )
    previous = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    try:
        store = CaseStore.open(settings)
        store.save_case(secret_case())
        database = settings.data_dir / "cases.sqlite"
        companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in companions)  # while the store is open
        modes = {
            p.name: stat.S_IMODE(p.stat().st_mode)
            for p in (database, *companions, settings.resolved_key_file)
        }
        store.close()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    assert modes == dict.fromkeys(modes, 0o600)


def test_an_existing_open_data_folder_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    (folder / "cases.sqlite").touch(mode=0o644)
    os.chmod(folder, 0o755)
    os.chmod(folder / "cases.sqlite", 0o644)
    settings = Settings(data_dir=folder, database_url=None, secret_key=None, key_file=None)
    CaseStore.open(settings).close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "cases.sqlite").stat().st_mode) == 0o600


def test_a_case_stored_field_by_field_with_a_naive_time_opens_and_is_resealed(
    store: CaseStore, settings: Settings
) -> None:
    """Older releases stored records field by field and accepted a time without a zone."""
    import json

    from backchannel.casefile import parse_case
    from tests.store.legacy_rows import write_legacy_case
    from tests.test_casefile import GOOD

    case = parse_case(GOOD)
    with store.engine.begin() as connection:
        write_legacy_case(connection, store.cipher, case)
        (public,) = connection.execute(text("SELECT public FROM case_judgements")).one()
        naive = json.loads(public) if isinstance(public, str) else public
        naive["at"] = naive["at"].split("+")[0].rstrip("Z")
        connection.execute(text("UPDATE case_judgements SET public = :p"), {"p": json.dumps(naive)})
    store.close()
    reopened = CaseStore.open(settings)
    try:
        stored = reopened.get_case(case.id)
        assert stored.judgements[0].at == case.judgements[0].at.astimezone(dt.UTC)
        assert reopened.audit_entries()[-1].action == "case.reseal"
        assert reopened.verify_contents() == []
    finally:
        reopened.close()
