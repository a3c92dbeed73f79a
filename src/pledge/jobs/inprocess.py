"""Run the periodic tasks on daemon threads inside the current process.

Why: with SQLite there is no job queue to share, and ``pledge serve`` should
just work. Each queue of :data:`~pledge.jobs.tasks.PERIODIC_TASKS` gets a thread
of its own that runs its tasks at their intervals, so a webhook receiver that
answers slowly (until the deadline, again and again) holds up the webhook thread
only, never mail or the audit seal. :meth:`InProcessRunner.wake` brings a task
forward when a commit made its work due. A failing task is logged by exception
class only (its message may carry personal data) and the loop carries on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pledge.db.wakeups import Work
from pledge.jobs.tasks import DEFAULT_QUEUE, PERIODIC_TASKS, PeriodicTask, error_name

if TYPE_CHECKING:
    from pledge.core import Pledge

log = logging.getLogger(__name__)


class _Started:
    """The started runner of one Pledge, kept in that Pledge's state."""

    def __init__(self) -> None:
        self.runner: InProcessRunner | None = None


def registered_runner(pledge: Pledge) -> InProcessRunner | None:
    """The started runner of this Pledge, which wakes itself after commits that queued work."""
    return pledge.state(_Started, _Started).runner


class _Lane:
    """One queue's tasks and the thread that runs them."""

    def __init__(self, queue: str, tasks: list[PeriodicTask]) -> None:
        self.queue = queue
        self.tasks = tasks
        self.wake = threading.Event()
        self.woken: set[str] = set()
        self.run_lock = threading.Lock()
        self.thread: threading.Thread | None = None


class InProcessRunner:
    """Runs periodic tasks on one daemon thread per queue; ``start``/``stop`` bracket its life."""

    def __init__(self, pledge: Pledge, tasks: Sequence[PeriodicTask] = PERIODIC_TASKS) -> None:
        self.pledge = pledge
        self.tasks = list(tasks)
        self._stop = threading.Event()
        self._lanes: dict[str, _Lane] = {}
        for task in self.tasks:
            self._lanes.setdefault(task.queue, _Lane(task.queue, [])).tasks.append(task)
        self._wake_lock = threading.Lock()
        self._unlisten: Callable[[], None] | None = None

    def start(self) -> None:
        """Start the threads (tasks run immediately, then at their intervals)."""
        if self.running:
            return
        self._stop.clear()
        for lane in self._lanes.values():
            name = "pledge-jobs" if lane.queue == DEFAULT_QUEUE else f"pledge-jobs-{lane.queue}"
            lane.thread = threading.Thread(target=self._loop, args=(lane,), name=name, daemon=True)
            lane.thread.start()
        self.pledge.state(_Started, _Started).runner = self
        self._unlisten = self.pledge.on_wake(self._on_wake)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the threads to finish their current task and wait up to ``timeout`` seconds."""
        started = self.pledge.state(_Started, _Started)
        if started.runner is self:
            started.runner = None
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self._stop.set()
        for lane in self._lanes.values():
            lane.wake.set()
        deadline = time.monotonic() + timeout
        for lane in self._lanes.values():
            if lane.thread is None:
                continue
            lane.thread.join(max(deadline - time.monotonic(), 0.0))
            if lane.thread.is_alive():
                log.warning("background job thread %s still busy after %.0f s", lane.queue, timeout)
            else:
                lane.thread = None

    @property
    def running(self) -> bool:
        return any(
            lane.thread is not None and lane.thread.is_alive() for lane in self._lanes.values()
        )

    def _on_wake(self, work: frozenset[Work]) -> None:
        self.wake(work)

    def wake(self, work: frozenset[Work] = frozenset(Work)) -> None:
        """Run the tasks woken by ``work`` (all such tasks by default) soon, not at their tick."""
        for lane in self._lanes.values():
            due = {task.name for task in lane.tasks if task.woken_by in work}
            if due:
                with self._wake_lock:
                    lane.woken |= due
                lane.wake.set()

    def run_once(self) -> None:
        """Run every task once, now, on the calling thread (tests, ``pledge serve`` start-up)."""
        for task in self.tasks:
            self._run(self._lanes[task.queue], task)

    def _loop(self, lane: _Lane) -> None:
        due = dict.fromkeys((task.name for task in lane.tasks), time.monotonic())
        while not self._stop.is_set():
            if lane.wake.is_set():
                lane.wake.clear()
                with self._wake_lock:
                    woken, lane.woken = lane.woken, set()
                for name in woken:
                    due[name] = time.monotonic()
            for task in lane.tasks:
                if self._stop.is_set():
                    return
                if due[task.name] <= time.monotonic():
                    self._run(lane, task)
                    due[task.name] = time.monotonic() + task.interval
            next_due = min(due.values(), default=time.monotonic() + 60)
            lane.wake.wait(max(next_due - time.monotonic(), 0.0))

    def _run(self, lane: _Lane, task: PeriodicTask) -> None:
        """Run one task; an exception is logged by class and never ends the loop."""
        with lane.run_lock:
            try:
                task.function(self.pledge)
            except Exception as exc:
                log.error("background task %s failed: %s", task.name, error_name(exc))
