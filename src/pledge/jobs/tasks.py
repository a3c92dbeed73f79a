"""Background work as plain functions of a :class:`~pledge.core.Pledge`.

Why plain functions: the same code runs in-process on SQLite
(:mod:`pledge.jobs.inprocess`) and under procrastinate on PostgreSQL
(:mod:`pledge.jobs.procrastinate_app`), and tests call it directly.
Everything Pledge sends goes through the engine of :mod:`pledge.delivery`
(:mod:`pledge.jobs.delivery`), in two tasks on two queues: ``deliver`` sends mail,
``deliver_webhooks`` posts Client webhooks and recipient notices. A receiver that
answers slowly holds up its own queue only: mail and the audit seal run on the
other (issue #11, item 6), on a thread of their own in-process and in a worker of
their own under procrastinate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pledge.db.wakeups import Work

if TYPE_CHECKING:
    from pledge.core import Pledge

DEFAULT_QUEUE = "default"
WEBHOOK_QUEUE = "webhooks"
SYSTEMS_QUEUE = "systems"
QUEUES = (DEFAULT_QUEUE, WEBHOOK_QUEUE, SYSTEMS_QUEUE)


@dataclass(frozen=True)
class PeriodicTask:
    """A task both runners repeat every ``interval`` seconds.

    A task with ``woken_by`` also runs as soon as a commit that made that work due
    (:mod:`pledge.db.wakeups`) is announced, so mail goes out without waiting for the
    next tick. Tasks of different ``queue`` never wait for each other.
    """

    name: str
    function: Callable[[Pledge], object]
    interval: int
    woken_by: Work | None = None
    queue: str = DEFAULT_QUEUE


def error_name(exc: BaseException) -> str:
    """An exception's class, never its message: messages can quote addresses or SQL values."""
    return type(exc).__name__


def seal_audit(pledge: Pledge) -> int:
    """Seal pending audit entries into the hash chain (safe on several workers)."""
    return pledge.seal_audit()


def deliver(pledge: Pledge) -> int:
    """Send the mail that is due."""
    from pledge.jobs.delivery import MAIL_KINDS
    from pledge.jobs.delivery import deliver as deliver_kinds

    report = deliver_kinds(pledge, MAIL_KINDS)
    return report.sent + report.retried + report.dead


def deliver_webhooks(pledge: Pledge) -> int:
    """Post the webhooks that are due: Client deliveries and recipient notices."""
    from pledge.jobs.delivery import WEBHOOK_KINDS
    from pledge.jobs.delivery import deliver as deliver_kinds

    report = deliver_kinds(pledge, WEBHOOK_KINDS)
    return report.sent + report.retried + report.dead


def reach_systems(pledge: Pledge) -> int:
    """Run the connected-system tasks that are due (new, or retried after a failure)."""
    from pledge.jobs.delivery import SYSTEM_KINDS
    from pledge.jobs.delivery import deliver as deliver_kinds
    from pledge.rights.connected.waiting import give_up_waiting

    report = deliver_kinds(pledge, SYSTEM_KINDS)
    return report.sent + report.retried + report.dead + give_up_waiting(pledge)


def expire_conversations(pledge: Pledge) -> int:
    """Delete conversations past their Client's retention."""
    from pledge.service_data.retention import expire_conversations as expire

    return expire(pledge)


def fulfil_requests(pledge: Pledge) -> int:
    """Fulfil data subject requests left verified (after a crash); each runs once."""
    from pledge.rights.fulfil import fulfil_verified

    return fulfil_verified(pledge)


def retention(pledge: Pledge) -> int:
    """Remove everything whose retention has ended (records, people, requests, mail...)."""
    from pledge.retention import run_retention

    report = run_retention(pledge)
    return sum(report.records.values()) + report.requests + report.subjects


def announce_policy_changes(pledge: Pledge) -> int:
    """Mail everyone not yet told about a material policy change, in bounded batches."""
    from pledge.announcements import send_change_notices

    return send_change_notices(pledge)


PERIODIC_TASKS: list[PeriodicTask] = [
    PeriodicTask("deliver", deliver, interval=5, woken_by=Work.DELIVERY),
    PeriodicTask(
        "deliver_webhooks",
        deliver_webhooks,
        interval=5,
        woken_by=Work.WEBHOOK,
        queue=WEBHOOK_QUEUE,
    ),
    PeriodicTask(
        "reach_systems", reach_systems, interval=15, woken_by=Work.SYSTEMS, queue=SYSTEMS_QUEUE
    ),
    PeriodicTask("seal_audit", seal_audit, interval=10),
    PeriodicTask("expire_conversations", expire_conversations, interval=600),
    PeriodicTask("fulfil_requests", fulfil_requests, interval=30),
    PeriodicTask("retention", retention, interval=86400),
    PeriodicTask("announce_policy_changes", announce_policy_changes, interval=60),
]
"""Every repeated job; adding one is one line here (name, function, seconds, queue)."""
