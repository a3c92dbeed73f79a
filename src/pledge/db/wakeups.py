"""Work a transaction makes due, announced to the job runners only once it commits.

Why through the session: a job woken before the commit would not see the row
it was woken for, and a rolled-back transaction must wake nobody. The code
that queues the work (a mail, a webhook delivery) marks the session with
:func:`wake_after_commit`; :meth:`pledge.core.Pledge.transaction` reads the
marks after a successful commit and tells its listeners. Services never import
a job runner, and none of them has to remember to wake one by hand.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

_KEY = "pledge.wake"


class Work(StrEnum):
    """The kinds of background work a commit can make due now rather than at the next tick."""

    DELIVERY = "delivery"
    """Mail was queued for sending."""
    SYSTEMS = "systems"
    """A request's task in a connected system was queued (run at once by the process that
    queued it; a worker takes what that left, on a queue of its own)."""
    WEBHOOK = "webhook"
    """A webhook was queued for sending: a Client's delivery, a recipient notice. Apart
    from mail, so that mail and the audit seal never wait behind a slow receiver."""


def wake_after_commit(session: Session, work: Work) -> None:
    """Ask for ``work`` to start as soon as this session's transaction commits."""
    session.info.setdefault(_KEY, set()).add(work)


def take_wakeups(session: Session) -> frozenset[Work]:
    """The work marked on ``session``, cleared so it is announced once."""
    marked: set[Work] = session.info.pop(_KEY, set())
    return frozenset(marked)
