"""The delivery-engine kind that runs a request's task in one connected system.

Why through the engine: a system that is down makes the task wait and retry
with back-off (``unreachable`` passes over the system for the rest of a pass),
a worker that dies mid-task leaves its lease to run out, and two workers never
run one task at once; staff see each task as a delivery (``pledge outbox list``,
the console) and can retry one that was given up. What a task found or did is
saved by the transport, before the outcome is recorded; the outcome callback
moves the task on and, with the last task done, completes the request.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.connectors.base import (
    CollectionReport,
    Connector,
    Row,
    SystemMisdeclared,
    SystemReport,
    SystemUnavailable,
)
from pledge.connectors.graph import AmbiguousPerson
from pledge.connectors.load import SystemsFileError
from pledge.connectors.registry import systems_of
from pledge.core import Pledge
from pledge.crypto import KeyDestroyed
from pledge.db.models import ConnectorTask, RightsRequest, SubjectKey
from pledge.delivery import (
    AuditNames,
    Channel,
    Claimed,
    Finished,
    Kind,
    OnOutcome,
    Outcome,
    Status,
)
from pledge.rights.connected.resume import resume_if_done
from pledge.rights.connected_rows import seal_rows, store_chunks
from pledge.rights.holds import holds_on
from pledge.rights.lifecycle import add_event

log = logging.getLogger(__name__)

AUDIT = AuditNames(
    object_type="connector_task",
    sent="connector_task.done",
    dead="connector_task.failed",
    target_detail="system_id",
)


@dataclass(frozen=True)
class Work:
    """One task, opened: which system, what to do, for whom (identities stay in memory)."""

    task_id: str
    system_id: str
    request_id: str
    action: str
    identities: dict[str, frozenset[str]]
    corrections: dict[str, str]
    sealed_for: str | None


def prepare(claimed: Claimed, content: Any) -> Work | Outcome:
    """The decrypted payload as a :class:`Work`; a payload of another shape is dead."""
    if claimed.target is None or not isinstance(content, dict):
        return Outcome.dead("the task names no system", code="no_target")
    identities = {
        str(kind): frozenset(str(v) for v in values)
        for kind, values in (content.get("identities") or {}).items()
    }
    corrections = {str(k): str(v) for k, v in (content.get("corrections") or {}).items()}
    return Work(
        task_id=claimed.id,
        system_id=claimed.target,
        request_id=str(content["request_id"]),
        action=str(content["action"]),
        identities=identities,
        corrections=corrections,
        sealed_for=claimed.sealed_for,
    )


@dataclass
class Found:
    """What one attempt came to, waiting for its outcome to be recorded with it."""

    report: SystemReport
    chunks: list[tuple[int, bytes]] | None = None
    """An export's rows, sealed (None for the other actions)."""
    identities: bytes | None = None
    """Sealed identities, kept while a processor finishes the action later (202)."""
    held: bool = False
    """A legal hold was placed on the person after the task was queued: nothing erased."""


class Results:
    """Hand-over from the transport to the outcome callback of the same channel.

    Why not a transaction of the transport's own: the report and the rows are
    written in the transaction that records the outcome, so they land together
    or not at all (a lost lease records nothing, and the task runs again).
    """

    LIMIT = 1000

    def __init__(self) -> None:
        self._found: dict[str, Found] = {}
        self._lock = threading.Lock()

    def put(self, task_id: str, found: Found) -> None:
        with self._lock:
            if len(self._found) >= self.LIMIT:  # outcomes never recorded (lost leases)
                self._found.clear()
            self._found[task_id] = found

    def take(self, task_id: str) -> Found | None:
        with self._lock:
            return self._found.pop(task_id, None)


class SystemsTransport:
    """Runs a task's action through the system's connector; the outcome callback saves it."""

    def __init__(self, pledge: Pledge, results: Results) -> None:
        self.pledge = pledge
        self.results = results

    def send(self, content: Work) -> Outcome:
        try:
            connector = systems_of(self.pledge).connector(content.system_id)
            report = self._act(connector, content)
        except SystemUnavailable as exc:
            reason = exc.reason[:60]
            return Outcome.retry(f"system unavailable ({reason})", code=reason, unreachable=True)
        except AmbiguousPerson:
            return Outcome.dead("several people answer to these identities", code="ambiguous")
        except (SystemMisdeclared, SystemsFileError) as exc:
            log.error("system %s: %s", content.system_id, type(exc).__name__)
            return Outcome.dead("the system does not match its declaration", code="misdeclared")
        except KeyDestroyed:
            return Outcome.dead("the person was erased meanwhile", code="erased")
        if content.action == "erase" and report.residual and report.pending is None:
            return Outcome.retry("personal fields left after the erasure", code="residual")
        return Outcome.sent("accepted" if report.pending else "done")

    def _act(self, connector: Connector, work: Work) -> SystemReport:
        if work.action == "export":
            found = self._export(connector, work)
        elif work.action == "erase" and self._held(work):
            found = Found(SystemReport(system_id=work.system_id, action="erase"), held=True)
        elif work.action == "erase":
            found = Found(connector.erase(work.identities, idempotency_key=work.task_id))
        elif work.action == "rectify":
            corrections, key = work.corrections, work.task_id
            found = Found(connector.rectify(work.identities, corrections, idempotency_key=key))
        elif work.action == "restrict":
            found = Found(connector.restrict(work.identities, idempotency_key=work.task_id))
        else:
            raise SystemMisdeclared(f"unknown action {work.action!r}")
        if found.report.pending is not None:
            found.identities = seal_identities(
                self.pledge, work.task_id, work.identities, self._data_key(work.sealed_for)
            )
        self.results.put(work.task_id, found)
        return found.report

    def _export(self, connector: Connector, work: Work) -> Found:
        """Stream the rows into sealed chunks; the report counts rows per collection."""
        counts: Counter[str] = Counter()
        data_key = self._data_key(work.sealed_for)

        def counted(rows: Iterator[Row]) -> Iterator[Row]:
            for row in rows:
                counts[row.collection] += 1
                yield row

        stream = counted(iter(connector.export(work.identities)))
        sealed = seal_rows(self.pledge.keys, work.task_id, stream, data_key)
        chunks = [(seq, blob) for seq, blob, _ in sealed]
        report = SystemReport(
            system_id=work.system_id,
            action="export",
            collections={name: CollectionReport(rows=n) for name, n in counts.items()},
        )
        return Found(report, chunks)

    def _held(self, work: Work) -> bool:
        """Whether a legal hold now covers the person (placed while the task waited)."""
        with self.pledge.sessions() as session:
            row = session.get(RightsRequest, work.request_id)
            if row is None:
                return False
            return bool(holds_on(session, subject_id=row.subject_id, email_index=row.email_index))

    def _data_key(self, subject_id: str | None) -> bytes | None:
        if subject_id is None:
            return None
        with self.pledge.sessions() as session:
            wrapped = session.scalar(
                select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
            )
        return self.pledge.keys.unwrap(wrapped, subject_id)


