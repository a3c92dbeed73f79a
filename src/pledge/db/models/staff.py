"""Staff accounts and their console sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class StaffUser(Base):
    """A person who works requests in the console (privacy officer, support staff)."""

    __tablename__ = "staff_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """Lower-cased work address, the login name."""
    password_hash: Mapped[str] = mapped_column(String(255))
    """argon2id hash (argon2-cffi); parameters are carried in the hash and upgraded on login."""
    role: Mapped[str] = mapped_column(String(16))
    """admin, privacy_officer, support, recruiter or auditor: what each may do is the table
    in :mod:`pledge.console.permissions` (``staff`` rows became ``support`` in 0015)."""
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Set after repeated wrong passwords, to slow guessing."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The authenticator app's secret, sealed under the staff-secret key (bound to the id)."""
    totp_pending: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """A secret being set up: it becomes ``totp_secret`` once a code from it is confirmed."""
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The 30-second time step of the last code accepted: a code is good once, never again."""


class StaffSession(Base):
    """A signed-in browser; only the hash of its cookie is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    """Random per session; every form carries it and every POST must match it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
