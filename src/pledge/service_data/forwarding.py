"""Forwarding collected fields to the Client's webhook, signed, retried until acknowledged.

Each body is signed with the Client's secret (:mod:`pledge.crypto.webhook_signing`),
so the Client can check origin and freshness; the delivery id is the same on
every retry.

Deliveries are claimed with a short lease, so several workers never post the
same one at once, and a crashed worker's claim simply expires.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.crypto.webhook_signing import signed_headers
from pledge.db.base import utcnow
from pledge.db.models import WebhookDelivery
from pledge.service_data.clients import load_client

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10.0
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … capped at an hour; a Client that is down for a day still gets it."""
    return min(timedelta(seconds=10 * 2 ** min(attempts, 20)), MAX_BACKOFF)


@dataclass(frozen=True)
class WebhookReport:
    delivered: int
    retried: int


def deliver_webhooks(
    pledge: Pledge, *, limit: int = 50, transport: httpx.BaseTransport | None = None
) -> WebhookReport:
    """Post due deliveries; a test may pass an httpx transport (the real path uses none)."""
    delivered = retried = 0
    with httpx.Client(timeout=TIMEOUT_SECONDS, transport=transport) as http:
        for _ in range(limit):
            claimed = _claim(pledge)
            if claimed is None:
                break
            if _post(pledge, http, claimed):
                delivered += 1
            else:
                retried += 1
    return WebhookReport(delivered, retried)


def _claim(pledge: Pledge) -> tuple[str, str, bytes, int] | None:
    """Take one due delivery under a lease; returns (id, client id, payload, attempts)."""
    now = utcnow()
    with pledge.transaction() as session:
        query = (
            select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = session.scalar(query)
        if row is None or row.payload is None:
            return None
        row.next_attempt_at = now + LEASE
        return row.id, row.client_id, row.payload, row.attempts


def _post(pledge: Pledge, http: httpx.Client, claimed: tuple[str, str, bytes, int]) -> bool:
    delivery_id, client_id, payload, attempts = claimed
    _client, instructions, secret = load_client(pledge, client_id)
    body = str(pledge.keys.decrypt_system(payload, f"webhook:{delivery_id}")).encode()
    if instructions.webhook_url is None or secret is None:
        _finish(pledge, delivery_id, "no webhook configured", None)
        return False
    headers = signed_headers(secret, body, delivery_id)
    try:
        response = http.post(str(instructions.webhook_url), content=body, headers=headers)
        status = str(response.status_code)
        ok = 200 <= response.status_code < 300
    except httpx.HTTPError as exc:
        status, ok = type(exc).__name__, False
    _finish(pledge, delivery_id, status, None if ok else utcnow() + backoff(attempts))
    if not ok:
        log.info("webhook delivery %s not acknowledged (%s); will retry", delivery_id, status)
    return ok


def _finish(pledge: Pledge, delivery_id: str, status: str, retry_at: datetime | None) -> None:
    with pledge.transaction() as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None or row.status != "pending":
            return  # cancelled meanwhile (erasure or restriction)
        row.attempts += 1
        row.last_status = status
        if retry_at is None and status.isdigit():
            row.status, row.payload, row.delivered_at = "delivered", None, utcnow()
            audit.append(
                session,
                action="service.webhook_delivered",
                actor="system",
                object_type="webhook_delivery",
                object_id=row.id,
                details={"client_id": row.client_id, "attempts": row.attempts},
            )
        else:
            row.next_attempt_at = retry_at or utcnow() + MAX_BACKOFF


def cancel_deliveries(session: Session, customer_id: str) -> int:
    """Drop pending deliveries of a customer (erasure, restriction); returns how many."""
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.customer_id == customer_id, WebhookDelivery.status == "pending")
        .values(status="cancelled", payload=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
