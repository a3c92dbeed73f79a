"""The two channel shapes every kind so far fits: mail over SMTP, and signed webhooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from email.utils import parseaddr
from typing import Any

from pledge.delivery.addresses import WebhookGuard
from pledge.delivery.channel import AuditNames, Channel, Claimed, OnOutcome
from pledge.delivery.kinds import Kind
from pledge.delivery.outcome import Outcome
from pledge.delivery.smtp import MailContent, SmtpTransport
from pledge.delivery.webhook import Endpoint, WebhookPost, WebhookTransport
from pledge.settings import Settings

MAIL_AUDIT = AuditNames(object_type="outbox", sent="mail.sent", dead="mail.failed")

Resolve = Callable[[str], Endpoint | Outcome | None]
"""A target id (a Client id, a recipient id) to its webhook, None when it has none, or the
outcome of refusing to send to it now (a disabled Client)."""


def mail_channel(settings: Settings, on_outcome: OnOutcome | None = None) -> Channel[MailContent]:
    """Mail to ``PLEDGE_SMTP_URL``; the caller checks that one is set."""
    assert settings.smtp_url is not None
    sender = settings.smtp_from

    def prepare(claimed: Claimed, payload: Any) -> MailContent | Outcome:
        return with_message_id(MailContent.from_json(payload), claimed.id, sender)

    return Channel(
        kind=Kind.EMAIL,
        transport=SmtpTransport(settings.smtp_url, sender, settings.smtp_deadline_seconds),
        prepare=prepare,
        on_outcome=on_outcome,
        audit=MAIL_AUDIT,
        keep_sent_payload=True,
    )


def with_message_id(mail: MailContent, delivery_id: str, sender: str) -> MailContent:
    """A Message-ID made of the delivery id, so a resend after a crash is recognisable."""
    if any(name.lower() == "message-id" for name in mail.headers):
        return mail
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pledge.invalid"
    return replace(mail, headers={**mail.headers, "Message-ID": f"<{delivery_id}@{domain}>"})


def webhook_channel(
    kind: str,
    resolve: Resolve,
    settings: Settings,
    *,
    on_outcome: OnOutcome | None = None,
    audit: AuditNames | None = None,
    guard: WebhookGuard | None = None,
) -> Channel[WebhookPost]:
    """Signed POSTs of the stored body to wherever ``resolve`` says the target's webhook is.

    The endpoint is looked up at sending time, not stored with the delivery: a
    Client that moves its webhook or a policy that changes a recipient's gets
    the deliveries still pending there too, and a Client disabled after a worker took
    its delivery is refused here, just before the POST. A ``guard`` (Client webhooks) refuses
    non-public addresses and plain http at every connection.
    """

    def prepare(claimed: Claimed, payload: Any) -> WebhookPost | Outcome:
        endpoint = resolve(claimed.target) if claimed.target else None
        if endpoint is None:
            return Outcome.dead("no webhook configured for the target", code="no_endpoint")
        if isinstance(endpoint, Outcome):
            return endpoint
        return WebhookPost(endpoint, str(payload).encode(), claimed.id)

    return Channel(
        kind=kind,
        transport=WebhookTransport(settings.webhook_deadline_seconds, guard=guard),
        prepare=prepare,
        on_outcome=on_outcome,
        audit=audit,
    )
