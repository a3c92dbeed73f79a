"""Staff accounts for tests: create one of any role and sign it in, code and all.

Admins and recruiters must have an authenticator app, so :func:`create_staff` sets one up for
them (as ``pledge users totp enroll`` does) and remembers its secret;
:func:`sign_in` then answers the code step with a code computed by pyotp, as
the person's phone would. A code is accepted once, so :func:`fresh_code`
hands out each 30-second step's code at most once, waiting for the next step
when the current and the next one are used up.
"""

from __future__ import annotations

import re
import time

import httpx
import pyotp
from fastapi.testclient import TestClient

from pledge.console.accounts import create_user, user_id_for
from pledge.console.permissions import SECOND_FACTOR_REQUIRED
from pledge.console.second_factor import enrol_now
from pledge.console.totp import STEP_SECONDS
from pledge.core import Pledge

PASSWORD = "correct horse battery staple"
CODE_PAGE = "/admin/login/code"
_secrets: dict[str, str] = {}
_used: dict[str, int] = {}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without a CSRF token"
    return match.group(1)


def enrol(pledge: Pledge, email: str) -> str:
    """Set up an authenticator app for the account now; returns (and remembers) its secret."""
    uri = enrol_now(pledge, user_id_for(pledge, email), actor="test")
    secret = pyotp.parse_uri(uri).secret
    remember(email, secret)
    return secret


def remember(email: str, secret: str) -> None:
    """Let :func:`sign_in` answer the code step for ``email`` with this secret."""
    _secrets[email.strip().lower()] = secret
    _used.pop(secret, None)


def create_staff(pledge: Pledge, email: str, role: str, password: str = PASSWORD) -> str:
    """A new account of ``role``; one that needs a second factor gets an app at once (its id)."""
    user_id = create_user(pledge, email=email, role=role, password=password, actor="test")
    if role in SECOND_FACTOR_REQUIRED:
        enrol(pledge, email)
    return user_id


def fresh_code(secret: str) -> str:
    """A code of the current step or the next, never one handed out before."""
    while True:
        step = int(time.time()) // STEP_SECONDS
        for candidate in (step, step + 1):
            if candidate > _used.get(secret, -1):
                _used[secret] = candidate
                return pyotp.TOTP(secret).generate_otp(candidate)
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.05)


def secret_of(email: str) -> str | None:
    return _secrets.get(email.strip().lower())


def sign_in(
    client: TestClient, email: str, password: str = PASSWORD, *, code: str | None = None
) -> int:
    """Sign in through the forms; the status of the last answer (303 when signed in)."""
    form = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    if response.status_code != 303 or response.headers["location"] != CODE_PAGE:
        return response.status_code
    if code is None:
        secret = secret_of(email)
        assert secret, f"no authenticator secret remembered for {email}"
        code = fresh_code(secret)
    return give_code(client, code).status_code


def give_code(client: TestClient, code: str) -> httpx.Response:
    """Post ``code`` on the code form (after a right password); the raw answer."""
    form = client.get(CODE_PAGE, follow_redirects=False)
    csrf = csrf_of(form.text) if form.status_code == 200 else ""
    return client.post(CODE_PAGE, data={"code": code, "csrf": csrf}, follow_redirects=False)
