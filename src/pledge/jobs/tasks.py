"""Background work as plain functions of a :class:`~pledge.core.Pledge`.

Why plain functions: the same code runs in-process on SQLite
(:mod:`pledge.jobs.inprocess`) and under procrastinate on PostgreSQL
(:mod:`pledge.jobs.procrastinate_app`), and tests call it directly.

Outbox delivery takes a *lease* on each message before sending it: a short
transaction claims the message (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
concurrent workers never pick the same row) and moves its ``next_attempt_at``
forward by :data:`LEASE`. The SMTP conversation then happens with no lock and
no transaction open, and a second short transaction records the outcome only
if the lease is still ours. A worker that dies mid-send leaves the message to
be retried when the lease runs out: mail is sent at least once, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy import select

from pledge import audit
from pledge.crypto.aead import DecryptionFailed
from pledge.db.base import utcnow
from pledge.db.models import OutboxMessage
from pledge.mail.outbox import MailContent, read_mail
from pledge.mail.smtp import PermanentDeliveryError, TemporaryDeliveryError, send_via_smtp

if TYPE_CHECKING:
    from pledge.core import Pledge

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery pass did; counts only, so it is safe to log."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Attempt:
    """The result of trying one message; ``error`` never holds personal data."""

    outcome: Outcome
    error: str | None = None
    stop_pass: bool = False


@dataclass(frozen=True)
class PeriodicTask:
    """A task both runners repeat every ``interval`` seconds.

    ``on_notify`` tasks also run as soon as a commit that queued work (:mod:`pledge.db.wakeups`)
    is called, so mail goes out without waiting for the next tick.
    """

    name: str
    function: Callable[[Pledge], object]
    interval: int
    on_notify: bool = False


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after ``attempts`` failures: 30 s, 60 s, ... capped at 1 h."""
    exponent = min(max(attempts - 1, 0), 20)
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2**exponent, MAX_RETRY_SECONDS))


def error_name(exc: BaseException) -> str:
    """An exception's class, never its message: messages can quote addresses or SQL values."""
    return type(exc).__name__


