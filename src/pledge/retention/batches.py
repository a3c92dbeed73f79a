"""Bounded batches: each a short transaction of its own, timed, with its audit entry.

Why batches: a run that expires a million rows in one statement would hold
its locks (and, on SQLite, the whole database) for as long as that takes;
:data:`BATCH` ids per statement, each batch committed before the next, keeps
every transaction short, so collection and requests go on meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.retention.report import RetentionReport

BATCH = 5000
"""Ids per statement and per transaction."""


@contextmanager
def timed_transaction(pledge: Pledge, report: RetentionReport) -> Iterator[Session]:
    """``pledge.transaction()``, counted as a batch, its duration kept if the longest."""
    started = time.perf_counter()
    with pledge.transaction() as session:
        yield session
    report.batches += 1
    report.longest_transaction = max(report.longest_transaction, time.perf_counter() - started)


def audit_batch(session: Session, action: str, as_of: datetime, counts: dict[str, Any]) -> None:
    """One entry per batch: counts (and categories or kinds), never a value or an id."""
    audit.append(
        session,
        action=f"retention.{action}",
        actor="system",
        object_type="retention",
        object_id="run",
        details={**counts, "as_of": as_of.isoformat()},
    )
