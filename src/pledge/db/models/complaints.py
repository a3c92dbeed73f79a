"""Complaints about how personal data was handled: the queue staff answer within 45 days.

A complaint names a person and says what troubled them, so neither the
e-mail nor the text is kept in clear: both are sealed with the system key,
bound to the complaint's id (``complaint-email:<id>``, ``complaint-text:<id>``),
and so is the answer staff mailed. Look-ups by person use the e-mail's blind
index. The row is removed when the policy's retention for complaints ends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class Complaint(Base):
    """One complaint, from the privacy center, the API, or entered by staff (post, phone)."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_state_due_at", "state", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    state: Mapped[str] = mapped_column(String(16))
    """received, investigating, answered or escalated (:mod:`pledge.complaints.states`)."""
    method: Mapped[str] = mapped_column(String(8))
    """web (privacy center or API), post or phone (the last two entered by staff)."""
    country: Mapped[str] = mapped_column(String(2))
    """Where the person lives: names the authority they may turn to."""
    language: Mapped[str] = mapped_column(String(16))
    """The language every mail to the person is written in."""
    email_index: Mapped[str] = mapped_column(String(64), index=True)
    email_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    text_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    answer_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The answer mailed to the person, sealed like the text."""
    code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    """HMAC of the one-time code mailed to confirm the address; NULL once used."""
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the code was entered, or when staff entered a complaint received by post or phone."""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When it was answered or escalated: retention counts from here."""
    escalated_to: Mapped[str | None] = mapped_column(String(200), default=None)
    """The independent recourse body (the policy's ``dispute_resolution.provider``)."""
    escalation_reference: Mapped[str | None] = mapped_column(String(100), default=None)
    """That body's reference for the case; no personal data."""
