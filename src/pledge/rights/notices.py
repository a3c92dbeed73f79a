"""Telling recipients about an erasure, correction or restriction.

A notice is queued in the fulfilment transaction. Where the policy gives the
recipient a ``webhook_url``, this task posts the notice there: an opaque
reference (the notice and request ids), the action and the categories
concerned, and no personal data; the recipient learns who the person is only
through the agreed channel, quoting the reference. Otherwise the notice stays
``queued`` for staff to send by hand. Its status shows on the request.

Each post is signed (:mod:`pledge.crypto.webhook_signing`) with the
recipient's own secret, derived from the master key
(:meth:`pledge.crypto.KeyManager.recipient_webhook_secret`; ``pledge
recipients secret ID`` prints it for the recipient to configure): a
notice asks the recipient to erase or correct data, so it must not take a
forged one. The delivery id is the notice id.

Delivery is at least once: a notice is marked ``sent`` only on a 2xx answer
to the POST itself. Redirects are not followed (urllib would turn the POST
into a GET elsewhere and count its 200 as a delivery). A recipient that
fails :data:`MAX_ATTEMPTS` times gets ``failed``, so staff see it needs a hand.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from pledge.core import Pledge
from pledge.crypto.webhook_signing import signed_headers
from pledge.db.base import utcnow
from pledge.db.models import RecipientNotice, RightsRequest
from pledge.policy import Policy
from pledge.rights.lifecycle import add_event, load

log = logging.getLogger(__name__)

Post = Callable[[str, bytes, dict[str, str]], int]
"""Sends a JSON body with headers to a URL and returns the HTTP status; tests swap it."""

MAX_ATTEMPTS = 10


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failure to deliver, never a reason to send elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` with ``headers``; the HTTP status, also for error answers (no redirects)."""
    request = urllib.request.Request(  # noqa: S310 (URLs come from the operator's policy)
        url, data=body, headers=headers, method="POST"
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


def deliver_recipient_notices(pledge: Pledge, *, post: Post = http_post, limit: int = 50) -> int:
    """Post queued notices to recipients with a webhook; returns how many were sent."""
    hooks = {r.id: r.webhook_url for r in pledge.policy.recipients if r.webhook_url}
    if not hooks:
        return 0
    with pledge.sessions() as session:
        rows = session.execute(
            select(RecipientNotice, RightsRequest.result)
            .join(RightsRequest, RightsRequest.id == RecipientNotice.request_id)
            .where(
                RecipientNotice.status == "queued",
                RecipientNotice.recipient_id.in_(list(hooks)),
                RecipientNotice.attempts < MAX_ATTEMPTS,
            )
            .order_by(RecipientNotice.created_at)
            .limit(limit)
        ).all()
    sent = 0
    for notice, result in rows:
        body = json.dumps(notice_body(pledge.policy, notice, result or {})).encode()
        secret = pledge.keys.recipient_webhook_secret(notice.recipient_id)
        headers = signed_headers(secret, body, notice.id)
        status = _send(hooks[notice.recipient_id], body, headers, post)
        sent += _record(pledge, notice.id, status)
    return sent


def notice_body(policy: Policy, notice: RecipientNotice, result: dict[str, Any]) -> dict[str, Any]:
    """What the recipient is told: the reference, the action, and the categories concerned.

    The categories are those the request touched (``result["categories"]``)
    that the policy gives this recipient; never values, never the person.
    """
    recipient = policy.recipient(notice.recipient_id)
    theirs = set(recipient.categories) if recipient else set()
    return {
        "notice_id": notice.id,
        "request_id": notice.request_id,
        "action": notice.action,
        "categories": sorted(set(result.get("categories") or []) & theirs),
    }


def _send(url: str, body: bytes, headers: dict[str, str], post: Post) -> str:
    try:
        return str(post(url, body, headers))
    except Exception as exc:  # unreachable, timeout: its class only, never its message
        return type(exc).__name__


def _record(pledge: Pledge, notice_id: str, status: str) -> int:
    with pledge.transaction() as session:
        notice = session.get(RecipientNotice, notice_id, with_for_update=True)
        if notice is None or notice.status != "queued":
            return 0
        notice.attempts += 1
        notice.last_status = status
        now = utcnow()
        if not status.startswith("2"):
            log.warning("notice %s to %s not delivered: %s", notice.id, notice.recipient_id, status)
            if notice.attempts >= MAX_ATTEMPTS:
                notice.status = "failed"
                _event(
                    session, notice, "recipient_notice_failed", now, "could not be told by webhook"
                )
            return 0
        notice.status, notice.sent_at = "sent", now
        _event(session, notice, "recipient_notified", now, "was told")
        return 1


def _event(session: Any, notice: RecipientNotice, event: str, now: Any, what: str) -> None:
    add_event(
        session,
        load(session, notice.request_id),
        event,
        actor="system",
        at=now,
        note=f"{notice.recipient_id} {what}.",
        details={"recipient": notice.recipient_id, "action": notice.action},
    )
