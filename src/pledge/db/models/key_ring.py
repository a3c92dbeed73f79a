"""The key ring: what a master-key rotation keeps in the database, sealed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, new_id, utcnow


class KeyRingEntry(Base):
    """One sealed secret, opened only by the master key named in ``sealed_by``.

    ``kind`` ``wrap``: the wrapping key of master ``key_id`` -- while a rotation is
    under way each of the two master keys can open keys wrapped under the other,
    so running processes keep working. ``derived``: every key besides the wrapping
    key (blind indexes, signing, audit MACs), which must outlive the first master key.
    Empty until the first ``pledge keys rotate-master``.
    """

    __tablename__ = "key_ring"
    __table_args__ = (Index("uq_key_ring_entry", "kind", "key_id", "sealed_by", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str] = mapped_column(String(16))
    """The master key whose wrapping key is sealed here (``wrap``); empty for ``derived``."""
    sealed_by: Mapped[str] = mapped_column(String(16))
    """The id of the master key that opens this entry."""
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
