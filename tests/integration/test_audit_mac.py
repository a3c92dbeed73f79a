"""Audit entries are MACed when written, and the chain is anchored to a MACed head.

Issue #11, item 10: deleting the newest sealed entries, or inserting a forged
unsealed entry with a recomputed hash, used to pass ``pledge audit verify``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import delete, func, select, text, update

from pledge import audit
from pledge.audit.chain import GENESIS, content_hash, link_hash
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.migrate import downgrade, upgrade
from pledge.db.models import AuditEntry
from tests.integration.test_cli import run


def _write(pledge: Pledge, count: int, start: int = 0) -> None:
    with pledge.transaction() as session:
        for n in range(start, start + count):
            audit.append(
                session, action="test.event", actor="test", object_type="thing", object_id=str(n)
            )


def _forge_unsealed(pledge: Pledge, mac: str | None) -> int:
    """What someone with write access to the database but not the master key can add."""
    forged = AuditEntry(
        created_at=utcnow(),
        action="record.deleted",
        actor="cli",
        object_type="subject",
        object_id="x",
        subject_id=None,
        details={},
    )
    forged.entry_hash = content_hash(forged)
    forged.entry_mac = mac
    with pledge.sessions() as session:
        session.add(forged)
        session.commit()
        return forged.id


def test_deleting_the_newest_sealed_entries_is_detected(pledge: Pledge) -> None:
    _write(pledge, 10)
    pledge.seal_audit()
    assert pledge.verify_audit().ok
    with pledge.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq > 7))
    result = pledge.verify_audit()
    assert not result.ok
    assert "newest sealed entries were removed" in (result.reason or "")


def test_the_truncation_stays_visible_after_later_seals(pledge: Pledge) -> None:
    _write(pledge, 10)
    pledge.seal_audit()
    with pledge.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq > 7))
    _write(pledge, 5, start=100)
    assert pledge.seal_audit() == 0  # the anchor no longer matches: sealing stops
    with pledge.transaction() as session:  # the chain's own sealer, without the anchor
        audit.seal(session, pledge.keys)  # numbering continues from the head: the gap is kept
    result = pledge.verify_audit()
    assert not result.ok
    assert "missing" in (result.reason or "")


def test_a_forged_unsealed_entry_with_a_recomputed_hash_is_detected(pledge: Pledge) -> None:
    _write(pledge, 5)
    pledge.seal_audit()
    forged = _forge_unsealed(pledge, mac=None)
    with pledge.sessions() as session:  # verify alone, before any seal takes it in
        result = audit.verify(session, pledge.keys)
    assert not result.ok
    assert result.first_bad == forged
    assert "no MAC" in (result.reason or "")
    assert not pledge.verify_audit().ok  # and once sealed into the chain, still


def test_a_forged_entry_with_a_made_up_mac_is_detected(pledge: Pledge) -> None:
    _write(pledge, 3)
    forged = _forge_unsealed(pledge, mac="0" * 64)
    result = pledge.verify_audit()
    assert not result.ok
    assert result.first_bad == forged
    assert "MAC does not match" in (result.reason or "")


def test_entry_macs_use_their_own_key(pledge: Pledge) -> None:
    _write(pledge, 1)
    with pledge.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "test.event")).one()
    blob_mac = audit.chain.content_mac(pledge.keys, entry)
    assert entry.entry_mac == blob_mac
    assert entry.entry_mac != pledge.keys.audit_mac(entry.entry_hash.encode())


def test_an_altered_or_deleted_head_is_detected_and_not_laundered(pledge: Pledge) -> None:
    _write(pledge, 4)
    pledge.seal_audit()
    with pledge.transaction() as session:
        session.execute(text("UPDATE audit_head SET seq = seq - 1"))
    assert "head's MAC" in (pledge.verify_audit().reason or "")
    with pledge.transaction() as session:
        session.execute(text("DELETE FROM audit_head"))
    _write(pledge, 2, start=10)
    assert pledge.seal_audit() == 0, "sealing stops rather than writing a new head"
    result = pledge.verify_audit()
    assert not result.ok
    assert "head is missing" in (result.reason or "")


def test_cli_reports_a_truncated_chain(pledge: Pledge) -> None:
    _write(pledge, 6)
    assert run(pledge.settings, "audit", "verify").returncode == 0
    with pledge.transaction() as session:
        newest = session.scalar(select(func.max(AuditEntry.seq)))
        session.execute(delete(AuditEntry).where(AuditEntry.seq == newest))
    result = run(pledge.settings, "audit", "verify")
    assert result.returncode == 1
    assert "newest sealed entries were removed" in result.stdout


LEGACY = sa.table(
    "audit_entries",
    *(sa.column(n) for n in ("action", "actor", "object_type", "object_id", "subject_id")),
    *(sa.column(n) for n in ("entry_hash", "seq", "chain_hash")),
    sa.column("details", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def test_entries_from_before_macs_are_legacy_not_broken(pledge: Pledge) -> None:
    """Migration 0013 on a database with a sealed chain written by the former code."""
    downgrade(pledge.engine, "0011")
    previous = GENESIS
    with pledge.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries"))
        for seq in range(1, 4):
            entry = AuditEntry(
                created_at=datetime(2026, 1, seq, tzinfo=UTC),
                action="old.event",
                actor="system",
                object_type="thing",
                object_id=str(seq),
                subject_id=None,
                details={"n": seq},
            )
            entry_hash = content_hash(entry)
            previous = link_hash(pledge.keys.audit_mac, previous, entry_hash, seq)
            conn.execute(
                LEGACY.insert().values(
                    action=entry.action,
                    actor=entry.actor,
                    object_type=entry.object_type,
                    object_id=entry.object_id,
                    subject_id=None,
                    details=entry.details,
                    created_at=entry.created_at,
                    entry_hash=entry_hash,
                    seq=seq,
                    chain_hash=previous,
                )
            )
    upgrade(pledge.engine)
    result = pledge.verify_audit()
    assert result.ok, result.reason
    assert result.legacy == 3
    _write(pledge, 2)
    result = pledge.verify_audit()
    assert result.ok
    assert result.legacy == 3
    assert result.checked == 6  # and the first seal's audit.anchor_started
    shown = run(pledge.settings, "audit", "verify")
    assert shown.returncode == 0
    assert "3 legacy entries without a MAC" in shown.stdout
    # A new unMACed entry after MACed ones is a forgery, not a legacy entry.
    _forge_unsealed(pledge, mac=None)
    assert not pledge.verify_audit().ok


def test_every_entry_written_by_pledge_carries_a_mac(pledge: Pledge) -> None:
    from pledge.access import create_api_key

    create_api_key(pledge, name="k", role="system")
    with pledge.sessions() as session:
        unmaced = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entry_mac.is_(None))
        )
        total = session.scalar(select(func.count()).select_from(AuditEntry))
    assert total
    assert unmaced == 0
    pledge.seal_audit()
    with pledge.transaction() as session:
        session.execute(update(AuditEntry).values(entry_mac=None))
    result = pledge.verify_audit()
    assert not result.ok, "the head records that MACs began: stripping them shows"
    assert "no MAC" in (result.reason or "")
