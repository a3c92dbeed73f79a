"""Sign-in limits (issue #11, items 1 and 11), on both databases.

Wrong passwords are counted atomically before argon2 (no lost updates, however
many attempts run at once); every refusal that depends on the account takes
one argon2 verification and gives the same answer; the account lock binds only
browsers the account never signed in from, and ends on time; per IP address
and per (account, address), attempts past the limit get 429 before any
password is checked.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.console import accounts
from pledge.console.accounts import (
    LOCK_FOR,
    SIGN_IN_FAILED,
    attempt,
    create_user,
    disable_user,
    sign_in,
    user_id_for,
)
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry
from pledge.errors import AuthenticationRequired
from tests.staff_accounts import PASSWORD, csrf_of
from tests.staff_accounts import sign_in as web_sign_in

EMAIL = "officer@interactions.com"
LOCK_AFTER = 4


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters and a lower lock threshold: the same code paths, faster."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy"))
    monkeypatch.setattr(accounts, "LOCK_AFTER", LOCK_AFTER)


@pytest.fixture
def officer(pledge: Pledge) -> str:
    create_user(pledge, email=EMAIL, role="admin", password=PASSWORD, actor="t")
    return EMAIL


class Verifications:
    """Counts argon2 verifications: against real hashes, and against the dummy one."""

    def __init__(self) -> None:
        self.real = 0
        self.dummy = 0
        self._lock = threading.Lock()


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Verifications:
    seen = Verifications()
    verify = accounts._verify

    def counted(password_hash: str, password: str) -> bool:
        with seen._lock:
            if password_hash == accounts._DUMMY_HASH:
                seen.dummy += 1
            else:
                seen.real += 1
        return verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counted)
    return seen


def test_parallel_wrong_passwords_never_try_more_than_the_limit(
    pledge: Pledge, officer: str, verifications: Verifications
) -> None:
    """Twice the limit at once, each on its own connection (as from several processes)."""
    attempts = 2 * LOCK_AFTER
    start = threading.Barrier(attempts)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        try:
            sign_in(pledge, officer, f"wrong password {n}")
            outcomes.append("signed in")
        except AuthenticationRequired as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [SIGN_IN_FAILED] * attempts
    assert verifications.real <= LOCK_AFTER
    assert verifications.real + verifications.dummy == attempts  # every answer took argon2


def test_every_refusal_takes_one_argon2_check_and_says_the_same(
    pledge: Pledge, officer: str, verifications: Verifications
) -> None:
    """Unknown, disabled, locked and wrong: one verification each, one message."""
    create_user(pledge, email="gone@interactions.com", role="staff", password=PASSWORD, actor="t")
    disable_user(pledge, user_id_for(pledge, "gone@interactions.com"), actor="t")
    for _ in range(LOCK_AFTER):
        with pytest.raises(AuthenticationRequired):
            attempt(pledge, officer, "wrong password!")
    cases = {
        "wrong": (officer, "another wrong one"),
        "locked": (officer, PASSWORD),
        "unknown": ("nobody@interactions.com", PASSWORD),
        "disabled": ("gone@interactions.com", PASSWORD),
    }
    # The lock starts with the attempt after the limit: "wrong" is that attempt.
    messages = {}
    for name, (email, password) in cases.items():
        before = verifications.real + verifications.dummy
        with pytest.raises(AuthenticationRequired) as refused:
            attempt(pledge, email, password)
        assert verifications.real + verifications.dummy == before + 1, name
        messages[name] = refused.value.message
    assert set(messages.values()) == {SIGN_IN_FAILED}
    with pledge.sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "staff.sign_in_refused" in actions


def test_a_browser_that_signed_in_before_is_not_locked_out(pledge: Pledge, officer: str) -> None:
    """Anyone can trigger the lock; it holds back only browsers new to the account."""
    known = attempt(pledge, officer, PASSWORD).device
    for _ in range(LOCK_AFTER + 3):
        with pytest.raises(AuthenticationRequired):
            attempt(pledge, officer, "attacker guess")
    with pytest.raises(AuthenticationRequired):
        attempt(pledge, officer, PASSWORD)  # a new browser waits out the lock
    with pytest.raises(AuthenticationRequired):
        attempt(pledge, officer, PASSWORD, device="forged.device-token")
    other = user_id_for(pledge, officer)
    assert attempt(pledge, officer, PASSWORD, device=known).user_id == other


def test_the_lock_ends_on_time_whatever_is_sent_meanwhile(pledge: Pledge, officer: str) -> None:
    start = utcnow()
    for _ in range(LOCK_AFTER + 1):
        with pytest.raises(AuthenticationRequired):
            attempt(pledge, officer, "wrong password!", now=start)
    for minute in range(1, 15):  # an attacker keeps trying during the lock
        with pytest.raises(AuthenticationRequired):
            attempt(pledge, officer, "wrong password!", now=start + timedelta(minutes=minute))
    after = start + LOCK_FOR + timedelta(seconds=1)
    assert attempt(pledge, officer, PASSWORD, now=after).token


def test_a_device_token_is_bound_to_its_account(pledge: Pledge, officer: str) -> None:
    create_user(pledge, email="other@interactions.com", role="staff", password=PASSWORD, actor="t")
    theirs = attempt(pledge, "other@interactions.com", PASSWORD).device
    for _ in range(LOCK_AFTER + 1):
        with pytest.raises(AuthenticationRequired):
            attempt(pledge, officer, "attacker guess")
    with pytest.raises(AuthenticationRequired):
        attempt(pledge, officer, PASSWORD, device=theirs)


def test_one_address_gets_five_wrong_passwords_per_account_then_429(
    client: TestClient, officer: str
) -> None:
    for _ in range(5):
        assert web_sign_in(client, officer, "wrong password!") == 401
    form = client.get("/admin/login")
    refused = client.post(
        "/admin/login",
        data={"email": officer, "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Too many sign-in attempts" in refused.text
    assert web_sign_in(client, "nobody@interactions.com", "wrong password!") == 401


def test_a_successful_sign_in_forgets_the_wrong_passwords_before(
    client: TestClient, officer: str
) -> None:
    for _ in range(LOCK_AFTER - 1):
        assert web_sign_in(client, officer, "wrong password!") == 401
    assert web_sign_in(client, officer) == 303
    client.cookies.clear()
    for _ in range(5):
        assert web_sign_in(client, officer, "wrong password!") == 401


def test_one_address_gets_a_few_attempts_on_any_accounts(
    pledge: Pledge, client: TestClient, officer: str
) -> None:
    pledge.settings.sign_in_limit_per_ip = 3
    for n in range(3):
        assert web_sign_in(client, f"spray{n}@interactions.com", "guess number one") == 401
    assert web_sign_in(client, officer) == 429


def test_successful_sign_ins_do_not_use_up_the_address(
    pledge: Pledge, client: TestClient, officer: str
) -> None:
    """A team behind one address signs in all day; only failures count against it."""
    pledge.settings.sign_in_limit_per_ip = 3
    for _ in range(5):
        assert web_sign_in(client, officer) == 303
        client.cookies.clear()
    for _ in range(3):
        assert web_sign_in(client, officer, "wrong password!") == 401
    assert web_sign_in(client, officer) == 429


def test_sign_in_sets_a_device_cookie_that_passes_the_lock(
    pledge: Pledge, client: TestClient, officer: str
) -> None:
    form = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": officer, "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    device = [c for c in response.headers.get_list("set-cookie") if c.startswith("pledge_device=")]
    assert device
    assert "HttpOnly" in device[0]
    assert "Path=/admin" in device[0]
    assert "SameSite=strict" in device[0]
    for _ in range(LOCK_AFTER + 1):  # the lock, from elsewhere
        with pytest.raises(AuthenticationRequired):
            attempt(pledge, officer, "attacker guess")
    assert web_sign_in(client, officer) == 303  # this browser still gets in
