"""Forwarding collected fields to the Client's webhook, signed, retried until acknowledged.

A conversation's collected fields are queued in the ingestion transaction as a
delivery of kind ``client_webhook`` (:mod:`pledge.delivery`), which signs each
POST with the Client's secret, retries with back-off and never loses one. The
``webhook_deliveries`` row of the same id is what the Client and staff see;
:func:`record_outcome` keeps it in step with the delivery, and
:func:`cancel_deliveries` withdraws what a customer's erasure or restriction
must stop. The delivery id is the same on every retry (``X-Pledge-Delivery``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.base import new_id
from pledge.db.models import WebhookDelivery
from pledge.delivery import (
    AuditNames,
    Endpoint,
    Finished,
    Kind,
    Outcome,
    Status,
    cancel,
    cancel_target,
    enqueue,
)
from pledge.errors import NotFound
from pledge.service_data.clients import load_client

TEMPLATE = "conversation.collected"
AUDIT = AuditNames(
    object_type="webhook_delivery",
    sent="service.webhook_delivered",
    dead="service.webhook_failed",
    target_detail="client_id",
)
"""The audit entries of a Client webhook's outcome (ids only)."""

CLIENT_DISABLED = "client_disabled"
"""The reason a disabled Client's deliveries carry (``last_error``, ``last_status``)."""

_DOMAIN_STATUS = {Status.SENT: "delivered", Status.DEAD: "dead", Status.PENDING: "pending"}


def queue_forwarding(
    pledge: Pledge,
    session: Session,
    *,
    client_id: str,
    conversation_id: str,
    customer_id: str,
    body: dict[str, Any],
    now: datetime,
) -> str:
    """Queue ``body`` for the Client's webhook in the caller's transaction; returns its id."""
    delivery_id = new_id()
    session.add(
        WebhookDelivery(
            id=delivery_id,
            client_id=client_id,
            conversation_id=conversation_id,
            customer_id=customer_id,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
    )
    enqueue(
        session,
        pledge.keys,
        kind=Kind.CLIENT_WEBHOOK,
        template=TEMPLATE,
        content=json.dumps(body, separators=(",", ":"), sort_keys=True),
        target=client_id,
        delivery_id=delivery_id,
        now=now,
    )
    return delivery_id


def client_endpoint(pledge: Pledge, client_id: str) -> Endpoint | Outcome | None:
    """Where the Client's webhooks go now, None if it has none (or no longer exists), or a
    refusal when it is disabled: asked just before each POST, so a delivery a worker took
    before the Client was disabled is not sent after it."""
    try:
        client, instructions, secret = load_client(pledge, client_id)
    except NotFound:
        return None
    if client.disabled_at is not None:
        return Outcome.dead("the Client is disabled", code=CLIENT_DISABLED)
    if instructions.webhook_url is None or secret is None:
        return None
    return Endpoint(str(instructions.webhook_url), secret)


def record_outcome(session: Session, finished: Finished) -> None:
    """Mirror a recorded attempt (or a revival) onto the Client's view of the delivery."""
    row = session.get(WebhookDelivery, finished.id)
    if row is None or row.status == "cancelled":
        return
    if finished.attempts:
        row.attempts += 1
        row.last_status = finished.code or finished.error
    row.status = _DOMAIN_STATUS.get(Status(finished.status), row.status)
    row.next_attempt_at = finished.next_attempt_at
    if finished.status == Status.SENT:
        row.delivered_at = finished.at


def cancel_client_deliveries(session: Session, client_id: str, *, reason: str) -> int:
    """Withdraw every undelivered webhook delivery of a Client (pending, being sent, or
    dead), noting ``reason``; returns how many. The caller commits."""
    ids = cancel_target(session, Kind.CLIENT_WEBHOOK, client_id, reason=reason)
    if ids:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .values(status="cancelled", last_status=reason)
        )
    return len(ids)


def cancel_deliveries(session: Session, customer_id: str) -> int:
    """Withdraw a customer's undelivered deliveries (erasure, restriction); returns how many."""
    ids = list(
        session.scalars(
            select(WebhookDelivery.id).where(
                WebhookDelivery.customer_id == customer_id,
                WebhookDelivery.status.in_(["pending", "dead"]),
            )
        )
    )
    if not ids:
        return 0
    cancel(session, ids)
    session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(status="cancelled")
    )
    return len(ids)