def save(session: Session, task: ConnectorTask, found: Found) -> None:
    """The attempt's report (added to an earlier one's) and rows, on the task."""
    task.report = merged(task.report, found.report)
    if found.held:
        task.report = {**task.report, "held": True}
    task.last_error = None
    if found.report.pending is not None:
        task.status = "waiting"
        task.identities_ciphertext = found.identities
    if found.chunks is not None:
        store_chunks(session, task.id, found.chunks)


def identities_aad(task_id: str) -> str:
    return f"connector-identities:{task_id}"


def seal_identities(
    pledge: Pledge, task_id: str, identities: dict[str, frozenset[str]], key: bytes | None
) -> bytes:
    """The identities a processor was given, sealed with the person's key (or the system's)."""
    content = {kind: sorted(values) for kind, values in identities.items()}
    if key is None:
        return pledge.keys.encrypt_system(content, identities_aad(task_id))
    return pledge.keys.encrypt_json(key, content, identities_aad(task_id))


def merged(previous: dict[str, Any] | None, report: SystemReport) -> dict[str, Any]:
    """A repeated attempt's report added to the earlier one's (an erasure retried for a
    residual counts what each pass changed; the last re-read decides ``residual``)."""
    now = report.as_dict()
    if not previous or previous.get("action") != now["action"] or now["action"] == "export":
        return now
    for name, counts in previous.get("collections", {}).items():
        empty = {"rows": 0, "changed": 0, "deleted": 0, "fields": [], "kept": {}}
        into = now["collections"].setdefault(name, empty)
        into["rows"] = max(into["rows"], counts.get("rows", 0))
        into["changed"] += counts.get("changed", 0)
        into["deleted"] += counts.get("deleted", 0)
        into["fields"] = sorted(set(into["fields"]) | set(counts.get("fields", [])))
        into["kept"] = {**counts.get("kept", {}), **into["kept"]}
    return now


def record_outcome(pledge: Pledge, results: Results | None = None) -> OnOutcome:
    """The callback: the task follows its delivery; the last task done completes the request."""

    def record(session: Session, finished: Finished) -> None:
        task = session.get(ConnectorTask, finished.id)
        found = results.take(finished.id) if results is not None else None
        if task is None:
            return
        if found is not None:
            save(session, task, found)
        if finished.status == Status.SENT:
            if task.status != "waiting":
                task.status, task.finished_at = "done", finished.at
        elif finished.status == Status.DEAD:
            task.status, task.last_error = "failed", (finished.code or "failed")[:200]
            note_failure(session, task, finished.code, finished.at, finished.attempts)
        else:
            task.status, task.last_error = "pending", (finished.code or "retry")[:200]
            if finished.attempts == 1:
                _note(session, task, "system_retrying", finished.code, finished.at, 1)
        session.flush()
        resume_if_done(session, pledge, task.request_id, now=finished.at)

    return record


def note_failure(
    session: Session, task: ConnectorTask, error: str | None, at: datetime, attempts: int = 0
) -> None:
    """The task was given up: on the request's timeline, for staff to follow up."""
    _note(session, task, "system_failed", error, at, attempts)


def _note(
    session: Session,
    task: ConnectorTask,
    event: str,
    error: str | None,
    at: datetime,
    attempts: int,
) -> None:
    """A step on the request's timeline staff see: which system, which error class."""
    row = session.get(RightsRequest, task.request_id)
    if row is not None:
        details = {"system": task.system_id, "error": error, "attempts": attempts}
        add_event(session, row, event, actor="system", at=at, details=details)


def connector_channel(pledge: Pledge) -> Channel[Work]:
    """The ``connector`` kind: tasks in connected systems, with their callback."""
    results = Results()
    return Channel(
        kind=Kind.CONNECTOR,
        transport=SystemsTransport(pledge, results),
        prepare=prepare,
        on_outcome=record_outcome(pledge, results),
        audit=AUDIT,
    )


__all__ = [
    "AUDIT",
    "SystemsTransport",
    "Work",
    "connector_channel",
    "identities_aad",
    "merged",
    "note_failure",
    "prepare",
    "seal_identities",
]
