"""Data subjects, their wrapped keys and their (encrypted, blind-indexed) identities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class Subject(Base):
    """A person Pledge holds data about, known only by a random id."""

    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    """Random UUID; the only handle other tables and the audit log use."""
    jurisdiction: Mapped[str] = mapped_column(String(32))
    """Policy jurisdiction id derived from country and region; decides legal bases and rights."""
    country: Mapped[str] = mapped_column(String(2))
    """ISO 3166-1 alpha-2 country, kept in clear because jurisdiction rules need it."""
    region: Mapped[str | None] = mapped_column(String(8), default=None)
    """Subdivision code (e.g. CA) where the law depends on it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """Set when the subject's key was destroyed; nothing of theirs is readable after."""


class SubjectKey(Base):
    """The subject's AES-256 data key, wrapped (encrypted) by the master key.

    Destroying the wrapped key is crypto-shredding: every ciphertext of the
    subject becomes unreadable at once, wherever copies of it live.
    """

    __tablename__ = "subject_keys"

    subject_id: Mapped[str] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True
    )
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    """nonce || AES-GCM(master key, data key, aad=subject id); NULL once destroyed."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Identity(Base):
    """One identifying value of a subject (e-mail, phone, name), encrypted under its key.

    ``blind_index`` is a keyed HMAC of the normalised value, so a lookup by
    e-mail or phone never needs the value in clear.
    """

    __tablename__ = "identities"
    __table_args__ = (
        Index("ix_identities_kind_blind_index", "kind", "blind_index"),
        # One subject per e-mail address; phones may be shared (a household line).
        Index(
            "uq_identities_email",
            "blind_index",
            unique=True,
            sqlite_where=text("kind = 'email'"),
            postgresql_where=text("kind = 'email'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    """email, phone or name."""
    blind_index: Mapped[str | None] = mapped_column(String(64))
    """Hex HMAC-SHA256 of the normalised value; NULL for kinds never looked up (name)."""
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """nonce || AES-GCM(subject key, value)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
