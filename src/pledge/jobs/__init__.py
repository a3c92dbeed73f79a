"""Background jobs: plain task functions, run in-process (SQLite) or by procrastinate.

Services never call into this package. Code that queues work marks its
transaction (:func:`pledge.db.wakeups.wake_after_commit`); after the commit
the :class:`~pledge.core.Pledge` tells its listeners, and :func:`connect_jobs`
makes one of them bring the work forward here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pledge.db.wakeups import Work
from pledge.delivery import DeliveryReport
from pledge.jobs.delivery import deliver, deliver_outbox, retry_delivery
from pledge.jobs.tasks import PERIODIC_TASKS, PeriodicTask, error_name, seal_audit

if TYPE_CHECKING:
    from pledge.core import Pledge

log = logging.getLogger(__name__)


class _Connected:
    """Marks a Pledge whose commits already wake the job runners (connect once)."""


def connect_jobs(pledge: Pledge) -> None:
    """Wake the job runners after each commit that queued work; idempotent.

    The faces (web app, CLI) call it once for their Pledge. A started
    in-process runner of this Pledge is woken (SQLite, or ``pledge serve``
    running jobs itself); otherwise, on PostgreSQL, a job of the task that
    sends it (mail, or webhooks) is deferred for ``pledge worker``.
    """
    created: list[bool] = []

    def mark() -> _Connected:
        created.append(True)
        return _Connected()

    pledge.state(_Connected, mark)
    if created:
        pledge.on_wake(lambda work: _wake(pledge, work))


def deliver_soon(pledge: Pledge) -> None:
    """Bring delivery (mail and webhooks) forward now; never raises, since the periodic
    tasks are the safety net.

    Call it only after the commit: a job that runs before the commit would not
    see what it was woken for.
    """
    _wake(pledge, frozenset({Work.DELIVERY, Work.WEBHOOK}))


def _wake(pledge: Pledge, work: frozenset[Work]) -> None:
    from pledge.jobs.inprocess import registered_runner

    due = [task.name for task in PERIODIC_TASKS if task.woken_by in work]
    if not due or registered_runner(pledge) is not None:
        return  # a started runner listens for itself
    if pledge.settings.is_sqlite:
        return
    for name in due:
        try:
            from pledge.jobs.procrastinate_app import defer_task

            defer_task(pledge, name)
        except Exception as exc:
            log.warning(
                "could not defer %s (%s); the periodic task will run it", name, error_name(exc)
            )


__all__ = [
    "PERIODIC_TASKS",
    "DeliveryReport",
    "PeriodicTask",
    "connect_jobs",
    "deliver",
    "deliver_outbox",
    "deliver_soon",
    "retry_delivery",
    "seal_audit",
]
