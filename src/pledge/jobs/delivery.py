"""The delivery engine wired to the domain: channels, callbacks, and the pass the runners repeat.

Why here: :mod:`pledge.delivery` sits below ``rights`` and ``service_data``
and may not import them, yet a Client's webhook lives in ``service_data`` and
a notice's timeline in ``rights``. This module, above both, hands each kind's
channel the domain's functions: where a target id points, and what to update
when an outcome is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.models import Delivery
from pledge.delivery import (
    Channel,
    DeliveryReport,
    Finished,
    Kind,
    OnOutcome,
    Status,
    WebhookGuard,
    deliver_due,
    mail_channel,
    revive,
    webhook_channel,
)
from pledge.rights import lifting, notices
from pledge.rights.connected.channel import connector_channel
from pledge.rights.connected.channel import record_outcome as record_task_outcome
from pledge.service_data import forwarding

log = logging.getLogger(__name__)

MAIL_KINDS: tuple[str, ...] = (Kind.EMAIL,)
WEBHOOK_KINDS: tuple[str, ...] = (Kind.CLIENT_WEBHOOK, Kind.RECIPIENT_NOTICE)
"""The two queues' kinds: a slow receiver of a webhook never holds up mail."""
SYSTEM_KINDS: tuple[str, ...] = (Kind.CONNECTOR,)
"""A third queue: a connected system that is slow or down holds up no mail or webhook."""

CALLBACKS: dict[str, OnOutcome] = {
    Kind.CLIENT_WEBHOOK: forwarding.record_outcome,
    Kind.RECIPIENT_NOTICE: notices.record_outcome,
}
"""Who hears of each kind's webhook outcomes; mail's is :func:`mail_outcome`."""


def mail_outcome(pledge: Pledge) -> OnOutcome:
    """Mail's callback: a delivered restriction-lift notice lifts the restriction."""

    def record(session: Session, finished: Finished) -> None:
        lifting.record_mail_outcome(pledge, session, finished)

    return record


def channels(pledge: Pledge, kinds: Iterable[str] = tuple(Kind)) -> list[Channel[Any]]:
    """The channels of ``kinds``; mail only when ``PLEDGE_SMTP_URL`` is set."""
    settings = pledge.settings
    wanted = set(kinds)
    built: list[Channel[Any]] = []
    if Kind.EMAIL in wanted and settings.smtp_url:
        built.append(mail_channel(settings, on_outcome=mail_outcome(pledge)))
    if Kind.CLIENT_WEBHOOK in wanted:
        built.append(
            webhook_channel(
                Kind.CLIENT_WEBHOOK,
                lambda client_id: forwarding.client_endpoint(pledge, client_id),
                settings,
                on_outcome=CALLBACKS[Kind.CLIENT_WEBHOOK],
                audit=forwarding.AUDIT,
                guard=WebhookGuard.from_settings(settings),  # Client URLs: public https only
            )
        )
    if Kind.RECIPIENT_NOTICE in wanted:
        built.append(
            webhook_channel(
                Kind.RECIPIENT_NOTICE,
                lambda recipient_id: notices.recipient_endpoint(pledge, recipient_id),
                settings,
                on_outcome=CALLBACKS[Kind.RECIPIENT_NOTICE],
            )
        )
    if Kind.CONNECTOR in wanted:
        built.append(connector_channel(pledge))
    return built


def deliver(pledge: Pledge, kinds: Iterable[str] = tuple(Kind)) -> DeliveryReport:
    """One pass over everything due: mail, Client webhooks, recipient notices."""
    kinds = set(kinds)
    if Kind.RECIPIENT_NOTICE in kinds:
        notices.queue_hooked_notices(pledge)
    held = 0
    if Kind.EMAIL in kinds and not pledge.settings.smtp_url:
        held = _hold_without_smtp(pledge, pledge.settings.delivery_batch)
    reports = deliver_due(pledge, channels(pledge, kinds)).values()
    return DeliveryReport(
        sent=sum(r.sent for r in reports),
        retried=sum(r.retried for r in reports),
        dead=sum(r.dead for r in reports),
        lost=sum(r.lost for r in reports),
        held=held,
    )


def deliver_outbox(pledge: Pledge) -> DeliveryReport:
    """Mail only: what tests and callers that just queued a mail want sent now."""
    return deliver(pledge, [Kind.EMAIL])


def retry_delivery(pledge: Pledge, delivery_id: str, *, actor: str) -> None:
    """Revive a dead delivery, telling its kind's domain it is pending again."""
    with pledge.sessions() as session:
        kind = session.scalar(select(Delivery.kind).where(Delivery.id == delivery_id))
    callback = (
        mail_outcome(pledge)
        if kind == Kind.EMAIL
        else record_task_outcome(pledge)
        if kind == Kind.CONNECTOR
        else CALLBACKS.get(kind or "")
    )
    revive(pledge, delivery_id, actor=actor, on_outcome=callback)


class _HeldLogged:
    """Per Pledge instance: the ids already reported as held, so each is logged once."""

    def __init__(self) -> None:
        self.ids: set[str] = set()


def _hold_without_smtp(pledge: Pledge, limit: int) -> int:
    """Leave pending mail untouched and log each newly seen message once, by id."""
    with pledge.sessions() as session:
        rows = session.execute(
            select(Delivery.id, Delivery.template)
            .where(Delivery.kind == Kind.EMAIL, Delivery.status == Status.PENDING)
            .order_by(Delivery.created_at.desc())
            .limit(limit)
        ).all()
    held = pledge.state(_HeldLogged, _HeldLogged)
    for message_id, template in rows:
        if message_id not in held.ids:
            log.info(
                "mail %s (%s) kept in the outbox: PLEDGE_SMTP_URL is not set", message_id, template
            )
    # The newest ``limit`` ids only move forward while nothing is sent, so remembering
    # this window is enough to log each id once and keeps the memory bounded.
    held.ids = {message_id for message_id, _template in rows}
    return len(rows)
