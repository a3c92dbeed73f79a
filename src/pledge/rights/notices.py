"""Telling recipients about an erasure, correction or restriction.

A notice is queued in the fulfilment transaction. Where the policy gives the
recipient a ``webhook_url``, a delivery of kind ``recipient_notice``
(:mod:`pledge.delivery`) of the same id is queued with it: an opaque
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
to the POST itself, redirects are not followed, and a recipient that refuses
it (4xx) or keeps failing until the attempts run out gets ``failed``, with
a ``recipient_notice_failed`` step on the timeline, so staff see it needs a hand.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import Delivery, RecipientNotice, RightsRequest
from pledge.delivery import Endpoint, Finished, Kind, Status, enqueue
from pledge.policy import Policy
from pledge.rights.lifecycle import add_event, load

log = logging.getLogger(__name__)


def queue_notice(
    session: Session,
    pledge: Pledge,
    *,
    request_id: str,
    recipient_id: str,
    action: str,
    categories: Iterable[str],
    now: datetime,
) -> RecipientNotice:
    """A notice for staff, and its webhook delivery where the recipient has a webhook."""
    notice = RecipientNotice(
        id=new_id(),
        request_id=request_id,
        recipient_id=recipient_id,
        action=action,
        status="queued",
        attempts=0,
        created_at=now,
    )
    session.add(notice)
    recipient = pledge.policy.recipient(recipient_id)
    if recipient is not None and recipient.webhook_url:
        _enqueue(session, pledge, notice, set(categories), now)
    return notice


def _enqueue(
    session: Session, pledge: Pledge, notice: RecipientNotice, categories: set[str], now: datetime
) -> None:
    body = notice_body(pledge.policy, notice, {"categories": sorted(categories)})
    enqueue(
        session,
        pledge.keys,
        kind=Kind.RECIPIENT_NOTICE,
        template=notice.action,
        content=json.dumps(body),
        target=notice.recipient_id,
        delivery_id=notice.id,
        now=now,
    )


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


def queue_hooked_notices(pledge: Pledge) -> int:
    """Give a delivery to each queued notice whose recipient has a webhook but no delivery yet.

    Notices queued before their recipient had a ``webhook_url`` (or before the
    outbox carried notices) are waiting for staff; once the policy names a
    webhook they go out by it, as they always did. Returns how many were queued.
    """
    hooked = [r.id for r in pledge.policy.recipients if r.webhook_url]
    if not hooked:
        return 0
    try:
        return _queue_hooked(pledge, hooked)
    except IntegrityError:
        # Another worker's pass gave these notices their deliveries first (same ids).
        log.info("hooked notices were queued by another worker")
        return 0


def _queue_hooked(pledge: Pledge, hooked: list[str]) -> int:
    with pledge.transaction() as session:
        rows = session.execute(
            select(RecipientNotice, RightsRequest.result)
            .join(RightsRequest, RightsRequest.id == RecipientNotice.request_id)
            .outerjoin(Delivery, Delivery.id == RecipientNotice.id)
            .where(
                RecipientNotice.status == "queued",
                RecipientNotice.recipient_id.in_(hooked),
                Delivery.id.is_(None),
            )
            .order_by(RecipientNotice.created_at)
            .limit(500)
        ).all()
        now = utcnow()
        for notice, result in rows:
            _enqueue(session, pledge, notice, set((result or {}).get("categories") or []), now)
    return len(rows)


def recipient_endpoint(pledge: Pledge, recipient_id: str) -> Endpoint | None:
    """The recipient's webhook in the policy in force, with its derived signing secret."""
    recipient = pledge.policy.recipient(recipient_id)
    if recipient is None or not recipient.webhook_url:
        return None
    return Endpoint(str(recipient.webhook_url), pledge.keys.recipient_webhook_secret(recipient_id))


def record_outcome(session: Session, finished: Finished) -> None:
    """Mirror a recorded attempt onto the notice, and put sent or failed on the timeline."""
    notice = session.get(RecipientNotice, finished.id)
    if notice is None:
        return
    if finished.attempts:
        notice.attempts += 1
        notice.last_status = finished.code or finished.error
    if finished.status == Status.PENDING:
        notice.status = "queued"
    elif finished.status == Status.SENT:
        notice.status, notice.sent_at = "sent", finished.at
        _event(session, notice, "recipient_notified", finished.at, "was told")
    elif finished.status == Status.DEAD:
        log.warning("notice %s to %s not delivered", notice.id, notice.recipient_id)
        notice.status = "failed"
        _event(
            session, notice, "recipient_notice_failed", finished.at, "could not be told by webhook"
        )


def _event(session: Session, notice: RecipientNotice, event: str, now: datetime, what: str) -> None:
    add_event(
        session,
        load(session, notice.request_id),
        event,
        actor="system",
        at=now,
        note=f"{notice.recipient_id} {what}.",
        details={"recipient": notice.recipient_id, "action": notice.action},
    )
