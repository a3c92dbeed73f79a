"""The audit log: append-only entries, sealed into a hash chain in batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pledge.db.base import Base, UTCDateTime, utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    """Who did what to which object, never with personal data in clear.

    Writers only insert (with ``entry_hash`` over their own content), so
    concurrent writers never contend; a sealer later gives each entry its
    ``seq`` and ``chain_hash`` covering the previous link.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(64))
    """Dotted event name, e.g. record.created."""
    actor: Mapped[str] = mapped_column(String(128))
    """Who acted: api-key:<id>, user:<id>, system, cli."""
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    """The pseudonymous subject id the event concerns, if any."""
    details: Mapped[dict[str, object]] = mapped_column(JSON)
    """Non-personal facts (category, purpose, counts); never values."""
    entry_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the entry's own canonical content."""
    seq: Mapped[int | None] = mapped_column(BigIntId, unique=True, default=None)
    """Position in the chain, set when sealed."""
    chain_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    """SHA-256(previous chain_hash || entry_hash), set when sealed."""
