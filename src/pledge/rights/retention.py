"""How long the record of a request is kept: 24 months after it closed, then it goes.

The issue asks that every request, its timeline and the basis of any denial
be kept 24 months (CCPA regulations § 7101 ask the same of request records),
as proof that each right was answered; keeping them longer would be keeping
data with no purpose. The daily task deletes what has passed that age:

- requests closed (completed, denied, referred) more than 24 months ago;
- requests that never got going (codes never confirmed, or locked after five
  wrong ones) received more than 24 months ago;

with their timelines and recipient notices. A request whose restriction or
objection is still in force is kept: it is the basis of that limit, and the
way to lift it; so is every request of a person under a legal hold
(:mod:`pledge.rights.holds`). Hashed marketing suppressions stay (they keep the person off
mailing lists), and so does the audit chain, which holds ids only. Requests
go :data:`CHUNK` per transaction, each batch with one audit entry, with counts
only (no ids of the requests deleted, which would be a copy of what is meant
to go).

The same pass ends the request pages' browser sessions that have expired, and
drops the package snapshots whose download period
(``PLEDGE_PACKAGE_DAYS``) has ended, with an entry ``rights.packages_expired``
(a count) when there were any: a download after that answers 410 anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import (
    LegalHold,
    RecipientNotice,
    RequestEvent,
    RequestPageSession,
    RightsRequest,
    SubjectRestriction,
)
from pledge.policy.durations import add_months
from pledge.rights.holds import held_subject_ids
from pledge.rights.lifecycle import now_or
from pledge.rights.states import LOCKED, PENDING_VERIFICATION

KEEP_MONTHS = 24
CHUNK = 500


@dataclass(frozen=True)
class Expired:
    """What one pass deleted, and how many old requests it kept for a limit in force."""

    requests: int = 0
    events: int = 0
    notices: int = 0
    kept_in_force: int = 0
    kept_on_hold: int = 0


def _past_keeping(cutoff: datetime) -> ColumnElement[bool]:
    return or_(
        and_(RightsRequest.closed_at.is_not(None), RightsRequest.closed_at < cutoff),
        and_(
            RightsRequest.closed_at.is_(None),
            RightsRequest.status.in_((PENDING_VERIFICATION, LOCKED)),
            RightsRequest.received_at < cutoff,
        ),
    )


def _in_force() -> ColumnElement[bool]:
    return exists().where(
        SubjectRestriction.request_id == RightsRequest.id, SubjectRestriction.lifted_at.is_(None)
    )


def _on_hold(session: Session) -> ColumnElement[bool] | None:
    """Requests of a person under a legal hold: kept with everything else of theirs."""
    held = held_subject_ids(session)
    indexes = list(
        session.scalars(select(LegalHold.email_index).where(LegalHold.released_at.is_(None)))
    )
    if not held and not indexes:
        return None
    return or_(RightsRequest.subject_id.in_(held), RightsRequest.email_index.in_(indexes))


def _expiring(cutoff: datetime, hold: ColumnElement[bool] | None) -> ColumnElement[bool]:
    kept = _in_force() if hold is None else or_(_in_force(), hold)
    return and_(_past_keeping(cutoff), ~kept)


def count_expiring(pledge: Pledge, *, now: datetime | None = None) -> int:
    """How many request records a pass at ``now`` would delete (for a dry run)."""
    cutoff = add_months(now_or(now), -KEEP_MONTHS)
    with pledge.sessions() as session:
        query = select(func.count()).select_from(RightsRequest)
        found = session.scalar(query.where(_expiring(cutoff, _on_hold(session))))
    return int(found or 0)


def expire_requests(pledge: Pledge, *, now: datetime | None = None, batch: int = CHUNK) -> Expired:
    """Delete request records past 24 months, ``batch`` requests per transaction.

    Each transaction deletes one batch and writes its audit entry (counts only),
    so no lock is held for long however many requests fall due at once.
    """
    cutoff = add_months(now_or(now), -KEEP_MONTHS)
    with pledge.transaction() as session:
        _drop_expired_packages(session, now_or(now))
        session.execute(
            delete(RequestPageSession).where(RequestPageSession.expires_at <= now_or(now))
        )
        kept = _kept(session, cutoff, _on_hold(session))
    totals = {"requests": 0, "events": 0, "notices": 0}
    while True:
        with pledge.transaction() as session:
            query = select(RightsRequest.id).where(_expiring(cutoff, _on_hold(session)))
            ids = list(session.scalars(query.limit(batch)))
            if not ids:
                break
            counts = _delete(session, ids)
            _audit(session, {**counts, **kept}, cutoff)
            totals = {key: totals[key] + counts[key] for key in totals}
    return Expired(**totals, **kept)


def _kept(session: Session, cutoff: datetime, hold: ColumnElement[bool] | None) -> dict[str, int]:
    """Old requests kept for a limit in force, and those kept for a legal hold."""
    query = select(func.count()).select_from(RightsRequest).where(_past_keeping(cutoff))
    in_force = int(session.scalar(query.where(_in_force())) or 0)
    on_hold = 0 if hold is None else int(session.scalar(query.where(hold, ~_in_force())) or 0)
    return {"kept_in_force": in_force, "kept_on_hold": on_hold}


def _audit(session: Session, counts: dict[str, int], cutoff: datetime) -> None:
    audit.append(
        session,
        action="rights.requests_expired",
        actor="system",
        object_type="rights_requests",
        object_id="retention",
        details={**counts, "closed_before": cutoff.isoformat()},
    )


def _drop_expired_packages(session: Session, now: datetime) -> int:
    """Forget the package snapshots no longer downloadable; one audit entry with the count."""
    done = session.execute(
        update(RightsRequest)
        .where(
            RightsRequest.package_ciphertext.is_not(None),
            RightsRequest.package_expires_at <= now,
        )
        .values(package_ciphertext=None)
        .execution_options(synchronize_session=False)
    )
    dropped = int(done.rowcount or 0)  # type: ignore[attr-defined]
    if dropped:
        audit.append(
            session,
            action="rights.packages_expired",
            actor="system",
            object_type="rights_requests",
            object_id="retention",
            details={"packages": dropped},
        )
    return dropped


def _delete(session: Session, ids: list[str]) -> dict[str, int]:
    """Children first (SQLite may run without foreign keys), in chunks of :data:`CHUNK`."""
    counts = {"requests": 0, "events": 0, "notices": 0}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(delete(RequestPageSession).where(RequestPageSession.request_id.in_(chunk)))
        for key, table, column in (
            ("events", RequestEvent, RequestEvent.request_id),
            ("notices", RecipientNotice, RecipientNotice.request_id),
            ("requests", RightsRequest, RightsRequest.id),
        ):
            done = session.execute(delete(table).where(column.in_(chunk)))
            counts[key] += int(done.rowcount or 0)  # type: ignore[attr-defined]
    return counts


__all__ = ["KEEP_MONTHS", "Expired", "count_expiring", "expire_requests"]
