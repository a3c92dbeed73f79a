"""Background jobs inside ``pledge serve``, for either database.

Why a context manager: the web server owns the process, so jobs start just
before it and stop just after it, whatever ends it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pledge.core import Pledge

log = logging.getLogger(__name__)


@contextmanager
def embedded_worker(pledge: Pledge, *, enabled: bool = True) -> Iterator[None]:
    """Run jobs beside the web server: a thread on SQLite, a procrastinate worker on PostgreSQL."""
    if not enabled:
        log.info("background jobs are not run by this process (--no-worker)")
        yield
        return
    if pledge.settings.is_sqlite:
        from pledge.jobs.inprocess import InProcessRunner

        runner = InProcessRunner(pledge)
        runner.start()
        try:
            yield
        finally:
            runner.stop()
        return
    from pledge.jobs.procrastinate_app import WorkerThread, ensure_schema

    ensure_schema(pledge)
    worker = WorkerThread(pledge)
    worker.start()
    try:
        yield
    finally:
        worker.stop()
