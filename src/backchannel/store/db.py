"""Engines, dialect differences and schema migrations, in one place.

Callers get an engine from ``connect`` (which brings the schema to the newest Alembic
revision) and own their transactions; nothing here commits on anyone's behalf.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from backchannel.errors import ConfigurationError
from backchannel.store.files import private_dir, private_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"
#: The execution option that marks an engine's transactions as reads only (see below).
READ_ONLY = "backchannel_read_only"


def normalise_url(url: str) -> str:
    """Pick the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings each dialect needs; no schema changes."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise ConfigurationError(
            f"BACKCHANNEL_DATABASE_URL {url!r} is not a database URL"
        ) from None
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            database = Path(parsed.database)
            if not database.parent.exists():
                private_dir(database.parent)
            private_sqlite(database)
        options["connect_args"] = {"timeout": 30}
    elif parsed.get_backend_name() == "postgresql":
        options["pool_pre_ping"] = True
    engine = create_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN; take control so that a write
    # transaction locks the file at its start and foreign keys are enforced.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # freed pages are zeroed, so text overwritten or deleted (a case re-sealed, an old
    # layout rewritten) does not linger in the file
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A transaction that may write takes the write lock at its start (BEGIN IMMEDIATE), so
    # that two read-then-write transactions never deadlock or act on a stale read. Reads
    # (an engine with ``READ_ONLY`` set) begin deferred: under WAL they run beside the
    # writer on a snapshot instead of queueing behind it.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise ConfigurationError(
            f"cannot reach the case store at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}"
        ) from None


def connect(url: str) -> Engine:
    """An engine for ``url`` whose schema is at the newest revision."""
    engine = make_engine(url)
    migrate(engine)
    return engine
