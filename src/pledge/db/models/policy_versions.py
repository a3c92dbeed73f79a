"""Every policy text Pledge has run under, so each record can point at its own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class PolicyVersion(Base):
    """A loaded policy, kept whole: an auditor can read what a person was told."""

    __tablename__ = "policy_versions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the policy's canonical JSON."""
    version: Mapped[str] = mapped_column(String(64))
    """The version the policy declares (its effective date or label)."""
    content: Mapped[str] = mapped_column(Text)
    """The policy as canonical JSON."""
    first_loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyPublication(Base):
    """One time a policy version took effect, numbered for its stable URL /policy/versions/{n}.

    Apart from :class:`PolicyVersion` because a text may take effect twice
    (a change reverted): each time is its own number with its own dates.
    """

    __tablename__ = "policy_publications"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    """1, 2, 3... in the order versions took effect."""
    digest: Mapped[str] = mapped_column(ForeignKey("policy_versions.digest"), index=True)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When it took effect; it ends when the next number takes effect."""
    changes: Mapped[str | None] = mapped_column(Text, default=None)
    """JSON semantic diff against the number before (:func:`pledge.policy.compare_policies`)."""
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    """A new purpose or recipient, or longer retention: every person is mailed."""
    notices_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the last change-notice mail of a material publication was queued."""


class PolicyChangeMail(Base):
    """One person told of one material change: never twice, and a run resumes after a crash."""

    __tablename__ = "policy_change_mails"
    __table_args__ = (UniqueConstraint("publication", "subject_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    publication: Mapped[int] = mapped_column(
        ForeignKey("policy_publications.number", ondelete="CASCADE")
    )
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    delivery_id: Mapped[str] = mapped_column(String(36))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
