"""Giving a dead delivery another chance, by hand.

Why by hand only: a delivery goes dead when its receiver refused it for good
or its attempts ran out, and either way somebody should look before it is
tried again (fix the address, the endpoint, the SMTP settings). Revived, it
starts a fresh attempt budget now, and its kind's callback hears that it is
pending again, so a notice shows ``queued`` and a Client's delivery ``pending``.
"""

from __future__ import annotations

from sqlalchemy import update

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Delivery
from pledge.db.wakeups import wake_after_commit
from pledge.delivery.channel import OnOutcome
from pledge.delivery.kinds import Status
from pledge.delivery.outcome import Finished
from pledge.delivery.queue import work_of
from pledge.errors import Conflict, NotFound


def revive(
    pledge: Pledge, delivery_id: str, *, actor: str, on_outcome: OnOutcome | None = None
) -> None:
    """Move a dead delivery back to pending; NotFound or Conflict (not dead, no content)."""
    now = utcnow()
    with pledge.transaction() as session:
        row = session.get(Delivery, delivery_id)
        if row is None:
            raise NotFound("no such delivery")
        if row.status != Status.DEAD or row.payload is None:
            raise Conflict(
                "only a dead delivery that still holds its content can be retried",
                fields={"status": row.status},
            )
        attempts_used = row.attempts
        revived = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == Status.DEAD)
            .values(status=Status.PENDING, attempts=0, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(revived, "rowcount", 0) != 1:
            raise Conflict("the delivery was retried meanwhile", fields={"status": "pending"})
        audit.append(
            session,
            action="delivery.retried",
            actor=actor,
            object_type="outbox",
            object_id=delivery_id,
            details={"kind": row.kind, "template": row.template, "attempts": attempts_used},
        )
        if on_outcome is not None:
            finished = Finished(
                id=row.id,
                kind=row.kind,
                target=row.target,
                template=row.template,
                status=Status.PENDING,
                attempts=0,
                at=now,
                next_attempt_at=now,
            )
            on_outcome(session, finished)
        wake_after_commit(session, work_of(row.kind))
