"""API keys for systems and administrators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class ApiKey(Base):
    """A bearer key, stored only as a hash: a leaked database yields no usable key."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    """system or admin."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the key; keys are 256-bit random, so a fast hash is enough."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
