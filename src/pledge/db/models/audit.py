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
    entry_mac: Mapped[str | None] = mapped_column(String(64), default=None)
    """HMAC of the same content under the audit entry key, written with the entry, so a
    forged entry (even an unsealed one with a recomputed hash) is caught. NULL only for
    entries written before migration 0013 (reported as legacy by verification)."""
    seq: Mapped[int | None] = mapped_column(BigIntId, unique=True, default=None)
    """Position in the chain, set when sealed."""
    chain_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    """SHA-256(previous chain_hash || entry_hash), set when sealed."""


class AuditHead(Base):
    """The chain's newest sealed position, MACed, rewritten by every seal (one row, id 1).

    Without it, deleting the newest sealed entries leaves a shorter chain that still
    verifies; with it, the chain must reach the head's position and hash.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigIntId)
    chain_hash: Mapped[str] = mapped_column(String(64))
    legacy_until: Mapped[int] = mapped_column(BigIntId)
    """The last position that may lack an entry MAC (entries written before migration
    0013); frozen once an entry with a MAC is sealed, so stripping MACs later shows."""
    mac: Mapped[str] = mapped_column(String(64))
    """HMAC of ``head:{seq}:{chain_hash}:{legacy_until}`` under the audit head key."""
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
