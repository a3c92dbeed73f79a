"""The console's recruiting page: the recruiting team alone sees applicants; every action is
authorised, checked by field and never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.audit.reads import READ
from pledge.core import Pledge
from pledge.db.models import AuditEntry, Position
from pledge.recruiting.positions import open_position
from tests.recruiting.conftest import (
    EMPLOYEES,
    Target,
    application_ids,
    apply,
    csrf,
    form_token,
    signed_in,
)

PAGE = "/admin/recruiting"
OTHERS = ("admin", "privacy_officer", "support", "auditor")


def test_only_the_recruiting_team_sees_applicants(pledge: Pledge, client: TestClient) -> None:
    open_position(pledge, "backend-2027", "Backend engineer", actor="test")
    record_id = apply(client, pledge, "grace@example.org", name="Grace Candidate")
    recruiter = signed_in(client, pledge, "recruiter")
    shown = recruiter.get(PAGE)
    assert shown.status_code == 200
    assert "Grace Candidate" in shown.text
    assert "grace@example.org" in shown.text
    assert "Backend engineer" in shown.text
    assert "cv.pdf" in shown.text
    for role in OTHERS:
        browser = signed_in(client, pledge, role)
        token = csrf(browser)
        answers = [
            browser.get(PAGE),
            browser.post(f"{PAGE}/positions", data={"csrf": token, "id": "x", "title": "X"}),
            browser.post(f"{PAGE}/positions/backend-2027/close", data={"csrf": token}),
            browser.post(f"{PAGE}/applications/{record_id}/background-check", data={"csrf": token}),
            browser.post(f"{PAGE}/applications/{record_id}/hire", data={"csrf": token}),
        ]
        assert [a.status_code for a in answers] == [403] * 5, role
        assert all("Grace" not in a.text for a in answers)
    anonymous = TestClient(client.app, raise_server_exceptions=False)
    assert anonymous.get(PAGE, follow_redirects=False).status_code in (303, 401)
    assert record_id in application_ids(pledge)
    # Each showing is a read in the audit log, by the recruiter, without the person's data.
    with pledge.sessions() as session:
        reads = session.scalars(select(AuditEntry).where(AuditEntry.action == READ)).all()
    shown_reads = [r for r in reads if r.details.get("what") == "applications"]
    assert shown_reads
    assert all(r.actor.startswith("user:") for r in shown_reads)
    assert all("grace" not in str(r.details).lower() for r in shown_reads)


def test_a_recruiter_opens_and_closes_a_position(pledge: Pledge, client: TestClient) -> None:
    recruiter = signed_in(client, pledge, "recruiter")
    page = recruiter.get(PAGE).text
    token = csrf(recruiter)
    bad = recruiter.post(
        f"{PAGE}/positions",
        data={"csrf": token, "form_token": form_token(page), "id": "no spaces", "title": ""},
    )
    assert bad.status_code == 422
    assert 'id="id-error"' in bad.text
    assert 'id="title-error"' in bad.text
    opened = recruiter.post(
        f"{PAGE}/positions",
        data={
            "csrf": token,
            "form_token": form_token(page),
            "id": "backend-2027",
            "title": "Backend engineer",
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303
    no = apply(client, pledge, "no@example.org")
    yes = apply(client, pledge, "yes@example.org", keep=True)
    closed = recruiter.post(
        f"{PAGE}/positions/backend-2027/close", data={"csrf": token}, follow_redirects=False
    )
    assert closed.status_code == 303
    assert application_ids(pledge) == {yes}
    assert no not in application_ids(pledge)
    after = recruiter.get(PAGE).text
    assert "Kept for future openings" in after
    assert "yes@example.org" in after
    assert recruiter.post(f"{PAGE}/positions/nope/close", data={"csrf": token}).status_code == 404
    with pledge.sessions() as session:
        position = session.get(Position, "backend-2027")
        assert position is not None
        assert position.closed_by is not None


def test_hire_from_the_console_and_its_refusals(
    pledge: Pledge, client: TestClient, target: Target
) -> None:
    record_id = apply(client, pledge, "hired@example.org")
    recruiter = signed_in(client, pledge, "recruiter")
    token = csrf(recruiter)
    unknown = recruiter.post(f"{PAGE}/applications/not-a-record/hire", data={"csrf": token})
    assert unknown.status_code == 404
    no_csrf = recruiter.post(f"{PAGE}/applications/{record_id}/hire", data={})
    assert no_csrf.status_code in (400, 403)
    hired = recruiter.post(
        f"{PAGE}/applications/{record_id}/hire", data={"csrf": token}, follow_redirects=False
    )
    assert hired.status_code == 303
    assert len(target.rows(EMPLOYEES)) == 1
    assert record_id not in application_ids(pledge)
    assert "hired@example.org" not in recruiter.get(PAGE).text


def test_an_undeclared_receiver_is_a_page_not_a_500(pledge: Pledge, client: TestClient) -> None:
    record_id = apply(client, pledge, "checked@example.org")
    recruiter = signed_in(client, pledge, "recruiter")
    token = csrf(recruiter)
    for action in ("background-check", "hire"):
        answer = recruiter.post(f"{PAGE}/applications/{record_id}/{action}", data={"csrf": token})
        assert answer.status_code == 409
        assert "Nothing was changed" in answer.text
        assert "connected systems file" in answer.text
    assert record_id in application_ids(pledge)


def test_a_recruiter_settles_applications_naming_no_position(
    pledge: Pledge, client: TestClient
) -> None:
    no = apply(client, pledge, "unplaced-no@example.org", position=None)
    recruiter = signed_in(client, pledge, "recruiter")
    page = recruiter.get(PAGE).text
    assert "Applications for no particular position" in page
    assert 'action="/admin/recruiting/unplaced/settle"' in page
    settled = recruiter.post(
        f"{PAGE}/unplaced/settle",
        data={"csrf": csrf(recruiter), "position": ""},
        follow_redirects=False,
    )
    assert settled.status_code == 303
    assert no not in application_ids(pledge)
    auditor = signed_in(client, pledge, "auditor")
    refused = auditor.post(f"{PAGE}/unplaced/settle", data={"csrf": csrf(auditor), "position": ""})
    assert refused.status_code == 403
