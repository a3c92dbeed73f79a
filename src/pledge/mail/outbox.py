"""Queue mail in the caller's transaction, and read it back for delivery.

Why an outbox rather than sending straight away: a mail that announces a
change (a verification code, a request acknowledgement) must exist exactly
when the change exists. Writing it in the same transaction means a rollback
drops both, a commit keeps both, and an SMTP server that is down only delays
the mail. The payload is encrypted with the system key, bound to its row id,
because it holds addresses and one-time codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pledge import audit
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.models import OutboxMessage
from pledge.db.wakeups import Work, wake_after_commit


@dataclass(frozen=True)
class MailContent:
    """The decrypted message: what must never reach a log line."""

    to: str
    subject: str
    body: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def payload_aad(message_id: str) -> str:
    """Associated data binding a payload to its row, so it cannot be moved to another."""
    return f"outbox:{message_id}"


def queue_mail(
    session: Session,
    keys: KeyManager,
    *,
    to: str,
    subject: str,
    body: str,
    template: str,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    subject_id: str | None = None,
) -> OutboxMessage:
    """Add an encrypted mail and its ``mail.queued`` audit entry; the caller commits.

    ``template`` names what the mail is (``verification_code``...) and is the
    only thing about it that appears in logs and the audit trail. After the
    commit the job runners are woken (:func:`pledge.db.wakeups.wake_after_commit`),
    so it goes out promptly.
    """
    message_id = new_id()
    content = MailContent(to=to, subject=subject, body=body, html=html, headers=headers or {})
    message = OutboxMessage(
        id=message_id,
        kind="email",
        template=template,
        payload=keys.encrypt_system(_to_json(content), aad=payload_aad(message_id)),
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    session.add(message)
    wake_after_commit(session, Work.DELIVERY)
    audit.append(
        session,
        action="mail.queued",
        actor="system",
        object_type="outbox",
        object_id=message_id,
        subject_id=subject_id,
        details={"template": template},
    )
    return message


def read_mail(keys: KeyManager, message: OutboxMessage) -> MailContent:
    """Decrypt a queued message; raises ``DecryptionFailed`` under another master key."""
    data = keys.decrypt_system(message.payload, aad=payload_aad(message.id))
    return MailContent(
        to=str(data["to"]),
        subject=str(data["subject"]),
        body=str(data["body"]),
        html=None if data.get("html") is None else str(data["html"]),
        headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
    )


def _to_json(content: MailContent) -> dict[str, Any]:
    return {
        "to": content.to,
        "subject": content.subject,
        "body": content.body,
        "html": content.html,
        "headers": dict(content.headers),
    }
