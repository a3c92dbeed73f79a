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

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pledge.connectors.registry import systems_of
from pledge.core import Pledge
from pledge.crypto import KeyDestroyed, normalise_phone
from pledge.db.base import new_id
from pledge.db.models import ConnectorTask, Delivery, Identity, RightsRequest, SubjectKey
from pledge.delivery import Kind, enqueue
from pledge.errors import ValidationFailed
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
    """What the systems are searched by: the request's verified e-mail address, and the
    phones Pledge holds for the person (in E.164, as Pledge normalises them)."""
    found = person_identities(ctx.session, ctx.pledge, ctx.row)
    return {kind: sorted(values) for kind, values in found.items()}


def person_identities(
    session: Session, pledge: Pledge, row: RightsRequest
) -> dict[str, frozenset[str]]:
    """The request's e-mail, plus the person's phone identities when Pledge holds them."""
    email = person_email(pledge, row)
    if not email:
        return {}
    found = {"email": frozenset({email.strip().lower()})}
    phones = _held_phones(session, pledge, row)
    if phones:
        found["phone"] = phones
    return found


def _held_phones(session: Session, pledge: Pledge, row: RightsRequest) -> frozenset[str]:
    subject_id = row.subject_id
    if subject_id is None:
        return frozenset()
    wrapped = session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    if wrapped is None:
        return frozenset()
    try:
        key = pledge.keys.unwrap(wrapped, subject_id)
    except KeyDestroyed:
        return frozenset()
    phones: set[str] = set()
    for identity in session.scalars(
        select(Identity).where(Identity.subject_id == subject_id, Identity.kind == "phone")
    ):
        value = pledge.keys.decrypt_json(key, identity.ciphertext, f"identity:{identity.id}")
        try:
            phones.add(normalise_phone(str(value), row.country))
        except ValidationFailed:
            continue
    return frozenset(phones)


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
    row = ctx.row
    action = ACTION_OF[row.type]
    told = start_identities(ctx)
    if identities:
        told = {kind: sorted(values) for kind, values in identities.items()}
    ids = _enqueue_tasks(ctx, action, told)
    row.result = {**(row.result or {}), "systems": "waiting"}
    move(
        ctx.session,
        row,
        AWAITING_SYSTEMS,
        actor=ctx.actor,
        at=ctx.now,
        note="Confirmed; now reaching the company's other systems.",
        details={"systems": len(ids), "action": action},
    )
    return ids


def _enqueue_tasks(
    ctx: Context, action: str, told: dict[str, list[str]], *, person_key: bool = True
) -> list[str]:
    """A task and its delivery per system, the payload sealed with the person's key (the
    system key, dropped once sent, when their key is about to be shredded)."""
    row, session = ctx.row, ctx.session
    content: dict[str, Any] = {"request_id": row.id, "action": action, "identities": told}
    if action == "rectify":
        content["corrections"] = private_data(ctx.pledge, row).get("corrections") or {}
    data_key = live_key(ctx) if person_key else None
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
    return ids


def queue_after_hold(ctx: Context) -> list[str]:
    """An erasure that waited on a legal hold reaches the systems now that it ended.

    The request is already answered, so it does not wait again: the tasks run on
    their own and staff follow them on the request. Tasks a hold stopped midway
    (marked ``held``) are replaced. Their payload is sealed with the system key:
    the person's own key is shredded in the same transaction."""
    if ctx.row.type != "erasure" or not systems_of(ctx.pledge).ids:
        return []
    stopped = [
        task.id
        for task in ctx.session.scalars(
            select(ConnectorTask).where(ConnectorTask.request_id == ctx.row.id)
        )
        if (task.report or {}).get("held")
    ]
    if stopped:
        ctx.session.execute(delete(ConnectorTask).where(ConnectorTask.id.in_(stopped)))
        ctx.session.execute(delete(Delivery).where(Delivery.id.in_(stopped)))
    return _enqueue_tasks(ctx, "erase", start_identities(ctx), person_key=False)


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
    "person_identities",
    "queue_after_hold",
    "queue_tasks",
    "reaches_systems",
    "start_identities",
    "task_ids",
]
