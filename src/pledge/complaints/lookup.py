"""Finding one complaint, and the clock every function reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.db.base import utcnow
from pledge.db.models import Complaint
from pledge.errors import NotFound


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def load(session: Session, complaint_id: str, *, lock: bool = False) -> Complaint:
    """The complaint, or 404 (the same for an id that is malformed or unknown)."""
    query = select(Complaint).where(Complaint.id == complaint_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound("no such complaint")
    return row
