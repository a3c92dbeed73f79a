"""Authenticator apps (TOTP) for staff (issue #11, "Staff accounts"), on both databases.

Set-up in the console (secret shown once, active only after a code), the code
step at sign-in, a code refused the second time, codes counted and locked out
like passwords, the secret sealed at rest, admins kept on the set-up page
until they have an app, and the commands that enrol and reset.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.console import accounts
from pledge.console.accounts import (
    CodeNeeded,
    attempt,
    create_user,
    list_sessions,
    user_id_for,
)
from pledge.console.second_factor import (
    CODE_FAILED,
    TICKET_EXPIRED,
    attempt_code,
    start_enrolment,
)
from pledge.console.totp import STEP_SECONDS, make_ticket, matching_step
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, StaffUser
from pledge.errors import AuthenticationRequired
from tests.staff_accounts import (
    PASSWORD,
    csrf_of,
    enrol,
    fresh_code,
    give_code,
    remember,
    sign_in,
)

PLEDGE = str(Path(sys.executable).with_name("pledge"))
ADMIN = "admin@interactions.com"
LOCK_AFTER = 4


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy"))
    monkeypatch.setattr(accounts, "LOCK_AFTER", LOCK_AFTER)


@pytest.fixture
def admin_id(pledge: Pledge) -> str:
    """An administrator created without an app (as ``pledge users create`` leaves one)."""
    return create_user(pledge, email=ADMIN, role="admin", password=PASSWORD, actor="t")


def _actions(pledge: Pledge, user_id: str) -> list[str]:
    with pledge.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_id == user_id)
                .order_by(AuditEntry.id)
            )
        )


def _browser(client: TestClient) -> TestClient:
    return TestClient(client.app, raise_server_exceptions=False)


def test_an_admin_without_an_app_reaches_only_the_set_up_page(
    pledge: Pledge, client: TestClient, admin_id: str
) -> None:
    form = client.get("/admin/login")
    signed = client.post(
        "/admin/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/admin/account/second-factor"
    for page in ("/admin", "/admin/account", "/admin/staff", "/admin/audit", "/admin/clients"):
        answer = client.get(page, follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"] == "/admin/account/second-factor"
    setup = client.get("/admin/account/second-factor")
    assert setup.status_code == 200
    assert "set one up before anything else" in setup.text
    nav = re.search(r'<nav aria-label="Console">(.*?)</nav>', setup.text, re.S)
    assert nav
    assert re.findall(r'href="([^"]+)"', nav.group(1)) == ["/admin/account/second-factor"]
    csrf = csrf_of(setup.text)
    refused = client.post(f"/admin/staff/{admin_id}/disable", data={"csrf": csrf})
    assert refused.status_code == 403
    password = client.post(
        "/admin/account/password",
        data={"csrf": csrf, "current_password": PASSWORD, "new_password": "x" * 20},
    )
    assert password.status_code == 403


def test_set_up_in_the_console_shows_the_secret_once_and_needs_a_code(
    pledge: Pledge, client: TestClient, admin_id: str
) -> None:
    other = _browser(client)
    assert sign_in(other, ADMIN) == 303  # a second session opened by password alone
    assert sign_in(client, ADMIN) == 303
    csrf = csrf_of(client.get("/admin/account/second-factor").text)
    started = client.post("/admin/account/second-factor/start", data={"csrf": csrf})
    assert started.status_code == 200
    assert started.headers["cache-control"] == "no-store"
    match = re.search(r'data-secret="([A-Z2-7]+)"', started.text)
    assert match
    secret = match.group(1)
    assert "<svg" in started.text  # the QR code, drawn inline
    assert "otpauth://totp/Pledge:" in started.text
    assert secret not in client.get("/admin/account/second-factor").text  # shown once
    with pledge.sessions() as session:
        user = session.get(StaffUser, admin_id)
        assert user is not None
        assert user.totp_enabled_at is None  # not active before a code
        assert user.totp_pending is not None
        assert secret.encode() not in user.totp_pending  # sealed
        assert pledge.keys.decrypt_staff_secret(user.totp_pending, admin_id) == secret

    wrong = client.post(
        "/admin/account/second-factor/confirm", data={"csrf": csrf, "code": "000000"}
    )
    assert wrong.status_code == 400
    assert "not right" in wrong.text
    assert client.get("/admin", follow_redirects=False).status_code == 303  # still set-up only
    remember(ADMIN, secret)  # sign_in's codes come after the one confirmed here
    confirmed = client.post(
        "/admin/account/second-factor/confirm",
        data={"csrf": csrf, "code": fresh_code(secret)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert client.get("/admin").status_code == 200  # this session goes on, with everything
    assert other.get("/admin", follow_redirects=False).status_code == 303  # the other ended
    with pledge.sessions() as session:
        user = session.get(StaffUser, admin_id)
        assert user is not None
        assert user.totp_secret is not None
        assert user.totp_pending is None
        assert user.totp_enabled_at is not None
        assert secret.encode() not in user.totp_secret
    actions = _actions(pledge, admin_id)
    assert "staff.second_factor_started" in actions
    assert "staff.second_factor_failed" in actions
    assert "staff.second_factor_enrolled" in actions
    assert secret not in repr(actions)
    again = client.post(
        "/admin/account/second-factor/start", data={"csrf": csrf_of(client.get("/admin").text)}
    )
    assert again.status_code == 409  # a reset by an administrator comes first

    # The next sign-in asks for a code (and the one used above is spent).
    fresh = _browser(client)
    assert sign_in(fresh, ADMIN) == 303
    assert fresh.get("/admin").status_code == 200


def test_sign_in_with_a_code_and_the_code_is_good_once(
    pledge: Pledge, client: TestClient, admin_id: str
) -> None:
    secret = enrol(pledge, ADMIN)
    form = client.get("/admin/login")
    password = client.post(
        "/admin/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert password.status_code == 303
    assert password.headers["location"] == "/admin/login/code"
    assert "pledge_session" not in password.headers.get("set-cookie", "")
    assert client.get("/admin", follow_redirects=False).status_code == 303  # no session yet
    code_page = client.get("/admin/login/code")
    assert 'autocomplete="one-time-code"' in code_page.text
    assert give_code(client, "123").status_code == 401
    code = fresh_code(secret)
    signed = give_code(client, code)
    assert signed.status_code == 303
    assert signed.headers["location"] == "/admin"
    assert client.get("/admin").status_code == 200

    # The same code, from another browser that knows the password: refused.
    thief = _browser(client)
    form = thief.get("/admin/login")
    thief.post(
        "/admin/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    replayed = give_code(thief, code)
    assert replayed.status_code == 401
    assert CODE_FAILED in replayed.text
    assert thief.get("/admin", follow_redirects=False).status_code == 303
    actions = _actions(pledge, admin_id)
    assert "staff.second_factor_replayed" in actions
    assert actions.count("staff.password_accepted") == 2
    assert code not in repr(actions)


def test_parallel_uses_of_one_code_open_one_session(pledge: Pledge, admin_id: str) -> None:
    secret = enrol(pledge, ADMIN)
    now = utcnow()
    code = pyotp.TOTP(secret).at(now)
    tickets = [make_ticket(pledge, admin_id, now) for _ in range(8)]
    start = threading.Barrier(len(tickets))
    outcomes: list[str] = []

    def use(ticket: str) -> None:
        start.wait()
        try:
            attempt_code(pledge, ticket, code, now=now)
            outcomes.append("signed in")
        except AuthenticationRequired as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=use, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted(["signed in"] + [CODE_FAILED] * (len(tickets) - 1))
    assert len(list_sessions(pledge, admin_id)) == 1


def test_an_older_code_is_refused_once_a_newer_one_was_used(pledge: Pledge, admin_id: str) -> None:
    secret = enrol(pledge, ADMIN)
    now = utcnow()
    totp = pyotp.TOTP(secret)
    attempt_code(pledge, make_ticket(pledge, admin_id, now), totp.at(now), now=now)
    earlier = now - timedelta(seconds=STEP_SECONDS)
    with pytest.raises(AuthenticationRequired, match="wrong or used"):
        attempt_code(pledge, make_ticket(pledge, admin_id, now), totp.at(earlier), now=now)
    far = now - timedelta(seconds=3 * STEP_SECONDS)
    assert matching_step(secret, totp.at(far), now) is None  # outside the drift allowed


def test_wrong_codes_are_counted_and_lock_like_passwords(pledge: Pledge, admin_id: str) -> None:
    """The code step counts in the same atomic counter as passwords: the password is known
    to whoever reaches it, so it buys no more guesses than a password would."""
    secret = enrol(pledge, ADMIN)
    now = utcnow()
    signed = attempt(pledge, ADMIN, PASSWORD, now=now)
    assert isinstance(signed, CodeNeeded)
    ticket = signed.ticket
    # The password attempt counted 1; wrong codes count up to the limit, then the lock.
    for n in range(LOCK_AFTER):
        with pytest.raises(AuthenticationRequired, match="wrong or used"):
            attempt_code(pledge, ticket, f"{n:06d}", now=now)
    with pledge.sessions() as session:
        locked_until = session.scalar(
            select(StaffUser.locked_until).where(StaffUser.id == admin_id)
        )
    assert locked_until is not None
    assert locked_until > now
    with pytest.raises(AuthenticationRequired):  # the right code, from a new browser: locked
        attempt_code(pledge, ticket, pyotp.TOTP(secret).at(now), now=now)
    actions = _actions(pledge, admin_id)
    assert actions.count("staff.second_factor_failed") == LOCK_AFTER - 1
    assert "staff.sign_in_refused" in actions
    later = now + accounts.LOCK_FOR + timedelta(seconds=1)
    fresh = attempt(pledge, ADMIN, PASSWORD, now=later)
    assert isinstance(fresh, CodeNeeded)
    attempt_code(pledge, fresh.ticket, pyotp.TOTP(secret).at(later), now=later)


def test_a_browser_that_signed_in_before_passes_the_code_lock(
    pledge: Pledge, admin_id: str
) -> None:
    secret = enrol(pledge, ADMIN)
    now = utcnow()
    totp = pyotp.TOTP(secret)
    known = attempt_code(pledge, make_ticket(pledge, admin_id, now), totp.at(now), now=now)
    for _ in range(LOCK_AFTER + 1):
        with pytest.raises(AuthenticationRequired):
            attempt_code(pledge, make_ticket(pledge, admin_id, now), "000000", now=now)
    later = now + timedelta(seconds=STEP_SECONDS)
    ticket = make_ticket(pledge, admin_id, later)
    with pytest.raises(AuthenticationRequired):
        attempt_code(pledge, ticket, totp.at(later), now=later)  # unknown browser
    attempt_code(pledge, ticket, totp.at(later), device=known.device, now=later)


def test_the_code_step_is_throttled_per_account_and_address(
    pledge: Pledge, client: TestClient, admin_id: str
) -> None:
    enrol(pledge, ADMIN)
    form = client.get("/admin/login")
    client.post(
        "/admin/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    limit = pledge.settings.sign_in_failures_per_account_ip
    statuses = [give_code(client, "999999").status_code for _ in range(limit + 1)]
    assert statuses[-1] == 429
    assert set(statuses[:-1]) <= {401}


def test_a_stale_or_forged_ticket_starts_over(
    pledge: Pledge, client: TestClient, admin_id: str
) -> None:
    secret = enrol(pledge, ADMIN)
    past = utcnow() - timedelta(minutes=10)
    with pytest.raises(AuthenticationRequired, match="took too long"):
        attempt_code(pledge, make_ticket(pledge, admin_id, past), pyotp.TOTP(secret).now())
    forged = make_ticket(pledge, admin_id, utcnow()).replace(admin_id, "someone-else")
    with pytest.raises(AuthenticationRequired) as refused:
        attempt_code(pledge, forged, pyotp.TOTP(secret).now())
    assert refused.value.message == TICKET_EXPIRED
    assert client.get("/admin/login/code", follow_redirects=False).status_code == 303
    csrf = csrf_of(client.get("/admin/login").text)  # the login form's token, no ticket
    answer = client.post("/admin/login/code", data={"code": "123456", "csrf": csrf})
    assert answer.status_code == 401
    assert "took too long" in answer.text


def test_an_admin_resets_an_app_and_ends_any_accounts_sessions(
    pledge: Pledge, client: TestClient
) -> None:
    from tests.staff_accounts import create_staff

    boss_id = create_staff(pledge, "boss@interactions.com", "admin")
    admin = create_staff(pledge, ADMIN, "admin")
    victim = _browser(client)
    assert sign_in(victim, ADMIN) == 303
    assert sign_in(client, "boss@interactions.com") == 303
    page = client.get(f"/admin/staff/{admin}")
    (ref,) = re.findall(r'name="ref" value="([0-9a-f]{16})"', page.text)
    ended = client.post(
        f"/admin/staff/{admin}/end-sessions", data={"csrf": csrf_of(page.text), "ref": ref}
    )
    assert "1 session(s) ended" in ended.text
    assert victim.get("/admin", follow_redirects=False).status_code == 303
    assert sign_in(victim, ADMIN) == 303
    reset = client.post(
        f"/admin/staff/{admin}/reset-second-factor", data={"csrf": csrf_of(page.text)}
    )
    assert reset.status_code == 200
    assert "authenticator app is removed; 1 session(s) ended" in reset.text
    form = victim.get("/admin/login")
    answer = victim.post(
        "/admin/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/admin/account/second-factor"  # set up again
    with pledge.sessions() as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.object_id == admin)
        ).all()
    assert ("staff.sessions_ended", f"user:{boss_id}") in entries
    assert ("staff.second_factor_reset", f"user:{boss_id}") in entries


def _run(pledge: Pledge, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
    }
    return subprocess.run(
        [PLEDGE, *args], input=stdin, capture_output=True, text=True, env=environ, check=False
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_commands_enrol_reset_list_and_end_sessions(pledge: Pledge, client: TestClient) -> None:
    created = _run(pledge, "users", "create", "--email", ADMIN, "--role", "admin", stdin=PASSWORD)
    assert created.returncode == 0, created.stderr
    enrolled = _run(pledge, "users", "totp", "enroll", "--email", ADMIN)
    assert enrolled.returncode == 0, enrolled.stderr
    uri = enrolled.stdout.strip().splitlines()[-1]
    assert uri.startswith("otpauth://totp/Pledge:")
    remember(ADMIN, pyotp.parse_uri(uri).secret)
    assert sign_in(client, ADMIN) == 303
    assert client.get("/admin").status_code == 200
    twice = _run(pledge, "users", "totp", "enroll", "--email", ADMIN)
    assert twice.returncode == 1
    assert "set up already" in twice.stderr

    listed = _run(pledge, "users", "sessions", "--email", ADMIN)
    assert "1 live session(s)" in listed.stdout
    assert _run(pledge, "users", "end-sessions", "--email", ADMIN).returncode == 0
    assert client.get("/admin", follow_redirects=False).status_code == 303

    reset = _run(pledge, "users", "totp", "reset", "--email", ADMIN)
    assert reset.returncode == 0, reset.stderr
    again = _run(pledge, "users", "totp", "reset", "--email", ADMIN)
    assert again.returncode == 1
    assert "no authenticator app" in again.stderr
    unknown = _run(pledge, "users", "totp", "enroll", "--email", "nobody@interactions.com")
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr

    role = _run(pledge, "users", "role", "--email", ADMIN, "--role", "auditor")
    assert role.returncode == 1  # the only administrator
    email = "s@interactions.com"
    staff = _run(pledge, "users", "create", "--email", email, "--role", "staff", stdin=PASSWORD)
    assert staff.returncode == 0, staff.stderr
    assert "now called support" in staff.stderr
    role = _run(pledge, "users", "role", "--email", email, "--role", "auditor")
    assert role.returncode == 0, role.stderr
    same = _run(pledge, "users", "role", "--email", email, "--role", "auditor")
    assert same.returncode == 1
    assert "already has the role" in same.stderr
    taken = _run(pledge, "users", "create", "--email", email, "--role", "support", stdin=PASSWORD)
    assert taken.returncode == 1
    assert "exists" in taken.stderr
    root = _run(pledge, "users", "create", "--email", "r@x.com", "--role", "root", stdin=PASSWORD)
    assert root.returncode == 1
    assert "role must be one of" in root.stderr
    assert "Traceback" not in taken.stderr + root.stderr + same.stderr
    user_id = user_id_for(pledge, ADMIN)
    actions = _actions(pledge, user_id)
    assert actions.count("staff.second_factor_enrolled") == 1
    assert "staff.second_factor_reset" in actions
    assert uri not in repr(actions)


def test_the_secret_is_sealed_to_its_account(pledge: Pledge, admin_id: str) -> None:
    """A sealed secret copied onto another account's row opens nothing."""
    enrol(pledge, ADMIN)
    other = create_user(
        pledge, email="b@interactions.com", role="support", password=PASSWORD, actor="t"
    )
    start_enrolment(pledge, other)
    with pledge.transaction() as session:
        sealed = session.scalar(select(StaffUser.totp_secret).where(StaffUser.id == admin_id))
        session.execute(update(StaffUser).where(StaffUser.id == other).values(totp_pending=sealed))
    from pledge.console.second_factor import confirm_enrolment
    from pledge.crypto.aead import DecryptionFailed

    with pytest.raises(DecryptionFailed):
        confirm_enrolment(pledge, other, "000000", keep_token=None)
