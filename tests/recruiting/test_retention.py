"""The retention run expires applications by their category's retention (P1Y), kept ones too."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Record
from pledge.records.service import records_for_email
from pledge.recruiting.positions import close_position, open_position
from pledge.retention.run import run_retention
from tests.recruiting.conftest import application_ids, apply


def test_applications_go_when_their_year_is_over(pledge: Pledge, client: TestClient) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    waiting = apply(client, pledge, "waiting@example.org")
    kept = apply(client, pledge, "kept@example.org", keep=True)
    open_position(pledge, "design-2027", "Designer", actor="test")
    close_position(pledge, "backend-2027", actor="test")
    assert application_ids(pledge) == {kept}
    other = apply(client, pledge, "other@example.org", position="design-2027")
    with pledge.sessions() as session:
        rows = {r: session.get(Record, r) for r in (kept, other)}
    deadline = pledge.policy.category("employment_application").retention.duration  # type: ignore[union-attr]
    assert deadline == "P1Y"
    for row in rows.values():
        assert row is not None
        assert row.retain_until is not None
        assert timedelta(days=364) < row.retain_until - row.collected_at < timedelta(days=367)
    assert waiting not in application_ids(pledge)

    early = run_retention(pledge, as_of=utcnow() + timedelta(days=300))
    assert early.records.get("employment_application", 0) == 0
    assert application_ids(pledge) == {kept, other}

    late = run_retention(pledge, as_of=utcnow() + timedelta(days=367))
    assert late.records["employment_application"] == 2
    assert application_ids(pledge) == set()
    assert records_for_email(pledge, "kept@example.org") == []
