"""What operators see of the outbox: ids, kinds, states and dates, never content.

The one exception is :func:`mail_addresses`, for ``pledge outbox list``: an
operator at the machine with the master key may read where mail went; the
console and the logs never show it. An erased person's address is not shown:
it can no longer be read (its key is destroyed, or the payload was dropped).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from pledge.audit import audit_read
from pledge.core import Pledge
from pledge.crypto.aead import DecryptionFailed
from pledge.db.models import Delivery
from pledge.delivery.kinds import Kind, Status
from pledge.delivery.queue import payload_aad
from pledge.delivery.sealing import PayloadKey, Shredded, subject_data_keys, unseal


@dataclass(frozen=True)
class DeliveryView:
    """A delivery's metadata: safe for the console and the terminal."""

    id: str
    kind: str
    template: str
    target: str | None
    subject_id: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    sent_at: datetime | None
    lease_until: datetime | None
    has_content: bool


_COLUMNS = (
    Delivery.id,
    Delivery.kind,
    Delivery.template,
    Delivery.target,
    Delivery.subject_id,
    Delivery.status,
    Delivery.attempts,
    Delivery.last_error,
    Delivery.created_at,
    Delivery.next_attempt_at,
    Delivery.last_attempt_at,
    Delivery.sent_at,
    Delivery.lease_until,
    Delivery.payload.is_not(None),
)


def list_deliveries(
    pledge: Pledge,
    *,
    kind: str | None = None,
    status: str | None = None,
    limit: int | None = 200,
) -> list[DeliveryView]:
    """Newest first, optionally of one kind and one status."""
    query = select(*_COLUMNS).order_by(Delivery.created_at.desc(), Delivery.id)
    if kind:
        query = query.where(Delivery.kind == kind)
    if status:
        query = query.where(Delivery.status == status)
    if limit is not None:
        query = query.limit(limit)
    with pledge.sessions() as session:
        return [_view(row) for row in session.execute(query)]


def get_delivery(pledge: Pledge, delivery_id: str) -> DeliveryView | None:
    with pledge.sessions() as session:
        row = session.execute(select(*_COLUMNS).where(Delivery.id == delivery_id)).first()
    return None if row is None else _view(row)


def _view(row: Sequence[Any]) -> DeliveryView:
    return DeliveryView(*row)


def status_counts(pledge: Pledge) -> dict[str, dict[str, int]]:
    """Per kind, how many deliveries are in each state (every state listed, zeros too)."""
    with pledge.sessions() as session:
        rows = session.execute(
            select(Delivery.kind, Delivery.status, func.count()).group_by(
                Delivery.kind, Delivery.status
            )
        ).all()
    counts: dict[str, dict[str, int]] = {
        kind: dict.fromkeys(Status, 0) for kind in sorted({*Kind, *(row[0] for row in rows)})
    }
    for kind, status, count in rows:
        counts[kind][status] = int(count)
    return counts


ERASED = "(erased)"
"""Shown for mail sealed with the key of a person since erased: the address is unreadable."""
PURGED = "(purged)"
"""Shown for mail whose address and body were dropped (sent with the system key, erased)."""


def mail_addresses(pledge: Pledge, delivery_ids: Collection[str], *, reader: str) -> dict[str, str]:
    """The recipient address of each mail among ``delivery_ids``, or why it cannot be shown.

    :data:`ERASED` or :data:`PURGED` stand in for an address no longer held, so the
    listing never reveals an erased person's address. Keys of the persons mail was
    sealed for are looked up once for the whole list. Showing them to ``reader`` is an
    audited read (how many, never which).
    """
    if not delivery_ids:
        return {}
    with pledge.transaction() as session:
        rows = session.execute(
            select(Delivery.id, Delivery.payload, Delivery.payload_key, Delivery.subject_id).where(
                Delivery.id.in_(list(delivery_ids)), Delivery.kind == Kind.EMAIL
            )
        ).all()
        sealed_for = {
            row.subject_id
            for row in rows
            if row.payload is not None and row.payload_key == PayloadKey.SUBJECT
        }
        data_keys = subject_data_keys(session, pledge.keys, sealed_for)
        shown = {row.id: _address(pledge, row, data_keys) for row in rows}
        audit_read(session, reader, "outbox", "list", "mail_addresses", counts={"mails": len(rows)})
    return shown


def _address(pledge: Pledge, row: Any, data_keys: dict[str, bytes]) -> str:
    if row.payload is None:
        return PURGED
    try:
        content = unseal(
            pledge.keys,
            row.payload,
            payload_aad(Kind.EMAIL, row.id),
            row.payload_key,
            data_keys.get(row.subject_id) if row.subject_id else None,
        )
    except Shredded:
        return ERASED
    except DecryptionFailed:
        return "-"
    return str(content.get("to", ""))
