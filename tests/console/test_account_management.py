"""Disabling staff, changing passwords, ending sessions, disabling and rotating Client keys
(issue #11, item 14): each in the CLI and the console, each audited, each effective at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.access import authenticate_key, rotate_client_key
from pledge.access.api_keys import KeyCache
from pledge.console import accounts
from pledge.console.accounts import list_sessions, set_password, user_id_for
from pledge.core import Pledge
from pledge.db.models import AuditEntry
from pledge.errors import ValidationFailed
from pledge.service_data.client_state import disable_client
from pledge.web.app import create_app
from tests.service_data.conftest import make_client
from tests.staff_accounts import PASSWORD, create_staff, csrf_of, sign_in
from tests.web.conftest import auth

PLEDGE = str(Path(sys.executable).with_name("pledge"))
OFFICER = "officer@interactions.com"
STAFF = "staff@interactions.com"
NEW_PASSWORD = "a new and longer passphrase"


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy"))


@pytest.fixture
def people(pledge: Pledge) -> tuple[str, str]:
    create_staff(pledge, OFFICER, "admin")  # with an authenticator app
    create_staff(pledge, STAFF, "staff")  # stored as support
    return user_id_for(pledge, OFFICER), user_id_for(pledge, STAFF)


def _run(pledge: Pledge, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
    }
    return subprocess.run(
        [PLEDGE, *args], input=stdin, capture_output=True, text=True, env=environ, check=False
    )


def _actions(pledge: Pledge, object_id: str) -> list[tuple[str, str]]:
    with pledge.sessions() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.object_id == object_id)
            .order_by(AuditEntry.created_at, AuditEntry.id)
        ).all()
    return [(action, actor) for action, actor in rows]


def _second_browser(app_client: TestClient) -> TestClient:
    return TestClient(app_client.app, raise_server_exceptions=False)


# The commands call the services tested on both databases below; run once, on SQLite.
CLI_ON_SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@CLI_ON_SQLITE
def test_cli_manages_staff_accounts_and_sessions(
    pledge: Pledge, client: TestClient, people: tuple[str, str]
) -> None:
    _, staff_id = people
    assert sign_in(client, STAFF) == 303
    listed = _run(pledge, "users", "sessions", "--email", STAFF)
    assert listed.returncode == 0, listed.stderr
    (ref,) = [s.ref for s in list_sessions(pledge, staff_id)]
    assert ref in listed.stdout
    ended = _run(pledge, "users", "end-sessions", "--email", STAFF)
    assert ended.returncode == 0, ended.stderr
    assert "1 session(s) ended" in ended.stdout
    assert client.get("/admin", follow_redirects=False).status_code == 303  # signed out

    changed = _run(pledge, "users", "password", "--email", STAFF, stdin=NEW_PASSWORD + "\n")
    assert changed.returncode == 0, changed.stderr
    assert NEW_PASSWORD not in changed.stdout + changed.stderr
    assert sign_in(client, STAFF, PASSWORD) == 401
    assert sign_in(client, STAFF, NEW_PASSWORD) == 303

    disabled = _run(pledge, "users", "disable", "--email", STAFF)
    assert disabled.returncode == 0, disabled.stderr
    assert client.get("/admin", follow_redirects=False).status_code == 303  # session ended
    client.cookies.clear()
    assert sign_in(client, STAFF, NEW_PASSWORD) == 401
    again = _run(pledge, "users", "disable", "--email", STAFF)
    assert again.returncode == 1
    assert "already disabled" in again.stderr
    unknown = _run(pledge, "users", "disable", "--email", "nobody@interactions.com")
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr

    assert _run(pledge, "users", "enable", "--email", STAFF).returncode == 0
    assert sign_in(client, STAFF, NEW_PASSWORD) == 303
    assert [a for a, _ in _actions(pledge, staff_id) if not a.startswith("staff.sign")] == [
        "staff.user_created",
        "staff.sessions_ended",
        "staff.password_changed",
        "staff.user_disabled",
        "staff.user_enabled",
    ]
    assert ("staff.user_disabled", "cli") in _actions(pledge, staff_id)


def test_new_passwords_are_checked(pledge: Pledge, people: tuple[str, str]) -> None:
    _, staff_id = people
    for bad, why in (("short", "12 characters"), ("a\x01long enough pass", "control character")):
        with pytest.raises(ValidationFailed, match=why):
            set_password(pledge, staff_id, bad, actor="t")


def test_staff_change_their_own_password_and_other_sessions_end(
    pledge: Pledge, client: TestClient, people: tuple[str, str]
) -> None:
    _, staff_id = people
    other = _second_browser(client)
    assert sign_in(other, STAFF) == 303
    assert sign_in(client, STAFF) == 303
    page = client.get("/admin/account")
    assert page.status_code == 200
    assert "(this browser)" in page.text
    assert len(list_sessions(pledge, staff_id)) == 2
    csrf = csrf_of(page.text)
    wrong = client.post(
        "/admin/account/password",
        data={
            "csrf": csrf,
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400
    assert "current_password" in wrong.text
    differs = client.post(
        "/admin/account/password",
        data={
            "csrf": csrf,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD + "!",
        },
    )
    assert differs.status_code == 400
    changed = client.post(
        "/admin/account/password",
        data={
            "csrf": csrf,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 200, changed.text
    assert "1 other session(s) ended" in changed.text
    assert client.get("/admin").status_code == 200  # this session goes on
    assert other.get("/admin", follow_redirects=False).status_code == 303  # the other ended
    actions = [a for a, _ in _actions(pledge, staff_id)]
    assert "staff.password_change_failed" in actions
    assert "staff.password_changed" in actions
    assert NEW_PASSWORD not in repr(_actions(pledge, staff_id))


def test_a_stolen_session_cannot_guess_the_current_password_for_long(
    client: TestClient, people: tuple[str, str]
) -> None:
    assert sign_in(client, STAFF) == 303
    csrf = csrf_of(client.get("/admin/account").text)
    form = {"csrf": csrf, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    statuses = [
        client.post("/admin/account/password", data={**form, "current_password": f"guess {n}"})
        for n in range(6)
    ]
    assert [s.status_code for s in statuses] == [400] * 5 + [429]


def test_staff_see_and_end_their_sessions(
    pledge: Pledge, client: TestClient, people: tuple[str, str]
) -> None:
    _, staff_id = people
    other = _second_browser(client)
    assert sign_in(other, STAFF) == 303
    assert sign_in(client, STAFF) == 303
    page = client.get("/admin/account")
    refs = re.findall(r'name="ref" value="([0-9a-f]{16})"', page.text)
    assert len(refs) == 2
    current = next(r for r in refs if f"{r}</code> (this browser)" in page.text)
    theirs = next(r for r in refs if r != current)
    ended = client.post(
        "/admin/account/sessions/end", data={"csrf": csrf_of(page.text), "ref": theirs}
    )
    assert ended.status_code == 200
    assert other.get("/admin", follow_redirects=False).status_code == 303
    assert client.get("/admin").status_code == 200
    forged = client.post("/admin/account/sessions/end", data={"csrf": "forged", "ref": current})
    assert forged.status_code == 403
    assert [s.ref for s in list_sessions(pledge, staff_id)] == [current]


def test_admins_disable_staff_and_their_sessions_end_at_once(
    pledge: Pledge, client: TestClient, people: tuple[str, str]
) -> None:
    officer_id, staff_id = people
    staff_browser = _second_browser(client)
    assert sign_in(staff_browser, STAFF) == 303
    assert staff_browser.get("/admin/staff").status_code == 403  # admins only
    assert sign_in(client, OFFICER) == 303
    page = client.get("/admin/staff")
    assert STAFF in page.text
    csrf = csrf_of(page.text)
    own = client.post(f"/admin/staff/{officer_id}/disable", data={"csrf": csrf})
    assert "cannot disable your own account" in own.text
    done = client.post(f"/admin/staff/{staff_id}/disable", data={"csrf": csrf})
    assert done.status_code == 200
    assert "1 session(s) ended" in done.text
    assert staff_browser.get("/admin", follow_redirects=False).status_code == 303
    assert sign_in(staff_browser, STAFF) == 401
    assert ("staff.user_disabled", f"user:{officer_id}") in _actions(pledge, staff_id)
    client.post(f"/admin/staff/{staff_id}/enable", data={"csrf": csrf})
    assert sign_in(staff_browser, STAFF) == 303


def test_rotating_or_disabling_a_client_stops_its_key_at_once(
    pledge: Pledge, client: TestClient
) -> None:
    acme = make_client(pledge, "Acme")
    client_id, old_key = acme.id, acme.key
    assert client.get("/api/v1/service/deliveries", headers=auth(old_key)).status_code == 200
    assert authenticate_key(pledge, old_key) is not None  # now in the key cache
    new_key = rotate_client_key(pledge, client_id, actor="test")
    assert client.get("/api/v1/service/deliveries", headers=auth(old_key)).status_code == 401
    assert client.get("/api/v1/service/deliveries", headers=auth(new_key)).status_code == 200
    disable_client(pledge, client_id, actor="test")
    assert client.get("/api/v1/service/deliveries", headers=auth(new_key)).status_code == 401
    assert [a for a, _ in _actions(pledge, client_id)] == [
        "client.created",
        "client.key_rotated",
        "client.disabled",
    ]


@CLI_ON_SQLITE
def test_cli_disables_and_rotates_client_keys(pledge: Pledge) -> None:
    acme = make_client(pledge, "Acme")
    client_id, old_key = acme.id, acme.key
    rotated = _run(pledge, "clients", "rotate-key", client_id)
    assert rotated.returncode == 0, rotated.stderr
    new_key = rotated.stdout.strip().splitlines()[-1]
    assert new_key.startswith("pc_")
    fresh = Pledge(pledge.settings)  # another process's view: no cache
    try:
        assert authenticate_key(fresh, old_key) is None
        assert authenticate_key(fresh, new_key) is not None
        assert _run(pledge, "clients", "disable", client_id).returncode == 0
        fresh.forget_state(KeyCache)  # past PLEDGE_API_KEY_CACHE_SECONDS
        with TestClient(create_app(fresh), raise_server_exceptions=False) as other:
            answer = other.get("/api/v1/service/deliveries", headers=auth(new_key))
            assert answer.status_code == 401
        again = _run(pledge, "clients", "disable", client_id)
        assert again.returncode == 1
        assert "already disabled" in again.stderr
        assert _run(pledge, "clients", "enable", client_id).returncode == 0
        unknown = _run(pledge, "clients", "rotate-key", "no-such-client")
        assert unknown.returncode == 1
        assert "Traceback" not in unknown.stderr
    finally:
        fresh.dispose()
    assert ("client.key_rotated", "cli") in _actions(pledge, client_id)


def test_admins_disable_and_rotate_clients_in_the_console_and_the_api(
    pledge: Pledge, client: TestClient, people: tuple[str, str], admin_key: str, system_key: str
) -> None:
    acme = make_client(pledge, "Acme")
    client_id, key = acme.id, acme.key
    assert sign_in(client, OFFICER) == 303
    page = client.get("/admin/clients")
    csrf = csrf_of(page.text)
    rotated = client.post(f"/admin/clients/{client_id}/rotate-key", data={"csrf": csrf})
    (new_key,) = re.findall(r"pc_[A-Za-z0-9_-]+", rotated.text)
    assert client.get("/api/v1/service/deliveries", headers=auth(key)).status_code == 401
    disabled = client.post(f"/admin/clients/{client_id}/disable", data={"csrf": csrf})
    assert ">disabled" in disabled.text
    assert client.get("/api/v1/service/deliveries", headers=auth(new_key)).status_code == 401

    path = f"/api/v1/admin/clients/{client_id}"
    assert client.post(f"{path}/enable", headers=auth(system_key)).status_code == 403
    assert client.post(f"{path}/enable", headers=auth(admin_key)).json()["state"] == "enabled"
    assert client.get("/api/v1/service/deliveries", headers=auth(new_key)).status_code == 200
    by_api = client.post(f"{path}/rotate-key", headers=auth(admin_key))
    assert by_api.status_code == 200
    assert by_api.headers["cache-control"] == "no-store"
    assert client.get("/api/v1/service/deliveries", headers=auth(new_key)).status_code == 401
    newest = by_api.json()["api_key"]
    assert client.get("/api/v1/service/deliveries", headers=auth(newest)).status_code == 200
    assert client.post(f"{path}/disable", headers=auth(admin_key)).status_code == 200
    assert client.post(f"{path}/disable", headers=auth(admin_key)).status_code == 409
    missing = client.post("/api/v1/admin/clients/nope/rotate-key", headers=auth(admin_key))
    assert missing.status_code == 404
