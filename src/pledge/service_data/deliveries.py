"""A Client's webhook deliveries as it may see them: status and attempts, never the payload."""

from __future__ import annotations

from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import WebhookDelivery
from pledge.service_data.schemas import Delivery

LISTED = 200


def client_deliveries(pledge: Pledge, client_id: str) -> list[Delivery]:
    """The Client's latest deliveries, newest first."""
    with pledge.sessions() as session:
        rows = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.client_id == client_id)
            .order_by(WebhookDelivery.created_at.desc())
            .limit(LISTED)
        ).all()
    return [_delivery(row) for row in rows]


def _delivery(row: WebhookDelivery) -> Delivery:
    return Delivery(
        id=row.id,
        conversation_id=row.conversation_id,
        status=row.status,
        attempts=row.attempts,
        last_status=row.last_status,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        delivered_at=row.delivered_at,
    )
