"""Reading the audit log back, newest first, for people who review it (the console)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.db.models import AuditEntry


@dataclass(frozen=True)
class EntryView:
    """One entry as shown: what it holds is ids, actions and tags, never personal data."""

    id: int
    created_at: datetime
    action: str
    actor: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    sealed: bool


def recent(session: Session, *, limit: int, before: int | None = None) -> list[EntryView]:
    """Up to ``limit`` entries, newest first; ``before``: only entries older than that id."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return [
        EntryView(
            e.id,
            e.created_at,
            e.action,
            e.actor,
            e.object_type,
            e.object_id,
            dict(e.details or {}),
            e.seq is not None,
        )
        for e in session.scalars(query)
    ]
