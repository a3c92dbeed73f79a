"""Run the periodic tasks on a daemon thread inside the current process.

Why: with SQLite there is no job queue to share, and ``pledge serve`` should
just work. One thread runs every task of :data:`~pledge.jobs.tasks.PERIODIC_TASKS`
at its interval; :meth:`InProcessRunner.wake` brings delivery forward when
mail was just queued. A failing task is logged by exception class only (its
message may carry personal data) and the loop carries on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pledge.db.wakeups import Work
from pledge.jobs.tasks import PERIODIC_TASKS, PeriodicTask, error_name

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


class InProcessRunner:
    """Runs periodic tasks on one daemon thread; ``start``/``stop`` bracket its life."""

    def __init__(self, pledge: Pledge, tasks: Sequence[PeriodicTask] = PERIODIC_TASKS) -> None:
        self.pledge = pledge
        self.tasks = list(tasks)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._run_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._unlisten: Callable[[], None] | None = None

    def start(self) -> None:
        """Start the thread (tasks run immediately, then at their intervals)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="pledge-jobs", daemon=True)
        self._thread.start()
        self.pledge.state(_Started, _Started).runner = self
        self._unlisten = self.pledge.on_wake(self._on_wake)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to finish its current task and wait up to ``timeout`` seconds."""
        started = self.pledge.state(_Started, _Started)
        if started.runner is self:
            started.runner = None
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("background job thread still busy after %.0f s", timeout)
            else:
                self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _on_wake(self, work: frozenset[Work]) -> None:
        if Work.DELIVERY in work:
            self.wake()

    def wake(self) -> None:
        """Run the ``on_notify`` tasks (mail delivery) soon, without waiting for their tick."""
        self._wake.set()

    def run_once(self) -> None:
        """Run every task once, now, on the calling thread (tests, ``pledge serve`` start-up)."""
        for task in self.tasks:
            self._run(task)

    def _loop(self) -> None:
        due = dict.fromkeys((task.name for task in self.tasks), time.monotonic())
        while not self._stop.is_set():
            if self._wake.is_set():
                self._wake.clear()
                for task in self.tasks:
                    if task.on_notify:
                        due[task.name] = time.monotonic()
            for task in self.tasks:
                if self._stop.is_set():
                    return
                if due[task.name] <= time.monotonic():
                    self._run(task)
                    due[task.name] = time.monotonic() + task.interval
            next_due = min(due.values(), default=time.monotonic() + 60)
            self._wake.wait(max(next_due - time.monotonic(), 0.0))

    def _run(self, task: PeriodicTask) -> None:
        """Run one task; an exception is logged by class and never ends the loop."""
        with self._run_lock:
            try:
                task.function(self.pledge)
            except Exception as exc:
                log.error("background task %s failed: %s", task.name, error_name(exc))
