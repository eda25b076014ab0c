"""Alembic environment: runs on the connection the caller passes in ``attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from backchannel.store.schema import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # the alembic command line, with sqlalchemy.url set in the config
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
