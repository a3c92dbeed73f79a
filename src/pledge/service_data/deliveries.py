"""A Client's webhook deliveries as it may see them: delivered, retrying or failed.

Never the payload, and never what its endpoint answered (HTTP codes, error classes):
a Client that could read those could use Pledge to probe networks it cannot reach
itself (issue #11, item 12). Staff see the detail in the console and ``pledge outbox``.
Deliveries withdrawn by the Client's own erasure or restriction request are not listed:
they concern a customer whose data the Client asked to be erased or held back.
"""

from __future__ import annotations

from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import WebhookDelivery
from pledge.service_data.schemas import Delivery

LISTED = 200
CLIENT_STATUS = {"delivered": "delivered", "pending": "retrying", "dead": "failed"}
"""The domain status of a delivery, as the Client sees it."""


def client_deliveries(pledge: Pledge, client_id: str) -> list[Delivery]:
    """The Client's latest deliveries, newest first."""
    with pledge.sessions() as session:
        rows = session.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.client_id == client_id,
                WebhookDelivery.status.in_(list(CLIENT_STATUS)),
            )
            .order_by(WebhookDelivery.created_at.desc())
            .limit(LISTED)
        ).all()
    return [_delivery(row) for row in rows]


def _delivery(row: WebhookDelivery) -> Delivery:
    return Delivery(
        id=row.id,
        conversation_id=row.conversation_id,
        status=CLIENT_STATUS[row.status],
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        delivered_at=row.delivered_at,
    )
