"""The outbox: every delivery (mail, Client webhook, recipient notice), written with its cause.

:mod:`pledge.delivery` explains the states and the lease; this module only says
what each column holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class Delivery(Base):
    """One thing to deliver, retried until sent or dead; never lost when a receiver is down."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "kind", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32), default="email")
    """email, client_webhook or recipient_notice: which transport and which callbacks."""
    template: Mapped[str] = mapped_column(String(64))
    """What it is (verification_code, conversation.collected, erasure...), never its content."""
    target: Mapped[str | None] = mapped_column(String(64), default=None)
    """Where it goes, as an id: the Client id, the policy recipient id; NULL for mail,
    whose address is personal and lives only in the encrypted payload."""
    subject_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    """The data subject a mail concerns, where known, so their mail can be shredded."""
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The content encrypted (``payload_key`` says with which key), bound to the row id; NULL
    once no longer needed (a delivered webhook, delivered mail sealed with the system key, a
    cancelled delivery, mail to a person who was since erased)."""
    payload_key: Mapped[str] = mapped_column(String(16), default="system", server_default="system")
    """``subject`` (mail sealed with the key of ``subject_id``, shredded by their erasure) or
    ``system`` (the system key: everything else, purged once delivered)."""
    recipient_index: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    """For mail: the e-mail blind index of the recipient (never the address), so an erasure
    finds every mail to the address, those sent before anything was held included."""
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """pending, sent, dead (gave up; ``pledge outbox retry`` revives it) or cancelled."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Claims so far: a worker that died mid-attempt still used one."""
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """While a worker holds the delivery: when its claim lapses and another may take it."""
    lease_token: Mapped[str | None] = mapped_column(String(36), default=None)
    """The holder's random token; an outcome is recorded only under the same token."""
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    """Reply code or exception class of the last failed attempt, never an address or body."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class DeliveryCircuit(Base):
    """A target's circuit breaker: consecutive failures, and while open, until when it rests.

    One row per (kind, target) that has failed at least once. After
    ``PLEDGE_WEBHOOK_CIRCUIT_FAILURES`` failures in a row the circuit opens: the
    target's deliveries are not claimed until ``open_until``; then one attempt
    probes it (half-open), and a success closes it while a failure reopens it.
    """

    __tablename__ = "delivery_circuits"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    """An id only, like ``outbox.target`` (a Client id, a recipient id)."""
    failures: Mapped[int] = mapped_column(Integer, default=0)
    """Failed attempts in a row; a delivered one resets it to 0."""
    open_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """While in the future, the target's deliveries wait; NULL when closed."""
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(64), default=None)
    """Reply code or exception class of the last failure, never a body."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


OutboxMessage = Delivery
"""The former name, kept for callers written before mail shared the outbox."""
