"""Putting deliveries in the outbox, taking them back out, and reading their payload.

Why in the caller's transaction: a delivery that announces a change (a code,
a collected field, an erasure notice) must exist exactly when the change
exists. A rollback drops both; a commit keeps both and, through
:func:`pledge.db.wakeups.wake_after_commit`, wakes a worker to send it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, object_session

from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.models import Delivery
from pledge.db.wakeups import Work, wake_after_commit
from pledge.delivery.kinds import Kind, Status
from pledge.delivery.sealing import open_payload, seal

_LEGACY_AAD: dict[str, str] = {Kind.EMAIL: "outbox", Kind.CLIENT_WEBHOOK: "webhook"}
"""Mail and Client webhooks keep the associated data they were encrypted under before
the outbox was shared, so rows queued by an older version still open."""


def payload_aad(kind: str, delivery_id: str) -> str:
    """Associated data binding a payload to its row and kind, so it cannot be moved."""
    prefix = _LEGACY_AAD.get(kind)
    return f"{prefix}:{delivery_id}" if prefix else f"delivery:{kind}:{delivery_id}"


def enqueue(
    session: Session,
    keys: KeyManager,
    *,
    kind: str,
    template: str,
    content: Any,
    target: str | None = None,
    subject_id: str | None = None,
    delivery_id: str | None = None,
    now: datetime | None = None,
    data_key: bytes | None = None,
    recipient_index: str | None = None,
) -> Delivery:
    """Add a pending delivery of ``content`` (JSON-able, encrypted here); the caller commits.

    ``delivery_id`` lets a domain row and its delivery share one id (a Client's
    webhook delivery, a recipient notice), which receivers also see as the
    ``X-Pledge-Delivery`` header and deduplicate on. ``data_key``, the live key of
    ``subject_id``, seals the payload with it instead of the system key
    (:mod:`~pledge.delivery.sealing`); ``recipient_index`` is a mail's hashed address.
    """
    delivery_id = delivery_id or new_id()
    now = now or utcnow()
    if data_key is not None and subject_id is None:
        raise ValueError("a payload sealed with a person's key needs their subject id")
    payload, payload_key = seal(keys, content, payload_aad(kind, delivery_id), data_key)
    row = Delivery(
        id=delivery_id,
        kind=kind,
        template=template,
        target=target,
        subject_id=subject_id,
        payload=payload,
        payload_key=payload_key,
        recipient_index=recipient_index,
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    wake_after_commit(session, work_of(kind))
    return row


def work_of(kind: str) -> Work:
    """Which background work sends a delivery of ``kind``: mail, connected systems, or the
    webhooks."""
    if kind == Kind.EMAIL:
        return Work.DELIVERY
    return Work.SYSTEMS if kind == Kind.CONNECTOR else Work.WEBHOOK


def read_payload(keys: KeyManager, row: Delivery, session: Session | None = None) -> Any:
    """The decrypted content; raises ``DecryptionFailed`` under another master key, and
    :class:`~pledge.delivery.sealing.Shredded` once the person it was sealed for is erased.

    A payload sealed with a person's key is opened in ``session`` (by default the
    row's own), which looks the key up.
    """
    if row.payload is None:
        raise ValueError("the delivery no longer holds its content")
    return open_payload(
        session or object_session(row),
        keys,
        payload=row.payload,
        aad=payload_aad(row.kind, row.id),
        payload_key=row.payload_key,
        subject_id=row.subject_id,
    )


def cancel(session: Session, delivery_ids: Collection[str]) -> int:
    """Withdraw undelivered deliveries (pending or dead) and drop their content.

    A worker sending one of them right now loses its lease: its outcome is not
    recorded. Returns how many were cancelled.
    """
    if not delivery_ids:
        return 0
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(list(delivery_ids)),
            Delivery.status.in_([Status.PENDING, Status.DEAD]),
        )
        .values(status=Status.CANCELLED, payload=None, lease_until=None, lease_token=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cancel_target(session: Session, kind: str, target: str, *, reason: str) -> list[str]:
    """Withdraw every undelivered delivery of ``kind`` to ``target`` (pending, leased or
    not, and dead), dropping their content and noting ``reason`` (no personal data) as
    their last error; returns the ids cancelled.

    One ``UPDATE … RETURNING``: a delivery a worker records as sent in the meantime is not
    in the list, so a domain view mirrored from it never calls a sent delivery cancelled.
    A worker sending one of them right now loses its lease, as with :func:`cancel`.
    """
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.kind == kind,
            Delivery.target == target,
            Delivery.status.in_([Status.PENDING, Status.DEAD]),
        )
        .values(
            status=Status.CANCELLED,
            payload=None,
            lease_until=None,
            lease_token=None,
            last_error=reason,
        )
        .returning(Delivery.id)
    )
    return list(result.scalars())
