"""Queueing a request's work in each connected system, and what that work carries.

Why a delivery per system: a database that is down, or a processor's API that
answers later, must make the request wait and retry, visibly, without holding
up the other systems or running twice; the delivery engine already gives
leases, back-off, dead letters and ``pledge outbox retry``. The payload (the
person's identities, and corrections) is sealed with the person's key when
Pledge holds one, so an erasure that ends the request leaves no readable copy.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pledge.connectors.registry import systems_of
from pledge.db.base import new_id
from pledge.db.models import ConnectorTask, SubjectKey
from pledge.delivery import Kind, enqueue
from pledge.rights.actions.common import Context
from pledge.rights.holds import holds_on
from pledge.rights.lifecycle import move, person_email, private_data
from pledge.rights.states import AWAITING_SYSTEMS

ACTION_OF: dict[str, str] = {
    "access": "export",
    "know": "export",
    "portability": "export",
    "erasure": "erase",
    "rectification": "rectify",
    "restriction": "restrict",
}
"""The request types that reach connected systems, and what each asks of a system."""


def start_identities(ctx: Context) -> dict[str, list[str]]:
    """What the systems are searched by: the request's verified e-mail address."""
    email = person_email(ctx.pledge, ctx.row)
    return {"email": [email.strip().lower()]} if email else {}


def reaches_systems(ctx: Context) -> bool:
    """Whether this fulfilment must first wait for the connected systems.

    Not when none is declared, not for a type they play no part in, not a second
    time (a request resumed after its tasks), and not for an erasure under a
    legal hold: the hold stops erasure everywhere, and the local action says so.
    """
    row = ctx.row
    if row.type not in ACTION_OF or "systems" in (row.result or {}):
        return False
    if not systems_of(ctx.pledge).ids or not start_identities(ctx):
        return False
    if row.type != "erasure":
        return True
    return not holds_on(ctx.session, subject_id=row.subject_id, email_index=row.email_index)


def queue_tasks(ctx: Context, identities: dict[str, frozenset[str]] | None = None) -> list[str]:
    """One task (and its delivery) per system; the request waits in ``awaiting_systems``.

    ``identities`` are the person's identities across systems (the e-mail alone when None)."""
    row, session = ctx.row, ctx.session
    action = ACTION_OF[row.type]
    told = start_identities(ctx)
    if identities:
        told = {kind: sorted(values) for kind, values in identities.items()}
    content: dict[str, Any] = {"request_id": row.id, "action": action, "identities": told}
    if action == "rectify":
        content["corrections"] = private_data(ctx.pledge, row).get("corrections") or {}
    data_key = live_key(ctx)
    ids: list[str] = []
    for system_id in systems_of(ctx.pledge).ids:
        task_id = new_id()
        enqueue(
            session,
            ctx.pledge.keys,
            kind=Kind.CONNECTOR,
            template=f"systems_{action}",
            content=content,
            target=system_id,
            subject_id=row.subject_id if data_key is not None else None,
            delivery_id=task_id,
            now=ctx.now,
            data_key=data_key,
        )
        session.add(
            ConnectorTask(
                id=task_id,
                request_id=row.id,
                system_id=system_id,
                action=action,
                status="pending",
                created_at=ctx.now,
            )
        )
        ids.append(task_id)
    row.result = {**(row.result or {}), "systems": "waiting"}
    move(
        session,
        row,
        AWAITING_SYSTEMS,
        actor=ctx.actor,
        at=ctx.now,
        note="Confirmed; now reaching the company's other systems.",
        details={"systems": len(ids), "action": action},
    )
    return ids


def live_key(ctx: Context) -> bytes | None:
    """The person's data key, to seal the task's payload with; None when none is held."""
    subject_id = ctx.row.subject_id
    if subject_id is None:
        return None
    wrapped = ctx.session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    if wrapped is None:
        return None
    return ctx.pledge.keys.unwrap(wrapped, subject_id)


def task_ids(ctx: Context) -> list[str]:
    return list(
        ctx.session.scalars(select(ConnectorTask.id).where(ConnectorTask.request_id == ctx.row.id))
    )


__all__ = [
    "ACTION_OF",
    "live_key",
    "queue_tasks",
    "reaches_systems",
    "start_identities",
    "task_ids",
]
