"""Deleting conversations whose Client-instructed retention has passed."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import delete, select

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Conversation

BATCH = 1000


def expire_conversations(pledge: Pledge, *, now: datetime | None = None) -> int:
    """Delete every expired conversation, in batches; returns how many."""
    now = now or utcnow()
    total = 0
    while (deleted := _expire_batch(pledge, now)) > 0:
        total += deleted
    return total


def _expire_batch(pledge: Pledge, now: datetime) -> int:
    """One batch, one transaction, one audit entry per Client with its count."""
    with pledge.transaction() as session:
        expired = session.execute(
            select(Conversation.id, Conversation.client_id)
            .where(Conversation.retain_until <= now)
            .limit(BATCH)
        ).all()
        if not expired:
            return 0
        session.execute(
            delete(Conversation).where(Conversation.id.in_([row[0] for row in expired]))
        )
        for client_id, count in Counter(row[1] for row in expired).items():
            audit.append(
                session,
                action="service.retention_expired",
                actor="system",
                object_type="client",
                object_id=client_id,
                details={"conversations_deleted": count},
            )
    return len(expired)
