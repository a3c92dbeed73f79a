"""A request's work in the company's other systems: one task per system, and what access found.

Why a table of its own: a request reaches each connected system through the
delivery engine (a system that is down is retried with back-off, never done
twice by two workers), and fulfilment waits until every system's task is done.
The task keeps what staff and the person's proof need (counts, collections,
the reasons fields were kept), never a value; rows an access request found
are kept apart, sealed like the package they become part of.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, utcnow


class ConnectorTask(Base):
    """One request's action in one connected system; its id is its delivery's."""

    __tablename__ = "connector_tasks"
    __table_args__ = (UniqueConstraint("request_id", "system_id", "action"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("rights_requests.id", ondelete="CASCADE"), index=True
    )
    system_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    """export, erase, rectify or restrict."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending (queued or retrying), waiting (a processor answers later), done, failed."""
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """:meth:`pledge.connectors.base.SystemReport.as_dict`: counts and names only."""
    identities_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """While a processor finishes an action later (202): the identities it was given, sealed
    like the task's payload, so that its callback can be checked by a re-read; then dropped."""
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    """An exception class or a reply code, never a value."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ConnectedRows(Base):
    """A chunk of the rows an access request found in one system, sealed for the package."""

    __tablename__ = "connected_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(
        ForeignKey("connector_tasks.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """JSON list of rows (collection, key, by category), sealed with the person's key
    (the system key when Pledge holds nothing of them), bound to the task and chunk."""
