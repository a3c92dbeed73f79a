"""The audit chain detects changed, removed and reordered entries, on both databases."""

from __future__ import annotations

import threading

from sqlalchemy import delete, select, update

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import AuditEntry


def _write_entries(pledge: Pledge, count: int) -> None:
    with pledge.transaction() as session:
        for n in range(count):
            audit.append(
                session, action="test.event", actor="test", object_type="thing", object_id=str(n)
            )


def test_intact_chain_verifies(pledge: Pledge) -> None:
    _write_entries(pledge, 30)
    result = pledge.verify_audit()
    assert result.ok
    assert result.checked >= 30


def test_changed_entry_is_detected(pledge: Pledge) -> None:
    _write_entries(pledge, 10)
    pledge.seal_audit()
    with pledge.transaction() as session:
        target = session.scalars(select(AuditEntry).where(AuditEntry.object_id == "4")).one()
        target_id = target.id
        session.execute(
            update(AuditEntry).where(AuditEntry.id == target_id).values(actor="someone-else")
        )
    result = pledge.verify_audit()
    assert not result.ok
    assert result.first_bad == target_id


def test_rehashed_entry_is_detected(pledge: Pledge) -> None:
    """Even recomputing the entry's own hash does not help: the keyed link breaks."""
    _write_entries(pledge, 10)
    pledge.seal_audit()
    with pledge.transaction() as session:
        target = session.scalars(select(AuditEntry).where(AuditEntry.object_id == "6")).one()
        target.details = {"forged": True}
        target.entry_hash = audit.chain.content_hash(target)
    result = pledge.verify_audit()
    assert not result.ok
    assert "chain link" in (result.reason or "")


def test_removed_entry_is_detected(pledge: Pledge) -> None:
    _write_entries(pledge, 10)
    pledge.seal_audit()
    with pledge.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.object_id == "3"))
    result = pledge.verify_audit()
    assert not result.ok
    assert "missing" in (result.reason or "")


def test_reordered_entries_are_detected(pledge: Pledge) -> None:
    _write_entries(pledge, 10)
    pledge.seal_audit()
    with pledge.transaction() as session:
        a, b = session.scalars(
            select(AuditEntry).where(AuditEntry.object_id.in_(["2", "7"])).order_by(AuditEntry.seq)
        ).all()
        seq_a, seq_b = a.seq, b.seq
        a.seq = -1
        session.flush()
        b.seq = seq_a
        session.flush()
        a.seq = seq_b
    assert not pledge.verify_audit().ok


def test_concurrent_writers_and_sealing_keep_the_chain_whole(pledge: Pledge) -> None:
    """Writers never take the sealer's lock; the chain still covers every entry."""
    threads = [threading.Thread(target=_write_entries, args=(pledge, 25)) for _ in range(4)]
    for thread in threads:
        thread.start()
    pledge.seal_audit()
    for thread in threads:
        thread.join()
    result = pledge.verify_audit()
    assert result.ok
    with pledge.sessions() as session:
        assert audit.chain.unsealed_count(session) == 0
