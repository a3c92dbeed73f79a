"""Legal holds: a person whose data must be kept, whatever retention or erasure would do."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class LegalHold(Base):
    """One hold on one person, placed and released by staff; never deleted.

    The person is known by the blind index of their e-mail (so a hold can be
    placed before Pledge holds anything about them) and, once known, by their
    subject id. The reason staff typed may name a case or a person, so it is
    encrypted with the system key; the audit log gets the hold's id only.
    """

    __tablename__ = "legal_holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email_index: Mapped[str] = mapped_column(String(64), index=True)
    """Hex HMAC of the normalised e-mail, as ``identities.blind_index``."""
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    """The subject the e-mail belonged to when the hold was placed (None if unknown then)."""
    reason_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """AES-GCM(system key, reason, aad=hold id)."""
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by: Mapped[str | None] = mapped_column(String(128), default=None)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """NULL while the hold is in force."""
    waiting_requests: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Erasure requests answered "kept under this hold"; carried out when it is released."""
