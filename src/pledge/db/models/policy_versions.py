"""Every policy text Pledge has run under, so each record can point at its own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, utcnow


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
