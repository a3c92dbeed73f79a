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
way to lift it. Hashed marketing suppressions stay (they keep the person off
mailing lists), and so does the audit chain, which holds ids only. A pass that
deletes anything writes one audit entry, with counts only (no ids of the
requests deleted, which would be a copy of what is meant to go).

The same pass ends the request pages' browser sessions that have expired, and
drops the package snapshots whose download period
(``PLEDGE_PACKAGE_DAYS``) has ended, with an entry ``rights.packages_expired``
(a count) when there were any: a download after that answers 410 anyway.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import (
    RecipientNotice,
    RequestEvent,
    RequestPageSession,
    RightsRequest,
    SubjectRestriction,
)
from pledge.policy.durations import add_months
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


def expire_requests(pledge: Pledge, *, now: datetime | None = None) -> Expired:
    """Delete request records past 24 months, in one transaction with their audit entry."""
    cutoff = add_months(now_or(now), -KEEP_MONTHS)
    with pledge.transaction() as session:
        ids = list(
            session.scalars(select(RightsRequest.id).where(_past_keeping(cutoff), ~_in_force()))
        )
        kept = session.scalar(
            select(func.count())
            .select_from(RightsRequest)
            .where(_past_keeping(cutoff), _in_force())
        )
        _drop_expired_packages(session, now_or(now))
        session.execute(
            delete(RequestPageSession).where(RequestPageSession.expires_at <= now_or(now))
        )
        counts = _delete(session, ids)
        result = Expired(**counts, kept_in_force=int(kept or 0))
        if result.requests:
            audit.append(
                session,
                action="rights.requests_expired",
                actor="system",
                object_type="rights_requests",
                object_id="retention",
                details={**asdict(result), "closed_before": cutoff.isoformat()},
            )
    return result


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


__all__ = ["KEEP_MONTHS", "Expired", "expire_requests"]