def deliver_outbox(pledge: Pledge, *, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` due mails; without ``PLEDGE_SMTP_URL`` keep them and say so."""
    url = pledge.settings.smtp_url
    if not url:
        return DeliveryReport(held=_hold_without_smtp(pledge, limit))
    counts = dict.fromkeys(Outcome, 0)
    for _ in range(limit):
        message = _claim_next(pledge)
        if message is None:
            break
        attempt = _attempt(pledge, url, message)
        _record(pledge, message, attempt)
        counts[attempt.outcome] += 1
        if attempt.stop_pass:
            break
    return DeliveryReport(
        sent=counts[Outcome.SENT], retried=counts[Outcome.RETRY], failed=counts[Outcome.FAILED]
    )


def seal_audit(pledge: Pledge) -> int:
    """Seal pending audit entries into the hash chain (safe on several workers)."""
    return pledge.seal_audit()


def _claim_next(pledge: Pledge) -> OutboxMessage | None:
    """Lease the most overdue pending mail, skipping rows another worker holds."""
    now = utcnow()
    with pledge.transaction() as session:
        message = session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.kind == "email",
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            return None
        message.next_attempt_at = _lease_until(now)
        return message


def _lease_until(now: datetime) -> datetime:
    # Whole milliseconds survive every backend's timestamp round trip unchanged.
    lease = now + LEASE
    return lease.replace(microsecond=lease.microsecond // 1000 * 1000)


def _attempt(pledge: Pledge, url: str, message: OutboxMessage) -> Attempt:
    """Decrypt and send one message, turning every failure into a safe description."""
    try:
        mail = _with_message_id(read_mail(pledge.keys, message), message.id, pledge)
        send_via_smtp(url, pledge.settings.smtp_from, mail)
    except PermanentDeliveryError as exc:
        return Attempt(Outcome.FAILED, str(exc))
    except TemporaryDeliveryError as exc:
        return Attempt(Outcome.RETRY, str(exc), stop_pass=exc.server_unreachable)
    except DecryptionFailed:
        log.error("outbox message %s cannot be decrypted with this master key", message.id)
        return Attempt(Outcome.RETRY, "payload does not decrypt with this master key")
    except Exception as exc:
        log.error("sending outbox message %s failed: %s", message.id, error_name(exc))
        return Attempt(Outcome.RETRY, f"unexpected error: {error_name(exc)}", stop_pass=True)
    return Attempt(Outcome.SENT)


def _with_message_id(mail: MailContent, message_id: str, pledge: Pledge) -> MailContent:
    """A Message-ID derived from the outbox id, so a resend after a crash is recognisable."""
    if any(name.lower() == "message-id" for name in mail.headers):
        return mail
    domain = parseaddr(pledge.settings.smtp_from)[1].rpartition("@")[2] or "pledge.invalid"
    return replace(mail, headers={**mail.headers, "Message-ID": f"<{message_id}@{domain}>"})


def _record(pledge: Pledge, claimed: OutboxMessage, attempt: Attempt) -> None:
    """Write the outcome, unless the lease ran out and another worker took the message."""
    with pledge.transaction() as session:
        message = session.get(OutboxMessage, claimed.id, with_for_update=True)
        if message is None or not _still_leased(message, claimed):
            log.warning("outbox message %s: lease lost before the outcome was saved", claimed.id)
            return
        now = utcnow()
        message.attempts += 1
        message.last_error = attempt.error
        if attempt.outcome is Outcome.SENT:
            message.status, message.sent_at = "sent", now
        elif attempt.outcome is Outcome.FAILED:
            message.status = "failed"
        else:
            message.next_attempt_at = now + retry_delay(message.attempts)
        _log_outcome(message, attempt)
        if attempt.outcome is not Outcome.RETRY:
            audit.append(
                session,
                action=f"mail.{message.status}",
                actor="system",
                object_type="outbox",
                object_id=message.id,
                details={"template": message.template, "attempts": message.attempts},
            )


def _still_leased(current: OutboxMessage, claimed: OutboxMessage) -> bool:
    return current.status == "pending" and current.next_attempt_at == claimed.next_attempt_at


def _log_outcome(message: OutboxMessage, attempt: Attempt) -> None:
    if attempt.outcome is Outcome.SENT:
        log.info("mail %s (%s) sent", message.id, message.template)
    elif attempt.outcome is Outcome.FAILED:
        log.warning("mail %s (%s) failed for good: %s", message.id, message.template, attempt.error)
    else:
        log.warning(
            "mail %s (%s) delayed, attempt %d, next at %s: %s",
            message.id,
            message.template,
            message.attempts,
            message.next_attempt_at.isoformat(),
            attempt.error,
        )


class _HeldLogged:
    """Per Pledge instance: the ids already reported as held, so each is logged once."""

    def __init__(self) -> None:
        self.ids: set[str] = set()


def _hold_without_smtp(pledge: Pledge, limit: int) -> int:
    """Leave pending mail untouched and log each newly seen message once, by id."""
    with pledge.sessions() as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.template)
            .where(OutboxMessage.kind == "email", OutboxMessage.status == "pending")
            .order_by(OutboxMessage.created_at.desc())
            .limit(limit)
        ).all()
    held = pledge.state(_HeldLogged, _HeldLogged)
    seen = held.ids
    for message_id, template in rows:
        if message_id not in seen:
            log.info(
                "mail %s (%s) kept in the outbox: PLEDGE_SMTP_URL is not set", message_id, template
            )
    # The newest ``limit`` ids only move forward while nothing is sent, so remembering
    # this window is enough to log each id once and keeps the memory bounded.
    held.ids = {message_id for message_id, _template in rows}
    return len(rows)


def deliver_webhooks(pledge: Pledge) -> int:
    """Post due Service Data deliveries to Clients' webhooks."""
    from pledge.service_data.forwarding import deliver_webhooks as deliver

    return deliver(pledge).delivered


def expire_conversations(pledge: Pledge) -> int:
    """Delete conversations past their Client's retention."""
    from pledge.service_data.retention import expire_conversations as expire

    return expire(pledge)


def fulfil_requests(pledge: Pledge) -> int:
    """Fulfil data subject requests left verified (after a crash); each runs once."""
    from pledge.rights.fulfil import fulfil_verified

    return fulfil_verified(pledge)


def deliver_recipient_notices(pledge: Pledge) -> int:
    """Post queued erasure/correction/restriction notices to recipients' webhooks."""
    from pledge.rights.notices import deliver_recipient_notices as deliver

    return deliver(pledge)


def expire_requests(pledge: Pledge) -> int:
    """Delete records of data subject requests closed more than 24 months ago."""
    from pledge.rights.retention import expire_requests as expire

    return expire(pledge).requests


PERIODIC_TASKS: list[PeriodicTask] = [
    PeriodicTask("deliver_outbox", deliver_outbox, interval=5, on_notify=True),
    PeriodicTask("seal_audit", seal_audit, interval=10),
    PeriodicTask("deliver_webhooks", deliver_webhooks, interval=5, on_notify=True),
    PeriodicTask("expire_conversations", expire_conversations, interval=600),
    PeriodicTask("fulfil_requests", fulfil_requests, interval=30),
    PeriodicTask("deliver_recipient_notices", deliver_recipient_notices, interval=60),
    PeriodicTask("expire_requests", expire_requests, interval=86400),
]
"""Every repeated job; adding one is one line here (name, function, seconds)."""
