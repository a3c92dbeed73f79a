"""The staff console: sign-in, sessions, CSRF, the queue and actions (both databases)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.console.accounts import create_user
from pledge.core import Pledge
from pledge.db.models import AuditEntry, StaffUser
from pledge.rights.schemas import RequestIn
from pledge.rights.service import submit
from tests.staff_accounts import PASSWORD, create_staff, csrf_of, sign_in

PLEDGE = str(Path(sys.executable).with_name("pledge"))
__all__ = ["PASSWORD", "csrf_of", "form_token_of", "sign_in"]  # imported by other console tests


def form_token_of(html: str) -> str:
    """The one-use token of a console form that creates something."""
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "form without a one-use token"
    return match.group(1)


@pytest.fixture
def officer(pledge: Pledge) -> str:
    """An administrator, with an authenticator app (``sign_in`` gives its codes)."""
    create_staff(pledge, "officer@interactions.com", "admin")
    return "officer@interactions.com"


def test_users_create_reads_the_password_from_stdin(pledge: Pledge, client: TestClient) -> None:
    environ = {
        **os.environ,
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
    }
    command = [PLEDGE, "users", "create", "--email", "staff@interactions.com", "--role", "staff"]
    short = subprocess.run(
        command, input="short\n", capture_output=True, text=True, env=environ, check=False
    )
    assert short.returncode == 1
    assert "12 characters" in short.stderr
    ok = subprocess.run(
        command, input=PASSWORD + "\n", capture_output=True, text=True, env=environ, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert PASSWORD not in ok.stdout + ok.stderr
    assert sign_in(client, "staff@interactions.com") == 303


def test_pages_need_a_session(client: TestClient) -> None:
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"


def test_wrong_password_then_lockout(client: TestClient, officer: str) -> None:
    for _ in range(5):
        assert sign_in(client, officer, "wrong password!") == 401
    # From this address, this account waits a while, even with the right password.
    assert sign_in(client, officer) == 429
    assert sign_in(client, "nobody@interactions.com") == 401


def test_session_cookie_is_protected(pledge: Pledge, client: TestClient) -> None:
    create_staff(pledge, "support@interactions.com", "support")
    form = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "email": "support@interactions.com",
            "password": PASSWORD,
            "csrf": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/admin" in cookie
    page = client.get("/admin")
    assert page.status_code == 200
    assert "Request queue" in page.text
    assert page.headers["x-frame-options"] == "DENY"


def test_login_form_needs_its_csrf_token(client: TestClient, officer: str) -> None:
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"email": officer, "password": PASSWORD, "csrf": "forged"}
    )
    assert "Please try again" in response.text
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_actions_need_the_session_csrf_token(
    pledge: Pledge, client: TestClient, officer: str
) -> None:
    body = RequestIn.model_validate({"type": "access", "email": "p@example.com", "country": "FR"})
    request_id = submit(pledge, body).id
    assert sign_in(client, officer) == 303
    page = client.get(f"/admin/requests/{request_id}")
    assert page.status_code == 200
    forged = client.post(f"/admin/requests/{request_id}/deny", data={"reason": "x", "csrf": "no"})
    assert forged.status_code == 403
    denied = client.post(
        f"/admin/requests/{request_id}/deny",
        data={"reason": "could not verify identity", "csrf": csrf_of(page.text)},
    )
    assert denied.status_code == 200
    assert "denied" in denied.text
    queue = client.get("/admin?status=denied")
    assert request_id in queue.text


def test_staff_enter_requests_received_by_post(
    pledge: Pledge, client: TestClient, officer: str
) -> None:
    assert sign_in(client, officer) == 303
    form = client.get("/admin/requests/new")
    response = client.post(
        "/admin/requests/new",
        data={
            "type": "erasure",
            "method": "post",
            "email": "letter@example.com",
            "country": "DE",
            "csrf": csrf_of(form.text),
            "form_token": form_token_of(form.text),
        },
    )
    assert response.status_code == 200
    assert "Request recorded" in response.text
    assert "letter@example.com" not in client.get("/admin").text


def test_clients_page_is_for_admins(pledge: Pledge, client: TestClient, officer: str) -> None:
    create_user(pledge, email="staff@interactions.com", role="staff", password=PASSWORD, actor="t")
    assert sign_in(client, "staff@interactions.com") == 303
    assert client.get("/admin/clients").status_code == 403
    client.cookies.clear()
    assert sign_in(client, officer) == 303
    page = client.get("/admin/clients")
    yaml_text = "collect:\n  - field: phone\n    kind: PHONE\nretention_days: 30\n"
    created = client.post(
        "/admin/clients",
        data={"name": "Contoso", "instructions": yaml_text, "csrf": csrf_of(page.text)},
    )
    assert "pc_" in created.text
    bad = client.post(
        "/admin/clients",
        data={"name": "Bad", "instructions": "collect: []\n", "csrf": csrf_of(page.text)},
    )
    assert "not valid" in bad.text
    assert "not kept" in created.text  # the transcript, by default
    keeping = client.post(
        "/admin/clients",
        data={
            "name": "Globex",
            "instructions": yaml_text + "keep_transcript: true\n",
            "csrf": csrf_of(page.text),
        },
    )
    assert "kept (redacted)" in keeping.text
    refused = client.post(
        "/admin/clients",
        data={
            "name": "Initech",
            "instructions": yaml_text + "keep_transcript: sometimes\n",
            "csrf": csrf_of(page.text),
        },
    )
    assert "keep_transcript" in refused.text
    assert "valid boolean" in refused.text


def test_sign_out_ends_the_session_and_is_audited(
    pledge: Pledge, client: TestClient, officer: str
) -> None:
    assert sign_in(client, officer) == 303
    page = client.get("/admin")
    response = client.post(
        "/admin/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"
    assert client.get("/admin", follow_redirects=False).status_code == 303
    with pledge.sessions() as session:
        user_id = session.scalar(select(StaffUser.id).where(StaffUser.email == officer))
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff.signed_out")
        ).all()
    assert [(e.actor, e.object_type, e.object_id) for e in entries] == [
        (f"user:{user_id}", "staff_user", user_id)
    ]
    assert officer not in repr([(e.details, e.subject_id) for e in entries])
    assert pledge.verify_audit().ok


def test_forms_without_a_session_get_401_json(client: TestClient) -> None:
    for path in (
        "/admin/logout",
        "/admin/requests/new",
        "/admin/clients",
        "/admin/requests/x/deny",
    ):
        response = client.post(path, data={"csrf": "x"}, follow_redirects=False)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "authentication_required"
