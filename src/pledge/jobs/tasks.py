"""Background work as plain functions of a :class:`~pledge.core.Pledge`.

Why plain functions: the same code runs in-process on SQLite
(:mod:`pledge.jobs.inprocess`) and under procrastinate on PostgreSQL
(:mod:`pledge.jobs.procrastinate_app`), and tests call it directly.
Everything Pledge sends goes through one task, ``deliver``
(:mod:`pledge.jobs.delivery`, over the engine of :mod:`pledge.delivery`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pledge.core import Pledge


@dataclass(frozen=True)
class PeriodicTask:
    """A task both runners repeat every ``interval`` seconds.

    ``on_notify`` tasks also run as soon as a commit that queued work (:mod:`pledge.db.wakeups`)
    is called, so mail goes out without waiting for the next tick.
    """

    name: str
    function: Callable[[Pledge], object]
    interval: int
    on_notify: bool = False


def error_name(exc: BaseException) -> str:
    """An exception's class, never its message: messages can quote addresses or SQL values."""
    return type(exc).__name__


def seal_audit(pledge: Pledge) -> int:
    """Seal pending audit entries into the hash chain (safe on several workers)."""
    return pledge.seal_audit()


def deliver(pledge: Pledge) -> int:
    """Send what is due of every kind (mail, Client webhooks, recipient notices)."""
    from pledge.jobs.delivery import deliver as deliver_all

    report = deliver_all(pledge)
    return report.sent + report.retried + report.dead


def expire_conversations(pledge: Pledge) -> int:
    """Delete conversations past their Client's retention."""
    from pledge.service_data.retention import expire_conversations as expire

    return expire(pledge)


def fulfil_requests(pledge: Pledge) -> int:
    """Fulfil data subject requests left verified (after a crash); each runs once."""
    from pledge.rights.fulfil import fulfil_verified

    return fulfil_verified(pledge)


def expire_requests(pledge: Pledge) -> int:
    """Delete records of data subject requests closed more than 24 months ago."""
    from pledge.rights.retention import expire_requests as expire

    return expire(pledge).requests


PERIODIC_TASKS: list[PeriodicTask] = [
    PeriodicTask("deliver", deliver, interval=5, on_notify=True),
    PeriodicTask("seal_audit", seal_audit, interval=10),
    PeriodicTask("expire_conversations", expire_conversations, interval=600),
    PeriodicTask("fulfil_requests", fulfil_requests, interval=30),
    PeriodicTask("expire_requests", expire_requests, interval=86400),
]
"""Every repeated job; adding one is one line here (name, function, seconds)."""
