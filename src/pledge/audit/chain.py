"""Append, seal and verify the audit chain.

Writers call :func:`append` inside their own transaction: it only inserts a
row carrying the hash of its own content, so concurrent writers never wait on
each other. :func:`seal` (run by the worker, and before every verification)
takes unsealed entries in batches, numbers them and links each to the
previous one with a keyed hash. :func:`verify` recomputes everything, so a
changed, removed or reordered entry breaks the chain at that point.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pledge.db.base import utcnow
from pledge.db.models import AuditEntry

GENESIS = "0" * 64
# Any fixed 64-bit number: PostgreSQL advisory lock id of the sealer.
SEAL_LOCK_ID = 0x5EA1_0F_A0D17

Mac = Callable[[bytes], str]


def content_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's own fields in a canonical form."""
    return _fields_hash(
        {
            "action": entry.action,
            "actor": entry.actor,
            "created_at": entry.created_at,
            "details": entry.details,
            "object_id": entry.object_id,
            "object_type": entry.object_type,
            "subject_id": entry.subject_id,
        }
    )


def _fields_hash(fields: dict[str, Any]) -> str:
    """:func:`content_hash` of an entry given as its column values."""
    doc = {**fields, "created_at": fields["created_at"].isoformat()}
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def link_hash(mac: Mac, previous: str, entry_hash: str, seq: int) -> str:
    return mac(f"{seq}:{previous}:{entry_hash}".encode())


def append(
    session: Session,
    *,
    action: str,
    actor: str,
    object_type: str,
    object_id: str,
    subject_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction; it is sealed into the chain later."""
    entry = AuditEntry(
        created_at=utcnow(),
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        subject_id=subject_id,
        details=details or {},
    )
    entry.entry_hash = content_hash(entry)
    session.add(entry)
    return entry


def audit_row(
    *,
    action: str,
    actor: str,
    object_type: str,
    object_id: str,
    subject_id: str | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    """The same entry as :func:`append`, as a dict for bulk inserts (no ORM object)."""
    row: dict[str, Any] = {
        "created_at": utcnow(),
        "action": action,
        "actor": actor,
        "object_type": object_type,
        "object_id": object_id,
        "subject_id": subject_id,
        "details": details,
    }
    row["entry_hash"] = _fields_hash(row)
    return row


def seal(session: Session, mac: Mac, limit: int = 5000) -> int:
    """Seal up to ``limit`` unsealed entries; returns how many. Caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEAL_LOCK_ID})
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.chain_hash)
        .where(AuditEntry.seq.is_not(None))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    seq, previous = (last[0], last[1]) if last else (0, GENESIS)
    pending = session.scalars(
        select(AuditEntry).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id).limit(limit)
    ).all()
    for entry in pending:
        seq = (seq or 0) + 1
        entry.seq = seq
        entry.chain_hash = link_hash(mac, previous or GENESIS, entry.entry_hash, seq)
        previous = entry.chain_hash
    session.flush()
    return len(pending)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification; ``first_bad`` names the first broken entry."""

    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str | None = None


def verify(session: Session, mac: Mac) -> VerifyResult:
    """Walk the sealed chain in order, then check unsealed entries' own hashes."""
    previous, expected_seq, checked = GENESIS, 1, 0
    sealed = select(AuditEntry).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq)
    with session.scalars(sealed.execution_options(yield_per=2000)) as entries:
        for entry in entries:
            problem = _check_link(entry, mac, previous, expected_seq)
            if problem:
                return VerifyResult(False, checked, entry.id, problem)
            previous, expected_seq = entry.chain_hash or GENESIS, expected_seq + 1
            checked += 1
    unsealed = select(AuditEntry).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id)
    with session.scalars(unsealed.execution_options(yield_per=2000)) as entries:
        for entry in entries:
            if content_hash(entry) != entry.entry_hash:
                return VerifyResult(False, checked, entry.id, "content does not match its hash")
            checked += 1
    return VerifyResult(True, checked)


def _check_link(entry: AuditEntry, mac: Mac, previous: str, expected_seq: int) -> str | None:
    if entry.seq != expected_seq:
        return f"expected position {expected_seq}, found {entry.seq}: an entry is missing"
    if content_hash(entry) != entry.entry_hash:
        return "content does not match its hash"
    if link_hash(mac, previous, entry.entry_hash, expected_seq) != entry.chain_hash:
        return "chain link does not match the previous entry"
    return None


def unsealed_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(AuditEntry.seq.is_(None))) or 0
