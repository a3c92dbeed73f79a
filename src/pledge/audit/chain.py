"""Append, seal and verify the audit chain.

Writers call :func:`append` inside their own transaction: it only inserts a
row carrying the hash of its own content and a MAC of that content under the
audit entry key, so concurrent writers never wait on each other and nobody
without the master key can write an entry that verifies. :func:`seal` (run by
the worker, and before every verification) takes unsealed entries in batches,
numbers them, links each to the previous one with a keyed hash and records the
newest position in the MACed ``audit_head`` row. :func:`verify` recomputes
everything, so a changed, removed, reordered or forged entry breaks the chain
at that point, and a chain cut short of its head is reported too.

What this cannot see alone: a rollback of the whole database (entries and head
together) to an earlier consistent state, or newest entries deleted with an old
head row put back. :mod:`pledge.audit.anchoring` shows those: it checkpoints the
head to a file outside the database after each seal and checks the chain against it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, AuditHead

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# Any fixed 64-bit number: PostgreSQL advisory lock id of the sealer.
SEAL_LOCK_ID = 0x5EA1_0F_A0D17
HEAD_ID = 1
SESSION_KEYS = "pledge.audit.keys"
"""``Session.info`` entry holding a callable that returns the :class:`AuditKeys`.

:class:`pledge.core.Pledge` puts it on every session it makes, so :func:`append`
can MAC an entry without each of its many callers passing keys."""


class AuditKeys(Protocol):
    """The three keyed hashes of the audit log, each under its own derived key."""

    def audit_mac(self, message: bytes) -> str: ...

    def audit_entry_mac(self, message: bytes) -> str: ...

    def audit_head_mac(self, message: bytes) -> str: ...


Mac = Callable[[bytes], str]


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "action": entry.action,
        "actor": entry.actor,
        "created_at": entry.created_at,
        "details": entry.details,
        "object_id": entry.object_id,
        "object_type": entry.object_type,
        "subject_id": entry.subject_id,
    }


def _canonical(fields: dict[str, Any]) -> bytes:
    doc = {**fields, "created_at": fields["created_at"].isoformat()}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()


def content_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's own fields in a canonical form."""
    return hashlib.sha256(_canonical(_fields(entry))).hexdigest()


def content_mac(keys: AuditKeys, entry: AuditEntry) -> str:
    """The entry's MAC under the audit entry key, over the same canonical form."""
    return keys.audit_entry_mac(_canonical(_fields(entry)))


def link_hash(mac: Mac, previous: str, entry_hash: str, seq: int) -> str:
    return mac(f"{seq}:{previous}:{entry_hash}".encode())


def head_mac(keys: AuditKeys, seq: int, chain_hash: str, legacy_until: int) -> str:
    return keys.audit_head_mac(f"head:{seq}:{chain_hash}:{legacy_until}".encode())


def _head_verifies(keys: AuditKeys, head: AuditHead) -> bool:
    return head.mac == head_mac(keys, head.seq, head.chain_hash, head.legacy_until)


def session_keys(session: Session) -> AuditKeys:
    """The audit keys of the Pledge that made ``session``."""
    provider = session.info.get(SESSION_KEYS)
    if provider is None:
        raise RuntimeError("audit entries are written through a session of Pledge.sessions")
    keys: AuditKeys = provider()
    return keys


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
    entry.entry_mac = content_mac(session_keys(session), entry)
    session.add(entry)
    return entry


def audit_row(
    *,
    keys: AuditKeys,
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
    blob = _canonical(row)
    row["entry_hash"] = hashlib.sha256(blob).hexdigest()
    row["entry_mac"] = keys.audit_entry_mac(blob)
    return row


def seal(session: Session, keys: AuditKeys, limit: int = 5000) -> int:
    """Seal up to ``limit`` unsealed entries and move the head; returns how many. Caller commits.

    Numbering continues from the head, not from the newest sealed entry: if the
    newest sealed entries were deleted, the gap stays visible to :func:`verify`
    instead of being papered over by the next seal. A head that does not verify,
    or a missing head while entries with a MAC are sealed, stops sealing (logged)
    until someone looks: sealing over it would launder the tampering.
    """
    lock_sealer(session)
    head = session.get(AuditHead, HEAD_ID)
    if head is not None:
        if not _head_verifies(keys, head):
            log.error("audit head does not verify: sealing stopped; run `pledge audit verify`")
            return 0
        seq, previous, legacy_until = head.seq, head.chain_hash, head.legacy_until
    else:
        if _sealed_with_mac(session):
            log.error("audit head is missing: sealing stopped; run `pledge audit verify`")
            return 0
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.chain_hash)
            .where(AuditEntry.seq.is_not(None))
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).first()
        seq, previous = (last[0] or 0, last[1] or GENESIS) if last else (0, GENESIS)
        legacy_until = seq  # everything sealed before the first head predates entry MACs
    pending = session.scalars(
        select(AuditEntry).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id).limit(limit)
    ).all()
    for entry in pending:
        seq += 1
        entry.seq = seq
        entry.chain_hash = link_hash(keys.audit_mac, previous, entry.entry_hash, seq)
        previous = entry.chain_hash
        if entry.entry_mac is None and legacy_until == seq - 1:
            legacy_until = seq  # still the unbroken run of entries from before MACs
    if pending or (head is None and seq > 0):
        _write_head(session, keys, head, seq, previous, legacy_until)
    session.flush()
    return len(pending)


