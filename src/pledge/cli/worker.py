"""``pledge worker``: process background jobs from PostgreSQL until stopped."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pledge.errors import ConfigurationError

if TYPE_CHECKING:
    from pledge.core import Pledge

log = logging.getLogger(__name__)

SQLITE_REFUSAL = "pledge worker needs PostgreSQL; with SQLite, `pledge serve` runs jobs in-process"


def worker_command(pledge: Pledge, concurrency: int) -> None:
    """Install the job queue schema if missing, then work until SIGINT or SIGTERM.

    Any number of workers, on any machines, may share one database: jobs are
    claimed by procrastinate and mail by ``SKIP LOCKED`` leases.
    """
    if pledge.settings.is_sqlite:
        raise ConfigurationError(SQLITE_REFUSAL)
    if concurrency < 1:
        raise ConfigurationError("--concurrency must be at least 1")
    from pledge.jobs.procrastinate_app import ensure_schema, run_worker

    ensure_schema(pledge)
    log.info("worker started with concurrency %d", concurrency)
    run_worker(pledge, concurrency=concurrency, wait=True)
    log.info("worker stopped")
