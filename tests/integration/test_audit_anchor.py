"""The audit chain is checked against checkpoints kept outside the database (issue #15, item 4).

The attacker here can write the database and even holds the audit head key: they
delete the newest entries and write a head row that verifies. The chain alone
then looks whole; the anchor file, out of their reach, shows the cut.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from pledge import audit
from pledge.audit.anchoring import RESTARTED
from pledge.audit.chain import HEAD_ID, head_mac
from pledge.core import Pledge
from pledge.db.models import AuditEntry, AuditHead
from pledge.settings import Settings
from tests.integration.test_cli import run


def _write(pledge: Pledge, count: int, start: int = 0) -> None:
    with pledge.transaction() as session:
        for n in range(start, start + count):
            audit.append(
                session, action="test.event", actor="test", object_type="thing", object_id=str(n)
            )


def _cut_newest(pledge: Pledge, count: int) -> None:
    """Delete the newest ``count`` sealed entries and fix up the head row to match them."""
    with pledge.transaction() as session:
        head = session.get(AuditHead, HEAD_ID)
        assert head is not None
        keep = head.seq - count
        session.execute(delete(AuditEntry).where(AuditEntry.seq > keep))
        kept = session.scalars(select(AuditEntry).where(AuditEntry.seq == keep)).one()
        head.seq, head.chain_hash = keep, kept.chain_hash or ""
        head.mac = head_mac(pledge.keys, keep, head.chain_hash, head.legacy_until)


def _chain_alone(pledge: Pledge) -> audit.VerifyResult:
    with pledge.sessions() as session:
        return audit.verify(session, pledge.keys)


def _anchor_lines(pledge: Pledge) -> list[dict[str, object]]:
    anchor = pledge.audit_anchor
    assert anchor is not None
    return [json.loads(line) for line in anchor.path.read_text().splitlines()]


def test_an_untouched_chain_matches_its_anchor(pledge: Pledge) -> None:
    _write(pledge, 12)
    result = pledge.verify_audit()
    assert result.ok, result.reason
    assert result.anchored
    lines = _anchor_lines(pledge)
    assert lines[0]["kind"] == "start"
    assert lines[-1]["kind"] == "seal"
    with pledge.sessions() as session:
        head = session.get(AuditHead, HEAD_ID)
        assert head is not None
        assert (lines[-1]["seq"], lines[-1]["hash"]) == (head.seq, head.chain_hash)
    shown = run(pledge.settings, "audit", "verify")
    assert shown.returncode == 0, shown.stderr
    assert "matches the newest checkpoint" in shown.stdout


@pytest.mark.parametrize("count", [1, 4])
def test_deleting_the_newest_entries_and_fixing_the_head_is_detected(
    pledge: Pledge, count: int
) -> None:
    _write(pledge, 10)
    assert pledge.verify_audit().ok
    _cut_newest(pledge, count)
    assert _chain_alone(pledge).ok  # the database alone no longer shows it
    result = pledge.verify_audit()
    assert not result.ok
    assert "newest entries were removed" in (result.reason or "")
    shown = run(pledge.settings, "audit", "verify")
    assert shown.returncode == 1
    assert "anchor's newest checkpoint records position" in shown.stdout


def test_sealing_stops_rather_than_anchoring_a_cut_chain(pledge: Pledge) -> None:
    _write(pledge, 6)
    pledge.seal_audit()
    before = _anchor_lines(pledge)
    _cut_newest(pledge, 2)
    _write(pledge, 5, start=100)  # would fill the cut positions with new entries
    assert pledge.seal_audit() == 0
    assert _anchor_lines(pledge) == before
    assert not pledge.verify_audit().ok


def test_editing_and_reordering_are_still_detected(pledge: Pledge) -> None:
    _write(pledge, 8)
    pledge.seal_audit()
    with pledge.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.object_id == "3")).one()
        entry.actor = "someone-else"
    result = pledge.verify_audit()
    assert not result.ok
    assert result.first_bad == entry.id


def test_a_missing_anchor_file_is_reported(pledge: Pledge) -> None:
    _write(pledge, 3)
    assert pledge.verify_audit().ok
    anchor = pledge.audit_anchor
    assert anchor is not None
    anchor.path.unlink()
    result = pledge.verify_audit()
    assert not result.ok
    assert "is missing or empty, yet anchoring started" in (result.reason or "")
    assert not anchor.exists()  # never silently re-created
    anchor.path.write_text("")
    assert not pledge.verify_audit().ok


def test_an_altered_anchor_line_is_reported(pledge: Pledge) -> None:
    _write(pledge, 3)
    assert pledge.verify_audit().ok
    anchor = pledge.audit_anchor
    assert anchor is not None
    lines = anchor.path.read_text().splitlines()
    first = json.loads(lines[0])
    first["seq"] = 99
    anchor.path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    result = pledge.verify_audit()
    assert not result.ok
    assert "fails its check at line 1" in (result.reason or "")


def test_a_torn_last_line_is_dropped(pledge: Pledge) -> None:
    """A crash mid-write leaves half a line: it was never written, and the next seal cuts it."""
    _write(pledge, 3)
    assert pledge.verify_audit().ok
    anchor = pledge.audit_anchor
    assert anchor is not None
    with anchor.path.open("a") as handle:
        handle.write('{"seq":4,"ha')
    assert pledge.verify_audit().ok
    _write(pledge, 2)
    assert pledge.verify_audit().ok
    assert anchor.path.read_text().endswith("\n")


def test_anchor_print_gives_the_newest_checkpoint_for_a_notary(pledge: Pledge) -> None:
    _write(pledge, 4)
    written = run(pledge.settings, "audit", "anchor")
    assert written.returncode == 0, written.stderr
    printed = run(pledge.settings, "audit", "anchor", "print")
    assert printed.returncode == 0, printed.stderr
    line = printed.stdout.strip()
    assert "\n" not in line
    anchor = pledge.audit_anchor
    assert anchor is not None
    assert line == anchor.path.read_text().splitlines()[-1]
    assert json.loads(line)["kind"] == "anchor"


def test_a_restored_database_is_reanchored_on_purpose(pledge: Pledge) -> None:
    _write(pledge, 6)
    assert pledge.verify_audit().ok
    _cut_newest(pledge, 3)  # what a restore from an older backup looks like
    refused = run(pledge.settings, "audit", "anchor")
    assert refused.returncode == 1
    assert "--after-restore" in refused.stderr
    restarted = run(pledge.settings, "audit", "anchor", "--after-restore")
    assert restarted.returncode == 0, restarted.stderr
    assert _anchor_lines(pledge)[-2]["kind"] == "restart"
    result = pledge.verify_audit()
    assert result.ok, result.reason
    with pledge.sessions() as session:
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == RESTARTED))


def test_postgresql_without_an_anchor_still_verifies_and_says_so(
    pledge: Pledge, settings: Settings
) -> None:
    if settings.is_sqlite:
        pytest.skip("a SQLite file always has its anchor beside it")
    bare = Pledge(settings.model_copy(update={"audit_anchor": None}))
    try:
        _write(bare, 3)
        result = bare.verify_audit()
        assert result.ok
        assert not result.anchored
        shown = run(bare.settings, "audit", "verify")
        assert shown.returncode == 0
        assert "no audit anchor" in shown.stderr
    finally:
        bare.dispose()
