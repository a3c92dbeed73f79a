"""Alembic environment: runs against the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from pledge.db import models  # noqa: F401  (registers every table)
from pledge.db.base import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    if connection.dialect.name == "postgresql":
        # Several processes (serve, workers) may start at once: one migrates, the others wait.
        connection.execute(text("SELECT pg_advisory_xact_lock(7355608)"))
    with context.begin_transaction():
        context.run_migrations()
