"""Reading a person's rows in every system before fulfilment, when that is all a request needs.

Why outside the delivery engine: an export changes nothing in the system, so
running it twice is harmless and it needs no lease; read before the
fulfilment transaction (as the presence check is), an access request is
answered in that one transaction, with the rows, instead of waiting for a
task. Any system that cannot answer now sends the request the engine's way
(one task per system, retried with back-off): nothing is lost, only later.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pledge.audit import append
from pledge.connectors.base import (
    CollectionReport,
    Row,
    SystemMisdeclared,
    SystemReport,
    SystemUnavailable,
)
from pledge.connectors.registry import systems_of
from pledge.core import Pledge
from pledge.db.base import new_id
from pledge.db.models import ConnectorTask, RightsRequest
from pledge.rights.actions.common import Context
from pledge.rights.connected.channel import AUDIT
from pledge.rights.connected.resume import complete
from pledge.rights.connected.work import ACTION_OF, live_key
from pledge.rights.connected_rows import seal_rows, store_chunks
from pledge.rights.states import VERIFIED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Read:
    """One system's rows of the person, read just now, and their counts."""

    system_id: str
    rows: list[Row]

    def report(self) -> SystemReport:
        counts = Counter(row.collection for row in self.rows)
        collections = {name: CollectionReport(rows=n) for name, n in counts.items()}
        return SystemReport(system_id=self.system_id, action="export", collections=collections)


def read_ahead(
    pledge: Pledge, request_id: str, start: dict[str, frozenset[str]]
) -> list[Read] | None:
    """Every system's rows for a verified export request; None when any cannot answer now
    (or the request is not one)."""
    systems = systems_of(pledge)
    if not systems.ids or not start:
        return None
    with pledge.sessions() as session:
        row = session.get(RightsRequest, request_id)
        if row is None or row.status != VERIFIED or ACTION_OF.get(row.type) != "export":
            return None
    reads: list[Read] = []
    for system_id in systems.ids:
        try:
            rows = list(systems.connector(system_id).export(start))
        except (SystemUnavailable, SystemMisdeclared) as exc:
            what = type(exc).__name__
            log.info("request %s: system %s left to a task (%s)", request_id, system_id, what)
            return None
        reads.append(Read(system_id, rows))
    return reads


def answer_with(ctx: Context, reads: list[Read]) -> None:
    """Record each system's read as a task done, keep its rows sealed, close the request."""
    data_key = live_key(ctx)
    reports = []
    for read in sorted(reads, key=lambda item: item.system_id):
        report = read.report().as_dict()
        task = _done_task(ctx.session, ctx, read.system_id, report)
        sealed = seal_rows(ctx.pledge.keys, task.id, iter(read.rows), data_key)
        store_chunks(ctx.session, task.id, [(seq, blob) for seq, blob, _ in sealed])
        reports.append(report)
    ctx.session.flush()
    complete(ctx, reports)


def _done_task(
    session: Session, ctx: Context, system_id: str, report: dict[str, object]
) -> ConnectorTask:
    task = ConnectorTask(
        id=new_id(),
        request_id=ctx.row.id,
        system_id=system_id,
        action="export",
        status="done",
        report=report,
        created_at=ctx.now,
        finished_at=ctx.now,
    )
    session.add(task)
    append(
        session,
        action=AUDIT.sent,
        actor="system",
        object_type=AUDIT.object_type,
        object_id=task.id,
        details={"template": "systems_export", "attempts": 1, "system_id": system_id},
    )
    return task


__all__ = ["Read", "answer_with", "read_ahead"]
