"""A processor that accepted an action (202) and never called back is not waited for forever.

Why: the request stays ``awaiting_systems`` while a task waits for its
callback, and its delivery already reads "sent", so nothing else would ever
look at it again. After :data:`WAIT_LIMIT` the task fails, on the request's
timeline, for staff to follow up with the processor (the request is never
reported complete on its own).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import ConnectorTask
from pledge.rights.connected.channel import note_failure

WAIT_LIMIT = timedelta(hours=72)


def give_up_waiting(pledge: Pledge, *, now: datetime | None = None) -> int:
    """Fail tasks that have waited for a callback longer than the limit; how many."""
    now = now or utcnow()
    with pledge.transaction() as session:
        stale = session.scalars(
            select(ConnectorTask)
            .where(ConnectorTask.status == "waiting", ConnectorTask.created_at < now - WAIT_LIMIT)
            .with_for_update(skip_locked=True)
        ).all()
        for task in stale:
            task.status, task.last_error = "failed", "no_callback"
            task.identities_ciphertext = None
            note_failure(session, task, "no_callback", now)
    return len(stale)


__all__ = ["WAIT_LIMIT", "give_up_waiting"]
