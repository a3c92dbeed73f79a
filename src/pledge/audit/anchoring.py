"""Keeping the chain and its anchor file in step: seal, checkpoint, check, restart.

Every seal first checks that the chain still holds the anchor's newest
checkpoint (that position, that hash) and stops, logged, when it does not:
sealing on would write a new checkpoint over the evidence. After the seal
commits, a checkpoint of the new head is appended to the file (after the
commit, so the file never names a position the database rolled back).

Anchoring starts by itself: the first seal that finds no anchor file writes a
``start`` checkpoint of the current head and records ``audit.anchor_started`` in
the chain. From then on a missing or emptied file is reported, not re-created;
after a database restore (a legitimately shorter chain), an operator restarts
the anchor with ``pledge audit anchor --after-restore``, itself audited.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.audit.anchor import AnchorError, AuditAnchor, Checkpoint
from pledge.audit.chain import (
    GENESIS,
    HEAD_ID,
    AuditKeys,
    VerifyResult,
    append,
    lock_sealer,
    seal,
)
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, AuditHead
from pledge.errors import ConfigurationError

log = logging.getLogger(__name__)

STARTED = "audit.anchor_started"
RESTARTED = "audit.anchor_restarted"
Transaction = Callable[[], AbstractContextManager[Session]]


def head_position(session: Session) -> tuple[int, str]:
    """The chain's sealed head: (position, chain hash); (0, genesis) before any seal."""
    head = session.get(AuditHead, HEAD_ID)
    return (head.seq, head.chain_hash) if head is not None else (0, GENESIS)


def disagreement(session: Session, checkpoint: Checkpoint) -> str | None:
    """Why the chain does not hold ``checkpoint`` (its position with its hash), or None."""
    if checkpoint.seq == 0:
        return None
    head_seq, _ = head_position(session)
    found = session.scalar(select(AuditEntry.chain_hash).where(AuditEntry.seq == checkpoint.seq))
    if found is None or head_seq < checkpoint.seq:
        return (
            f"the anchor's newest checkpoint records position {checkpoint.seq} "
            f"but the chain's head is at {head_seq}: the newest entries were removed "
            "(or the database was restored from a backup)"
        )
    if found != checkpoint.chain_hash:
        return (
            f"the entry at position {checkpoint.seq} is not the one the anchor's "
            "newest checkpoint records"
        )
    return None


def _started(session: Session) -> int | None:
    """The entry recording that anchoring started (or restarted), if any."""
    return session.scalar(
        select(AuditEntry.id).where(AuditEntry.action.in_([STARTED, RESTARTED])).limit(1)
    )


def anchor_problem(session: Session, anchor: AuditAnchor, newest: Checkpoint | None) -> str | None:
    """A missing or empty anchor once anchoring started, or a chain that lost its checkpoint."""
    if newest is None:
        started = _started(session)
        if started is None:
            return None
        return (
            f"the audit anchor {anchor.path} is missing or empty, "
            f"yet anchoring started (entry {started})"
        )
    return disagreement(session, newest)


def seal_anchored(
    transaction: Transaction, keys: AuditKeys, anchor: AuditAnchor | None, batch: int
) -> int:
    """Seal in batches like :func:`pledge.audit.seal`, checkpointing each to ``anchor``."""
    total = 0
    while True:
        with transaction() as session:
            lock_sealer(session)
            if anchor is not None and not _ready(session, anchor):
                return total
            sealed = seal(session, keys, batch)
            position = head_position(session)
        total += sealed
        if anchor is not None and sealed:
            anchor.write(Checkpoint(*position, utcnow(), "seal"), only_if_newer=True)
        if sealed < batch:
            return total


def _ready(session: Session, anchor: AuditAnchor) -> bool:
    """May this seal go ahead? Starts anchoring when it never started; logs why not."""
    try:
        newest = anchor.newest()
    except AnchorError as exc:
        log.error("%s: sealing stopped; run `pledge audit verify`", exc.message)
        return False
    if newest is None and _started(session) is None:
        _start(session, anchor, "start", STARTED)
        return True
    problem = anchor_problem(session, anchor, newest[0] if newest else None)
    if problem:
        log.error("audit anchor: %s: sealing stopped; run `pledge audit verify`", problem)
        return False
    return True


def _start(session: Session, anchor: AuditAnchor, kind: str, action: str) -> Checkpoint:
    """Checkpoint the current head and record in the chain that anchoring (re)started."""
    seq, chain_hash = head_position(session)
    checkpoint = Checkpoint(seq, chain_hash, utcnow(), kind)
    anchor.write(checkpoint)
    append(
        session,
        action=action,
        actor="system",
        object_type="audit_anchor",
        object_id=str(seq),
        details={"seq": seq},
    )
    return checkpoint


def verify_anchor(
    session: Session, anchor: AuditAnchor | None, result: VerifyResult
) -> VerifyResult:
    """``result`` of the chain's own check, then the chain against the anchor file."""
    if anchor is None or not result.ok:
        return result
    try:
        newest = anchor.check_all()
    except AnchorError as exc:
        return dataclasses.replace(result, ok=False, reason=exc.message)
    problem = anchor_problem(session, anchor, newest)
    if problem:
        return dataclasses.replace(result, ok=False, reason=problem)
    return dataclasses.replace(result, anchored=newest is not None)


def anchor_now(session: Session, anchor: AuditAnchor, *, after_restore: bool) -> Checkpoint:
    """Checkpoint the current head now (``pledge audit anchor``); caller commits.

    Refused while the chain disagrees with the anchor, unless ``after_restore``:
    then a ``restart`` line makes the current head the one to keep, audited.
    """
    lock_sealer(session)
    if after_restore:
        return _start(session, anchor, "restart", RESTARTED)
    newest = anchor.newest()
    problem = anchor_problem(session, anchor, newest[0] if newest else None)
    if problem:
        raise ConfigurationError(
            f"{problem}; after restoring a backup, run `pledge audit anchor --after-restore`"
        )
    if newest is None and _started(session) is None:
        return _start(session, anchor, "start", STARTED)
    checkpoint = Checkpoint(*head_position(session), utcnow(), "anchor")
    anchor.write(checkpoint)
    return checkpoint
