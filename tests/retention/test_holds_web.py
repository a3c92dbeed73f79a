"""Legal holds over HTTP: the admin API and the console page, with who may do what."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.db.models import LegalHold
from tests.retention.conftest import ANNA, audit_of, count
from tests.staff_accounts import create_staff, csrf_of, sign_in
from tests.web.conftest import auth

CASE = "Matter 2026-114"
HOLDS = "/api/v1/admin/holds"


def test_the_admin_api_places_lists_and_releases_holds(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str
) -> None:
    made = client.post(HOLDS, json={"email": ANNA, "reason": CASE}, headers=auth(admin_key))
    assert made.status_code == 201, made.text
    hold = made.json()
    assert (hold["active"], hold["subject_known"], hold["reason"]) == (True, False, CASE)
    assert ANNA not in made.text
    listed = client.get(HOLDS, headers=auth(admin_key)).json()["holds"]
    assert [h["id"] for h in listed] == [hold["id"]]

    released = client.post(f"{HOLDS}/{hold['id']}/release", headers=auth(admin_key))
    assert released.status_code == 200, released.text
    assert released.json()["hold"]["active"] is False
    assert released.json()["erasures_done"] == 0
    again = client.post(f"{HOLDS}/{hold['id']}/release", headers=auth(admin_key))
    assert again.status_code == 409
    unknown = client.post(f"{HOLDS}/no-such-hold/release", headers=auth(admin_key))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"

    bad = client.post(HOLDS, json={"email": "nobody", "reason": ""}, headers=auth(admin_key))
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"email", "reason"}
    assert client.post(HOLDS, json={"email": ANNA, "reason": CASE}).status_code == 401
    refused = client.post(HOLDS, json={"email": ANNA, "reason": CASE}, headers=auth(system_key))
    assert refused.status_code == 403
    assert client.get(HOLDS, headers=auth(system_key)).status_code == 403
    assert count(pledge, LegalHold) == 1
    assert [a for a, _ in audit_of(pledge, "holds.")] == ["holds.created", "holds.released"]


def _browser(pledge: Pledge, client: TestClient, role: str) -> TestClient:
    email = f"{role}.holds@interactions.com"
    create_staff(pledge, email, role)
    browser = TestClient(client.app, raise_server_exceptions=False)
    assert sign_in(browser, email) == 303
    return browser


def test_a_privacy_officer_places_and_releases_a_hold_in_the_console(
    pledge: Pledge, client: TestClient
) -> None:
    officer = _browser(pledge, client, "privacy_officer")
    form = officer.get("/admin/holds")
    assert form.status_code == 200
    assert "Place a hold" in form.text
    token = form.text.split('name="form_token" value="')[1].split('"')[0]
    csrf = csrf_of(form.text)

    bad = officer.post(
        "/admin/holds",
        data={"csrf": csrf, "form_token": token, "email": "not-an-address", "reason": CASE},
    )
    assert bad.status_code == 422
    assert 'aria-describedby="email-error"' in bad.text
    assert 'id="email-error"' in bad.text
    assert count(pledge, LegalHold) == 0

    placed = officer.post(
        "/admin/holds", data={"csrf": csrf, "form_token": token, "email": ANNA, "reason": CASE}
    )
    assert placed.status_code == 200  # after the redirect
    assert "The hold is placed" in placed.text
    assert CASE in placed.text
    assert ANNA not in placed.text
    replay = officer.post(
        "/admin/holds", data={"csrf": csrf, "form_token": token, "email": ANNA, "reason": CASE}
    )
    assert replay.status_code == 409  # a double click places one hold
    assert count(pledge, LegalHold) == 1

    with pledge.sessions() as session:
        hold_id = session.query(LegalHold.id).scalar()
    no_csrf = officer.post(f"/admin/holds/{hold_id}/release", data={})
    assert no_csrf.status_code == 403
    done = officer.post(f"/admin/holds/{hold_id}/release", data={"csrf": csrf})
    assert done.status_code == 200
    assert "The hold is released" in done.text
    assert officer.post("/admin/holds/nope/release", data={"csrf": csrf}).status_code == 404


def test_an_auditor_reads_holds_and_support_does_not_see_them(
    pledge: Pledge, client: TestClient
) -> None:
    auditor = _browser(pledge, client, "auditor")
    page = auditor.get("/admin/holds")
    assert page.status_code == 200
    assert "Place a hold" not in page.text
    assert "Legal holds" in page.text
    posted = auditor.post(
        "/admin/holds", data={"csrf": csrf_of(page.text), "email": ANNA, "reason": CASE}
    )
    assert posted.status_code == 403
    support = _browser(pledge, client, "support")
    assert support.get("/admin/holds").status_code == 403
