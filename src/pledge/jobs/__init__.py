"""Background jobs: plain task functions, run in-process (SQLite) or by procrastinate.

Code that queued mail calls :func:`notify_outbox` after its transaction
commits, so the mail goes out within moments instead of at the next tick.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pledge.jobs.tasks import (
    PERIODIC_TASKS,
    DeliveryReport,
    PeriodicTask,
    deliver_outbox,
    error_name,
    seal_audit,
)

if TYPE_CHECKING:
    from pledge.core import Pledge

log = logging.getLogger(__name__)


def notify_outbox(pledge: Pledge) -> None:
    """Bring mail delivery forward; never raises, since the periodic task is the safety net.

    A started in-process runner of this Pledge is woken (SQLite, or ``pledge
    serve`` running jobs itself); otherwise, on PostgreSQL, a delivery job is
    deferred for ``pledge worker``. Call it only after the commit: a job that
    runs before the commit would not see the mail.
    """
    from pledge.jobs.inprocess import registered_runner

    runner = registered_runner(pledge)
    if runner is not None:
        runner.wake()
        return
    if pledge.settings.is_sqlite:
        return
    try:
        from pledge.jobs.procrastinate_app import defer_delivery

        defer_delivery(pledge)
    except Exception as exc:
        log.warning(
            "could not defer mail delivery (%s); the periodic task will send it", error_name(exc)
        )


__all__ = [
    "PERIODIC_TASKS",
    "DeliveryReport",
    "PeriodicTask",
    "deliver_outbox",
    "notify_outbox",
    "seal_audit",
]
