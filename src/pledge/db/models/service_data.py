"""Processor mode: business Clients, their customers and redacted conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class Client(Base):
    """A business Client on whose behalf Pledge processes Service Data."""

    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the Client's API key; the key itself is shown once."""
    instructions: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Validated instructions without the secret: fields, retention, webhook URL, purposes."""
    webhook_secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The HMAC signing secret, encrypted with the system key."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ServiceCustomer(Base):
    """A Client's customer, known by a blind index of the Client's own identifier.

    Each has its own data key, so the Client's erasure request is crypto-shredding.
    """

    __tablename__ = "service_customers"
    __table_args__ = (UniqueConstraint("client_id", "customer_index", name="uq_service_customer"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    customer_index: Mapped[str] = mapped_column(String(64))
    """HMAC of (client id, customer id exactly as the Client sent it): the same customer id
    at two Clients never links, and ``C-1001`` and ``c-1001 `` are two customers."""
    legacy_index: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Indexed before migration 0013, when ids were trimmed and case-folded first. The raw
    id is not stored, so such a row cannot be re-indexed: it keeps its folded index, is
    found by it, and takes no new conversations (see docs/service-data.md)."""
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The customer's data key wrapped by the master key; NULL once erased."""
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Set by the Client's restriction request: no forwarding or processing beyond storage."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Conversation(Base):
    """One call, SMS thread or chat, stored redacted and encrypted."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("service_customers.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    """chat, sms or voice."""
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """AES-GCM under the customer's key of {"collected": fields}, with "turns" (the redacted
    turns) only when the Client's instructions say ``keep_transcript`` (rows stored before
    issue #16 always have them)."""
    labels: Mapped[dict[str, int]] = mapped_column(JSON)
    """How many spans of each PII label were found (counts only), for reporting."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retain_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    """From the Client's retention_days; the retention job deletes it after."""


class WebhookDelivery(Base):
    """Collected fields on their way to the Client's webhook, as the Client sees it.

    Written in the ingestion transaction beside the outbox delivery of the same
    id (:mod:`pledge.delivery`), which holds the encrypted body and does the
    sending; this row keeps the Client's view (status, attempts) and the
    customer, so erasure and restriction can cancel what is still pending.
    """

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """pending, delivered, dead (gave up) or cancelled (erasure or restriction)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_status: Mapped[str | None] = mapped_column(String(64), default=None)
    """HTTP status or error class of the last attempt (never the response body)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
