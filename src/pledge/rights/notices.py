"""Telling recipients about an erasure, correction or restriction.

A notice is queued in the fulfilment transaction. Where the policy gives the
recipient a ``webhook_url``, this task posts the notice there (request id,
action and categories: no personal data, the recipient looks the person up in
its own system through the request id when we send the details by the agreed
channel); otherwise the notice stays ``queued`` for staff to send by hand, and
its status shows on the request.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import RecipientNotice
from pledge.rights.base import add_event, load

log = logging.getLogger(__name__)

Post = Callable[[str, bytes], int]
"""Sends a JSON body to a URL and returns the HTTP status; tests swap it."""

MAX_ATTEMPTS = 10


def http_post(url: str, body: bytes) -> int:
    request = urllib.request.Request(  # noqa: S310 (URLs come from the operator's policy)
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return int(response.status)


def deliver_recipient_notices(pledge: Pledge, *, post: Post = http_post, limit: int = 50) -> int:
    """Post queued notices to recipients with a webhook; returns how many were sent."""
    hooks = {r.id: r.webhook_url for r in pledge.policy.recipients if r.webhook_url}
    if not hooks:
        return 0
    with pledge.sessions() as session:
        notices = session.scalars(
            select(RecipientNotice)
            .where(
                RecipientNotice.status == "queued",
                RecipientNotice.recipient_id.in_(list(hooks)),
                RecipientNotice.attempts < MAX_ATTEMPTS,
            )
            .order_by(RecipientNotice.created_at)
            .limit(limit)
        ).all()
    sent = 0
    for notice in notices:
        status = _send(notice, hooks[notice.recipient_id], post)
        sent += _record(pledge, notice.id, status)
    return sent


def _send(notice: RecipientNotice, url: str, post: Post) -> str:
    body: dict[str, Any] = {
        "notice_id": notice.id,
        "request_id": notice.request_id,
        "action": notice.action,
    }
    try:
        return str(post(url, json.dumps(body).encode()))
    except Exception as exc:
        return type(exc).__name__


def _record(pledge: Pledge, notice_id: str, status: str) -> int:
    with pledge.transaction() as session:
        notice = session.get(RecipientNotice, notice_id, with_for_update=True)
        if notice is None or notice.status != "queued":
            return 0
        notice.attempts += 1
        notice.last_status = status
        if not status.startswith("2"):
            log.warning("notice %s to %s not delivered: %s", notice.id, notice.recipient_id, status)
            return 0
        now = utcnow()
        notice.status, notice.sent_at = "sent", now
        add_event(
            session,
            load(session, notice.request_id),
            "recipient_notified",
            actor="system",
            at=now,
            note=f"Told {notice.recipient_id}.",
            details={"recipient": notice.recipient_id},
        )
        return 1