def lock_sealer(session: Session) -> None:
    """One sealer at a time on PostgreSQL, until the transaction ends (taking it twice is fine)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEAL_LOCK_ID})


def _sealed_with_mac(session: Session) -> bool:
    found = session.scalar(
        select(AuditEntry.id)
        .where(AuditEntry.seq.is_not(None), AuditEntry.entry_mac.is_not(None))
        .limit(1)
    )
    return found is not None


def _write_head(
    session: Session,
    keys: AuditKeys,
    head: AuditHead | None,
    seq: int,
    chain_hash: str,
    legacy_until: int,
) -> None:
    mac = head_mac(keys, seq, chain_hash, legacy_until)
    if head is None:
        head = AuditHead(id=HEAD_ID)
        session.add(head)
    head.seq, head.chain_hash, head.legacy_until = seq, chain_hash, legacy_until
    head.mac, head.sealed_at = mac, utcnow()


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification; ``first_bad`` names the first broken entry."""

    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str | None = None
    legacy: int = 0
    """Entries written before entries carried a MAC (migration 0013): checked by hash
    and chain only. One after a MACed entry is not legacy but a forgery, and fails."""
    anchored: bool = False
    """The chain was also checked against the newest checkpoint of the anchor file."""


@dataclass
class _Walk:
    keys: AuditKeys
    head: AuditHead | None
    checked: int = 0
    legacy: int = 0
    maced: bool = False

    @property
    def legacy_over(self) -> bool:
        """The head says an entry with a MAC was sealed: no entry may lack one after."""
        return self.head is not None and self.head.legacy_until < self.head.seq

    def entry_problem(self, entry: AuditEntry) -> str | None:
        """Content hash and MAC, for sealed and unsealed entries alike."""
        if content_hash(entry) != entry.entry_hash:
            return "content does not match its hash"
        if entry.entry_mac is None:
            return self._unmaced(entry)
        self.maced = True
        if entry.entry_mac != content_mac(self.keys, entry):
            return "entry MAC does not match its content: not written by Pledge"
        return None

    def _unmaced(self, entry: AuditEntry) -> str | None:
        """Legacy only in the run of entries from before MACs that the head records."""
        past_legacy = (
            self.legacy_over
            if entry.seq is None or self.head is None
            else entry.seq > self.head.legacy_until and (self.legacy_over or self.maced)
        )
        if self.maced or past_legacy:
            return "entry has no MAC, yet entries before it have one: not written by Pledge"
        self.legacy += 1
        return None


def verify(session: Session, keys: AuditKeys) -> VerifyResult:
    """Walk the sealed chain in order, check it reaches the head, then the unsealed entries."""
    head = session.get(AuditHead, HEAD_ID)  # read first: a seal running meanwhile only extends
    if head is not None and not _head_verifies(keys, head):
        return VerifyResult(False, 0, None, "the audit head's MAC does not match: it was altered")
    walk = _Walk(keys, head)
    previous, expected_seq = GENESIS, 1
    last: AuditEntry | None = None
    head_hash: str | None = None
    sealed = select(AuditEntry).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq)
    with session.scalars(sealed.execution_options(yield_per=2000)) as entries:
        for entry in entries:
            problem = _check_link(entry, keys.audit_mac, previous, expected_seq)
            problem = problem or walk.entry_problem(entry)
            if problem:
                return _broken(walk, entry.id, problem)
            if head is not None and entry.seq == head.seq:
                head_hash = entry.chain_hash
            previous, expected_seq = entry.chain_hash or GENESIS, expected_seq + 1
            walk.checked += 1
            last = entry
    problem = _head_problem(head, last, head_hash, walk.maced)
    if problem:
        return _broken(walk, last.id if last else None, problem)
    unsealed = select(AuditEntry).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id)
    with session.scalars(unsealed.execution_options(yield_per=2000)) as entries:
        for entry in entries:
            problem = walk.entry_problem(entry)
            if problem:
                return _broken(walk, entry.id, problem)
            walk.checked += 1
    return VerifyResult(True, walk.checked, legacy=walk.legacy)


def _broken(walk: _Walk, entry_id: int | None, reason: str) -> VerifyResult:
    return VerifyResult(False, walk.checked, entry_id, reason, legacy=walk.legacy)


def _head_problem(
    head: AuditHead | None, last: AuditEntry | None, head_hash: str | None, maced: bool
) -> str | None:
    """The sealed chain must reach the head; entries sealed after it was read may follow."""
    if head is None:
        return "the audit head is missing, yet entries with a MAC are sealed" if maced else None
    end = last.seq if last is not None and last.seq is not None else 0
    if end < head.seq:
        return (
            f"the chain ends at position {end} but its head records position {head.seq}: "
            "the newest sealed entries were removed"
        )
    if head_hash != head.chain_hash:
        return f"the entry at the head's position {head.seq} is not the one the head records"
    return None


def _check_link(entry: AuditEntry, mac: Mac, previous: str, expected_seq: int) -> str | None:
    if entry.seq != expected_seq:
        return f"expected position {expected_seq}, found {entry.seq}: an entry is missing"
    if link_hash(mac, previous, entry.entry_hash, expected_seq) != entry.chain_hash:
        return "chain link does not match the previous entry"
    return None


def unsealed_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(AuditEntry.seq.is_(None))) or 0
