"""The registers a privacy officer keeps: legal requests, business transfers, breaches.

Each is evidence that a promise of the policy was kept (disclosure to public
authorities only on lawful request, notice in a business transfer, a breach
handled within the law's clock). Names of organisations and dates are in clear
so the registers can be searched and exported; free text staff type (a scope,
a summary, a reason) may name people, so it is sealed with the system key.
People appear only as pseudonymous subject ids.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class LegalRequest(Base):
    """A request for personal data from a public authority, and what was disclosed."""

    __tablename__ = "legal_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    authority: Mapped[str] = mapped_column(String(200))
    """Who asked: the authority's name (an organisation, not a person)."""
    reference: Mapped[str] = mapped_column(String(200))
    """The authority's reference (case or file number)."""
    legal_basis: Mapped[str] = mapped_column(String(500))
    """The law or order the request relies on."""
    scope_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """AES-GCM(system key, what was asked for, aad=legal_request:<id>)."""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    categories: Mapped[list[str]] = mapped_column(JSON)
    """Policy category ids disclosed."""
    notify_allowed: Mapped[bool] = mapped_column(Boolean)
    """Whether the people concerned may be told at all (a gag order says no)."""
    notify_after: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """From when they may be told; None with ``notify_allowed`` means at once."""
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LegalRequestSubject(Base):
    """One person a legal request concerned, and their entry in the disclosure log."""

    __tablename__ = "legal_request_subjects"
    __table_args__ = (UniqueConstraint("legal_request_id", "subject_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    legal_request_id: Mapped[str] = mapped_column(
        ForeignKey("legal_requests.id", ondelete="CASCADE")
    )
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    disclosure_id: Mapped[str] = mapped_column(String(36))


class BusinessTransfer(Base):
    """Personal data moved to a buyer in a merger, sale or other corporate change."""

    __tablename__ = "business_transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    buyer: Mapped[str] = mapped_column(String(200))
    transferred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    note_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """AES-GCM(system key, staff's note, aad=business_transfer:<id>)."""
    notices_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the last notice to the people affected was queued."""
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Breach(Base):
    """A personal data breach: the clock, the people affected, the decision, the notices."""

    __tablename__ = "breaches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    summary_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """AES-GCM(system key, what happened, aad=breach:<id>)."""
    known_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    """When the controller became aware: the authority's 72 hours count from here."""
    categories: Mapped[list[str]] = mapped_column(JSON)
    notify_authority: Mapped[bool | None] = mapped_column(Boolean, default=None)
    notify_people: Mapped[bool | None] = mapped_column(Boolean, default=None)
    decision_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """AES-GCM(system key, JSON of the reasons and the notice text, aad=breach-decision:<id>)."""
    decided_by: Mapped[str | None] = mapped_column(String(128), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    authority_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    notices_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegisterNotice(Base):
    """One person told of one transfer or breach: never twice, and a run resumes after a crash."""

    __tablename__ = "register_notices"
    __table_args__ = (
        UniqueConstraint("register_id", "subject_id"),
        Index("ix_register_notices_subject_id", "subject_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    register: Mapped[str] = mapped_column(String(16))
    """``transfer`` or ``breach``."""
    register_id: Mapped[str] = mapped_column(String(36))
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    delivery_id: Mapped[str] = mapped_column(String(36))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
