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

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.connectors.base import Connector, SystemMisdeclared, SystemUnavailable
from pledge.connectors.http import HttpConnector
from pledge.connectors.http_callbacks import CallbackMalformed, CallbackRefused, read_callback
from pledge.connectors.registry import systems_of
from pledge.connectors.spec import SystemKind
from pledge.core import Pledge
from pledge.crypto import KeyDestroyed
from pledge.crypto.aead import DecryptionFailed
from pledge.db.base import utcnow
from pledge.db.models import ConnectorTask, RightsRequest, SubjectKey
from pledge.errors import AuthenticationRequired, BadRequest, Conflict, NotFound, Unavailable
from pledge.rights.connected.channel import identities_aad, merged, note_failure
from pledge.rights.connected.resume import resume_if_done

REFUSED = "the callback's signature does not match the system's secret"


def record_callback(pledge: Pledge, system_id: str, headers: Mapping[str, str], body: bytes) -> str:
    """Verify and apply one callback; returns the task's new status."""
    systems = systems_of(pledge)
    try:
        spec = systems.spec(system_id)
    except SystemMisdeclared:  # answered as a bad signature: system ids are not listed
        raise AuthenticationRequired(REFUSED) from None
    secret = systems.secret(system_id) if spec.kind is SystemKind.HTTP else None
    if not secret:
        raise AuthenticationRequired(REFUSED)
    try:
        result = read_callback(secret, headers, body)
    except CallbackMalformed as exc:
        raise BadRequest(str(exc)) from None
    except CallbackRefused as exc:
        raise AuthenticationRequired(str(exc)) from None
    left = _reread(
        pledge, systems.connector(system_id), result.idempotency_key or "", result.action
    )
    now = utcnow()
    with pledge.transaction() as session:
        task = session.get(ConnectorTask, result.idempotency_key or "", with_for_update=True)
        if task is None or task.system_id != system_id or task.action != result.action:
            raise NotFound("no task of this system has that idempotency key")
        pending = (task.report or {}).get("pending")
        if task.status != "waiting" or pending != result.reference:
            if task.status == "done" and pending is None:
                return task.status  # the same callback again: already applied
            raise Conflict("this task is not waiting for a callback with that reference")
        report = result.report(system_id, spec)
        report.residual = max(report.residual, left)  # the processor's word, checked
        task.report = merged(task.report, report)
        task.identities_ciphertext = None
        if task.action == "erase" and report.residual:
            task.status, task.last_error = "failed", "residual"  # never counted as done
            note_failure(session, task, "residual", now)
            return task.status
        task.status, task.finished_at = "done", now
        session.flush()
        resume_if_done(session, pledge, task.request_id, now=now)
        return "done"


def _reread(pledge: Pledge, connector: Connector, task_id: str, action: str) -> int:
    """For a finished erasure: what the processor still holds of the person, re-read now
    (outside any transaction: it is a network call). 0 for other actions."""
    if action != "erase" or not isinstance(connector, HttpConnector):
        return 0
    with pledge.sessions() as session:
        found = session.execute(
            select(ConnectorTask.identities_ciphertext, RightsRequest.subject_id)
            .join(RightsRequest, RightsRequest.id == ConnectorTask.request_id)
            .where(ConnectorTask.id == task_id)
        ).first()
        blob: bytes | None = found[0] if found is not None else None
        if found is None or blob is None:
            return 0  # an unknown or finished task: the checks below answer it
        subject_id = found[1]
        key = _live_key(session, pledge, subject_id)
    aad = identities_aad(task_id)
    try:
        opened = (
            pledge.keys.decrypt_system(blob, aad)
            if key is None
            else pledge.keys.decrypt_json(key, blob, aad)
        )
    except DecryptionFailed:  # sealed with the system key: the person had no key of theirs
        opened = pledge.keys.decrypt_system(blob, aad)
    identities = {kind: frozenset(values) for kind, values in opened.items()}
    try:
        return connector.residual(identities)
    except SystemUnavailable:
        raise Unavailable("the system could not be re-read; send the callback again") from None


def _live_key(session: Session, pledge: Pledge, subject_id: str | None) -> bytes | None:
    if subject_id is None:
        return None
    wrapped = session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    if wrapped is None:
        return None
    try:
        return pledge.keys.unwrap(wrapped, subject_id)
    except KeyDestroyed:
        return None


__all__ = ["record_callback"]
