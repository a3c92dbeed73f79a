"""Closing a position: "no" (or no answer) to future openings means deletion, in every
jurisdiction; "yes" keeps the application for career_opportunities until its retention ends."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, Position, Record, SubjectRestriction
from pledge.errors import Conflict, NotFound, ValidationFailed
from pledge.records.service import find_subject_id
from pledge.recruiting.positions import close_position, open_position, settle_unplaced
from pledge.restrictions import RestrictionKind, objection
from pledge.rights.holds import create_hold
from tests.recruiting.conftest import application_ids, apply

COUNTRIES = {"eu": "FR", "uk": "GB", "ch": "CH", "us": "US", "other": "JP"}
"""A country of each kind of jurisdiction the policy names (the form asks no US state)."""


def _record(pledge: Pledge, record_id: str) -> Record | None:
    with pledge.sessions() as session:
        return session.get(Record, record_id)


def test_a_no_is_deleted_and_a_yes_kept_in_every_jurisdiction(
    pledge: Pledge, client: TestClient
) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    open_position(pledge, "design-2027", "Designer", actor="test")
    said_no, said_yes = {}, {}
    for jurisdiction, country in COUNTRIES.items():
        said_no[jurisdiction] = apply(
            client, pledge, f"no-{jurisdiction}@example.org", country=country
        )
        said_yes[jurisdiction] = apply(
            client, pledge, f"yes-{jurisdiction}@example.org", country=country, keep=True
        )
    elsewhere = apply(client, pledge, "other-job@example.org", position="design-2027")
    before = {i: _record(pledge, i) for i in said_yes.values()}

    closed = close_position(pledge, "Backend-2027 ", actor="staff:test")

    assert (closed.deleted, closed.kept, closed.left) == (len(COUNTRIES), len(COUNTRIES), 0)
    assert all(_record(pledge, i) is None for i in said_no.values())
    for record_id in said_yes.values():
        kept = _record(pledge, record_id)
        assert kept is not None
        assert kept.purpose == "career_opportunities"
        assert kept.retain_until == before[record_id].retain_until  # type: ignore[union-attr]
    assert _record(pledge, said_yes["eu"]).legal_basis == "legitimate_interests"  # type: ignore[union-attr]
    # Applications for another position are not touched.
    assert elsewhere in application_ids(pledge)
    with pledge.sessions() as session:
        position = session.get(Position, "backend-2027")
        assert position is not None
        assert position.closed_at is not None
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "recruiting.position_closed")
        ).one()
    assert entry.details == {"deleted": len(COUNTRIES), "kept": len(COUNTRIES), "left": 0}
    assert "example.org" not in str(entry.details)


def test_an_application_written_as_its_position_closed_is_settled_by_closing_again(
    pledge: Pledge, client: TestClient
) -> None:
    """The form checks the position is open; a closing that commits between that check and
    the application's write leaves it behind, and closing again settles it."""
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    late = apply(client, pledge, "late@example.org")
    with pledge.transaction() as session:
        position = session.get(Position, "backend-2027")
        assert position is not None
        position.closed_at = utcnow()  # the closing that did not see the application
    assert late in application_ids(pledge)
    again = close_position(pledge, "backend-2027", actor="test")
    assert again.deleted == 1
    assert late not in application_ids(pledge)


def test_an_objection_to_future_openings_outweighs_the_yes(
    pledge: Pledge, client: TestClient
) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    record_id = apply(client, pledge, "objects@example.org", keep=True)
    with pledge.transaction() as session:
        subject_id = find_subject_id(session, pledge.keys, "objects@example.org")
        assert subject_id
        session.add(
            SubjectRestriction(
                subject_id=subject_id, kind=objection("career_opportunities"), request_id="r1"
            )
        )
    assert close_position(pledge, "backend-2027", actor="test").deleted == 1
    assert _record(pledge, record_id) is None


def test_a_hold_or_a_restriction_leaves_the_application_as_it_is(
    pledge: Pledge, client: TestClient
) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    held = apply(client, pledge, "held@example.org")
    restricted = apply(client, pledge, "restricted@example.org")
    create_hold(pledge, email="held@example.org", reason="case 12", actor="test")
    with pledge.transaction() as session:
        subject_id = find_subject_id(session, pledge.keys, "restricted@example.org")
        assert subject_id
        session.add(
            SubjectRestriction(
                subject_id=subject_id, kind=RestrictionKind.STORAGE_ONLY.value, request_id="r2"
            )
        )
    closed = close_position(pledge, "backend-2027", actor="test")
    assert (closed.deleted, closed.kept, closed.left) == (0, 0, 2)
    for record_id in (held, restricted):
        record = _record(pledge, record_id)
        assert record is not None
        assert record.purpose == "recruitment"


def test_positions_are_checked_before_anything_is_written(pledge: Pledge) -> None:
    with pytest.raises(ValidationFailed) as bad:
        open_position(pledge, "Not a slug!", "", actor="test")
    assert set(bad.value.fields) == {"id", "title"}
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    with pytest.raises(Conflict):
        open_position(pledge, "BACKEND-2027", "Again", actor="test")
    with pytest.raises(NotFound):
        close_position(pledge, "no-such-position", actor="test")
    with pledge.sessions() as session:
        assert session.scalars(select(Position.id)).all() == ["backend-2027"]


def test_applications_sent_before_positions_were_managed_are_settled_on_request(
    pledge: Pledge, client: TestClient
) -> None:
    """No closing reaches an application naming no position here: the team settles those
    groups, with the same rules; a real position must be closed instead."""
    blank_no = apply(client, pledge, "blank-no@example.org", position=None)
    blank_yes = apply(client, pledge, "blank-yes@example.org", position=None, keep=True)
    typed_no = apply(client, pledge, "typed-no@example.org", position="Job Ad 12")
    settled = settle_unplaced(pledge, "", actor="staff:test")
    assert (settled.deleted, settled.kept, settled.left) == (1, 1, 0)
    held = application_ids(pledge)
    assert blank_no not in held
    assert blank_yes in held
    assert typed_no in held, "another group"
    assert settle_unplaced(pledge, " job ad 12", actor="staff:test").deleted == 1
    assert typed_no not in application_ids(pledge)
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    with pytest.raises(Conflict):
        settle_unplaced(pledge, "backend-2027", actor="staff:test")
    with pledge.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "recruiting.unplaced_settled")
        ).all()
    assert [e.object_id for e in entries] == ["unplaced", "unplaced"]
    assert "job ad" not in str([e.details for e in entries]).lower()
