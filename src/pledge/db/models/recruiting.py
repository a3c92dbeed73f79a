"""Recruiting: the positions the company hires for, which applications name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, utcnow


class Position(Base):
    """An opening, opened and closed by recruiting staff; never deleted.

    Its id is the reference a job advertisement gives and the careers form's
    ``position`` field takes. It holds no personal data: applications are
    records (category ``employment_application``) that name it.
    """

    __tablename__ = "positions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Lower-case letters, digits and hyphens, e.g. ``backend-engineer-2027``."""
    title: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(128))
    """The actor who opened it (``user:<id>``)."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Set when it closed: the applications that had not asked to be kept were deleted then."""
    closed_by: Mapped[str | None] = mapped_column(String(128), default=None)
