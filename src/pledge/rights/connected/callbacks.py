"""A processor's callback: an action it accepted (202) is finished, and the request moves on.

Who may call: anyone can reach the route, so the callback proves itself: it
is signed with the system's shared secret (checked in constant time, fresh
timestamps only, by :func:`pledge.connectors.http_callbacks.read_callback`),
names the task by its idempotency key, and repeats the reference the system
gave when it accepted the task. A forged, stale or replayed callback, or one
for a task that is not waiting, changes nothing. An erasure the system reports
as not complete (``residual`` > 0) fails its task, for staff to follow up
(the request is never reported complete).
"""

from __future__ import annotations

from collections.abc import Mapping

from pledge.connectors.base import SystemMisdeclared
from pledge.connectors.http_callbacks import CallbackMalformed, CallbackRefused, read_callback
from pledge.connectors.registry import systems_of
from pledge.connectors.spec import SystemKind
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import ConnectorTask
from pledge.errors import AuthenticationRequired, BadRequest, Conflict, NotFound
from pledge.rights.connected.channel import merged, note_failure
from pledge.rights.connected.resume import resume_if_done

UNKNOWN = "no such system, or it takes no callbacks"


def record_callback(pledge: Pledge, system_id: str, headers: Mapping[str, str], body: bytes) -> str:
    """Verify and apply one callback; returns the task's new status."""
    systems = systems_of(pledge)
    try:
        spec = systems.spec(system_id)
    except SystemMisdeclared:
        raise NotFound(UNKNOWN) from None
    secret = systems.secret(system_id) if spec.kind is SystemKind.HTTP else None
    if not secret:
        raise NotFound(UNKNOWN)
    try:
        result = read_callback(secret, headers, body)
    except CallbackMalformed as exc:
        raise BadRequest(str(exc)) from None
    except CallbackRefused as exc:
        raise AuthenticationRequired(str(exc)) from None
    now = utcnow()
    with pledge.transaction() as session:
        task = session.get(ConnectorTask, result.idempotency_key or "", with_for_update=True)
        if task is None or task.system_id != system_id:
            raise NotFound("no task of this system has that idempotency key")
        pending = (task.report or {}).get("pending")
        if task.status != "waiting" or pending != result.reference:
            if task.status == "done" and pending is None:
                return task.status  # the same callback again: already applied
            raise Conflict("this task is not waiting for a callback with that reference")
        report = result.report(system_id, spec)
        task.report = merged(task.report, report)
        if task.action == "erase" and report.residual:
            task.status, task.last_error = "failed", "residual"  # never counted as done
            note_failure(session, task, "residual", now)
            return task.status
        task.status, task.finished_at = "done", now
        session.flush()
        resume_if_done(session, pledge, task.request_id, now=now)
        return "done"


__all__ = ["record_callback"]
