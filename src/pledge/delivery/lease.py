"""Claiming a due delivery under a lease, and recording its outcome only under that lease.

A claim is a short transaction: pick the most overdue pending delivery of a
kind whose lease is free (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
concurrent workers pass over each other's rows), then take it with a
compare-and-set ``UPDATE`` that also counts the attempt and writes a fresh
token. The compare-and-set is what makes the claim safe on SQLite too, where
``FOR UPDATE`` does not exist. Sending happens with no transaction open.
Recording is another compare-and-set on the token: a worker whose lease ran
out and was taken over, or whose delivery was cancelled meanwhile, records
nothing. A worker that dies mid-send leaves the lease to run out, and the
delivery is claimed again: at least once, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select, update

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import Delivery
from pledge.delivery.backoff import retry_delay
from pledge.delivery.channel import Channel, Claimed
from pledge.delivery.circuits import CircuitPolicy, closed_now, note
from pledge.delivery.kinds import RetryPolicy, Status
from pledge.delivery.outcome import Finished, Outcome, Result
from pledge.delivery.sealing import PayloadKey

log = logging.getLogger(__name__)

CLAIM_TRIES = 3
"""Compare-and-set races lost in a row before a claim gives up until the next pass."""


def claim(
    pledge: Pledge,
    kind: str,
    *,
    lease: timedelta,
    max_attempts: int,
    skip_targets: Collection[str] = (),
    only: Collection[str] | None = None,
) -> tuple[Claimed, bytes | None] | None:
    """Lease the most overdue delivery of ``kind``; returns it with its encrypted payload.

    ``only`` limits the choice to those delivery ids (a request's own work, run
    at once by the process that queued it); the lease rules are the same.

    A delivery whose attempts are already used up (its worker died during the
    last one) is claimed as ``exhausted``, for the caller to bury without sending.
    """
    for _ in range(CLAIM_TRIES):
        now = utcnow()
        with pledge.transaction() as session:
            row = session.execute(
                select(
                    Delivery.id,
                    Delivery.target,
                    Delivery.template,
                    Delivery.attempts,
                    Delivery.payload,
                    Delivery.payload_key,
                    Delivery.subject_id,
                    Delivery.lease_until,
                )
                .where(_due(kind, now, skip_targets), *_only(only))
                .order_by(Delivery.next_attempt_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            token = new_id()
            taken = session.execute(
                update(Delivery)
                .where(Delivery.id == row.id, _due(kind, now, ()))
                .values(
                    lease_token=token,
                    lease_until=now + lease,
                    attempts=case(
                        (Delivery.attempts < max_attempts, Delivery.attempts + 1),
                        else_=Delivery.attempts,
                    ),
                    last_attempt_at=now,
                )
            )
            if getattr(taken, "rowcount", 0) == 1:
                # Used up only when the last claim never recorded an outcome (its
                # lease is still on the row): a budget lowered by the operator, or
                # attempts counted before the engine existed, still get one try.
                exhausted = row.attempts >= max_attempts and row.lease_until is not None
                attempts = row.attempts if exhausted else row.attempts + 1
                sealed_for = row.subject_id if row.payload_key == PayloadKey.SUBJECT else None
                claimed = Claimed(
                    row.id, kind, row.target, row.template, attempts, token, exhausted, sealed_for
                )
                return claimed, row.payload
    return None


def _only(ids: Collection[str] | None) -> list[ColumnElement[bool]]:
    return [] if ids is None else [Delivery.id.in_(list(ids))]


def _due(kind: str, now: datetime, skip_targets: Collection[str]) -> ColumnElement[bool]:
    condition = and_(
        Delivery.kind == kind,
        Delivery.status == Status.PENDING,
        Delivery.next_attempt_at <= now,
        or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now),
        closed_now(now),  # a target resting after repeated failures is passed over
    )
    if skip_targets:
        skipped = or_(Delivery.target.is_(None), Delivery.target.not_in(list(skip_targets)))
        condition = and_(condition, skipped)
    return condition


def record(
    pledge: Pledge,
    channel: Channel[Any],
    claimed: Claimed,
    outcome: Outcome,
    retry: RetryPolicy,
) -> Finished | None:
    """Write the outcome and tell the kind's callback, unless the lease is no longer ours."""
    now = utcnow()
    status, next_at = _next_state(outcome, claimed.attempts, retry, now)
    values: dict[str, Any] = {
        "status": status,
        "next_attempt_at": next_at,
        "lease_until": None,
        "lease_token": None,
        "last_error": outcome.error,
    }
    if status == Status.SENT:
        values["sent_at"] = now
        values["payload"] = (
            case((Delivery.payload_key == PayloadKey.SUBJECT.value, Delivery.payload), else_=None)
            if channel.keep_sent_payload
            else None
        )
    with pledge.transaction() as session:
        written = session.execute(
            update(Delivery)
            .where(
                Delivery.id == claimed.id,
                Delivery.status == Status.PENDING,
                Delivery.lease_token == claimed.lease_token,
            )
            .values(**values)
        )
        if getattr(written, "rowcount", 0) != 1:
            log.warning("delivery %s: lease lost before the outcome was saved", claimed.id)
            return None
        finished = Finished(
            id=claimed.id,
            kind=claimed.kind,
            target=claimed.target,
            template=claimed.template,
            status=status,
            attempts=claimed.attempts,
            at=now,
            next_attempt_at=next_at,
            code=outcome.code,
            error=outcome.error,
        )
        _audit(session, channel, finished)
        if channel.on_outcome is not None:
            channel.on_outcome(session, finished)
        if claimed.target is not None:
            policy = CircuitPolicy.from_settings(pledge.settings)
            note(session, claimed.kind, claimed.target, outcome, policy, now)
    return finished


def _next_state(
    outcome: Outcome, attempts: int, retry: RetryPolicy, now: datetime
) -> tuple[Status, datetime]:
    if outcome.result is Result.SENT:
        return Status.SENT, now
    if outcome.result is Result.DEAD or attempts >= retry.max_attempts:
        return Status.DEAD, now
    return Status.PENDING, now + retry_delay(attempts, retry)


def _audit(session: Any, channel: Channel[Any], finished: Finished) -> None:
    names = channel.audit
    if names is None or finished.status == Status.PENDING:
        return
    details: dict[str, Any] = {"template": finished.template, "attempts": finished.attempts}
    if names.target_detail and finished.target:
        details[names.target_detail] = finished.target
    audit.append(
        session,
        action=names.sent if finished.status == Status.SENT else names.dead,
        actor="system",
        object_type=names.object_type,
        object_id=finished.id,
        details=details,
    )
