"""Records: one piece of personal data collected under the policy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class Record(Base):
    """Personal data with everything needed to justify holding it.

    The tags (category, purpose, legal basis, source, policy version, retention
    deadline) are in clear so that rights requests and the retention sweep can
    work without decrypting; the values themselves are encrypted.
    """

    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subject_id: Mapped[str] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(64))
    """Policy category id, e.g. identification."""
    purpose: Mapped[str] = mapped_column(String(64))
    """Policy purpose id the data was collected for."""
    legal_basis: Mapped[str] = mapped_column(String(32))
    """Basis resolved from the purpose and the subject's jurisdiction at collection."""
    jurisdiction: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(128))
    """Where the data came from (web form, event, API client...)."""
    policy_version: Mapped[str] = mapped_column(String(64))
    policy_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the policy the data was collected under."""
    field_names: Mapped[list[str]] = mapped_column(JSON)
    """Names of the fields held (not their values), for disclosures without decryption."""
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    """nonce || AES-GCM(subject key, JSON of the field values, aad=record id)."""
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retain_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, default=None)
    """When the retention sweep deletes it; NULL when retention is a rule, not a duration."""
