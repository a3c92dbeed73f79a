"""Outgoing messages, written in the transaction that caused them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class OutboxMessage(Base):
    """A mail (or webhook) waiting for delivery; never lost when the receiver is down."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16), default="email")
    """email or webhook."""
    template: Mapped[str] = mapped_column(String(64))
    """What the message is (verification_code, request_acknowledged...), never its content."""
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    """The message (recipient, subject, body) encrypted with the system outbox key."""
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """pending, sent or failed (gave up after the last attempt)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    """Error class and message of the last failed attempt, without addresses."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
