"""Removing complaints whose retention has ended (``pledge retention run``).

A closed complaint (answered or escalated) is kept for the policy's
``complaints.retention``, counted from its closing; an open one is kept until
it is closed. A complaint from the web whose code never came back was never
confirmed by the mailbox it names: it is removed :data:`UNCONFIRMED_KEPT` after
receipt. A legal hold on the person (by their e-mail's blind index) keeps all
of theirs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import takewhile

from sqlalchemy import ColumnElement, delete, select

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import Complaint, LegalHold
from pledge.policy.durations import Duration, add_duration, parse_iso_duration

UNCONFIRMED_KEPT = timedelta(days=30)
BATCH = 500


def _not_held() -> ColumnElement[bool]:
    held = select(LegalHold.email_index).where(LegalHold.released_at.is_(None))
    return Complaint.email_index.not_in(held)


def expired_ids(pledge: Pledge, as_of: datetime) -> list[str]:
    """The complaints due for removal on ``as_of`` (at most two batches)."""
    kept = parse_iso_duration(pledge.policy.complaints.retention.duration or "P0D")
    with pledge.sessions() as session:
        unconfirmed = session.scalars(
            select(Complaint.id)
            .where(Complaint.verified_at.is_(None))
            .where(Complaint.received_at <= as_of - UNCONFIRMED_KEPT)
            .where(_not_held())
            .order_by(Complaint.id)
            .limit(BATCH)
        )
        closed = session.execute(
            select(Complaint.id, Complaint.closed_at)
            .where(Complaint.closed_at.is_not(None))
            .where(Complaint.closed_at <= as_of - _shortest(kept))
            .where(_not_held())
            .order_by(Complaint.closed_at, Complaint.id)
            .limit(BATCH)
        )
        ended = takewhile(lambda item: _ended(item[1], kept, as_of), closed)
        return sorted({*unconfirmed, *(item[0] for item in ended)})


def _ended(closed_at: datetime | None, kept: Duration, as_of: datetime) -> bool:
    return closed_at is not None and add_duration(closed_at, kept) <= as_of


def _shortest(kept: Duration) -> timedelta:
    """No retention of ``kept`` is shorter than this (a month has at least 28 days)."""
    return timedelta(days=kept.years * 365 + kept.months * 28) + kept.exact()


def purge(pledge: Pledge, as_of: datetime, *, actor: str = "retention") -> int:
    """Remove every complaint whose retention ended by ``as_of``; how many went."""
    removed = 0
    while ids := expired_ids(pledge, as_of):
        with pledge.transaction() as session:
            session.execute(delete(Complaint).where(Complaint.id.in_(ids)))
            audit.append(
                session,
                action="complaint.removed",
                actor=actor,
                object_type="complaint",
                object_id="*",
                details={"ids": ids},
            )
        removed += len(ids)
    return removed
