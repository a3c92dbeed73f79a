"""Anonymous intake is throttled and capped, and referrals reveal no Client (issue #11, item 9);
the database-backed sliding window behind it (:mod:`pledge.access.throttle`), on both databases."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.access.throttle import Rule, clear, client_address, hit
from pledge.core import Pledge
from pledge.db.models import Delivery, RightsRequest, ThrottleCounter
from pledge.jobs import deliver_outbox
from pledge.settings import Settings
from tests.integration.smtp_server import SmtpServer
from tests.service_data.conftest import make_client
from tests.web.conftest import auth

DEFAULTS = Settings.model_fields
VICTIM = "victim@example.org"


@pytest.fixture
def defaults(pledge: Pledge) -> Pledge:
    """The parametrised Pledge with the intake limits of a fresh deployment."""
    for name in ("intake_limit_per_ip", "intake_limit_per_address"):
        setattr(pledge.settings, name, DEFAULTS[name].default)
    return pledge


def ask(http: TestClient, email: str, **extra: Any) -> Any:
    body = {"type": "access", "email": email, "country": "FR", **extra}
    return http.post("/api/v1/requests", json=body)


def counts(pledge: Pledge) -> tuple[int, int]:
    with pledge.sessions() as session:
        requests = session.scalar(select(func.count()).select_from(RightsRequest))
        mails = session.scalar(select(func.count()).where(Delivery.kind == "email"))
    return int(requests or 0), int(mails or 0)


def test_the_defaults_are_small() -> None:
    assert DEFAULTS["intake_limit_per_address"].default == 3
    assert DEFAULTS["intake_limit_per_ip"].default == 10


def test_one_address_gets_three_requests_an_hour_whoever_asks(
    defaults: Pledge, client: TestClient
) -> None:
    for _ in range(3):
        assert ask(client, VICTIM).status_code == 202
    written = counts(defaults)
    refused = ask(client, VICTIM.upper())  # the same address, however it is written
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["retry-after"]) > 0
    assert VICTIM not in refused.text
    assert counts(defaults) == written  # nothing written, nothing mailed
    assert ask(client, "someone.else@example.org").status_code == 202


def test_one_network_gets_ten_requests_an_hour(defaults: Pledge, client: TestClient) -> None:
    for n in range(10):
        assert ask(client, f"person{n}@example.org").status_code == 202
    assert ask(client, "person10@example.org").status_code == 429


def test_code_resends_count_against_the_network(defaults: Pledge, client: TestClient) -> None:
    request = ask(client, VICTIM).json()
    for _ in range(9):
        client.post(f"/api/v1/requests/{request['id']}/resend", headers=auth(request["token"]))
    resend = client.post(f"/api/v1/requests/{request['id']}/resend", headers=auth(request["token"]))
    assert resend.status_code == 429


def test_the_privacy_center_form_is_throttled_too(defaults: Pledge, client: TestClient) -> None:
    defaults.settings.intake_limit_per_address = 1
    page = client.get("/privacy-center", params={"country": "FR"})
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {"csrf": csrf, "country": "FR", "type": "access", "email": VICTIM}
    assert client.post("/privacy-center", data=form).status_code == 200
    refused = client.post("/privacy-center", data=form)
    assert refused.status_code == 429
    assert "too many requests" in refused.text
    assert "retry-after" in refused.headers


def test_an_anonymous_body_is_capped(client: TestClient) -> None:
    agent = {"name": "Agent", "email": "agent@example.org", "permission": "x" * 2_000_000}
    response = ask(client, VICTIM, agent=agent)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_referral_says_the_same_whether_the_client_exists_or_not(
    mailer: Pledge, smtp: SmtpServer, client: TestClient
) -> None:
    make_client(mailer, "Acme Telecom")
    answers = []
    for email, name in (("a@example.org", "Acme Telecom"), ("b@example.org", "Nobody Inc")):
        made = ask(client, email, about="service_data", client=name)
        assert made.status_code == 202
        mine = made.json()
        view = client.get(f"/api/v1/requests/{mine['id']}", headers=auth(mine["token"]))
        answers.append({k: view.json()[k] for k in ("status", "reason", "result", "outcome")})
    assert answers[0] == answers[1]
    assert "Acme" not in repr(answers)
    deliver_outbox(mailer)
    (first,) = smtp.messages_to("a@example.org")
    (second,) = smtp.messages_to("b@example.org")
    assert first.body == second.body
    assert "Acme" not in first.body


def test_the_window_slides(pledge: Pledge) -> None:
    rule = Rule("test", 3, 100)
    start = 100_000.0  # the start of window 1000
    assert [hit(pledge, rule, "x", now=start).allowed for _ in range(4)] == [True] * 3 + [False]
    # Half-way through the next window, half of the last one's 4 hits still count.
    half = start + 150
    assert hit(pledge, rule, "x", now=half).count == pytest.approx(3)
    refused = hit(pledge, rule, "x", now=half)
    assert (refused.allowed, refused.count) == (False, pytest.approx(4))
    # With 2 hits here and 4 before, 2 + 4 * (1 - elapsed) <= 3 from elapsed = 3/4.
    assert refused.retry_after == 25
    assert hit(pledge, rule, "x", now=start + 300).allowed  # two windows later: all forgotten
    assert hit(pledge, rule, "y", now=half).allowed  # buckets are apart
    clear(pledge, rule, "x")
    assert hit(pledge, rule, "x", now=half).count == 1


def test_parallel_hits_each_see_their_own_count(pledge: Pledge) -> None:
    rule, now = Rule("parallel", 5, 3600), 7_200_000.0
    start, seen = threading.Barrier(12), []

    def one() -> None:
        start.wait()
        seen.append(hit(pledge, rule, "203.0.113.9", now=now))

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v.count for v in seen) == list(range(1, 13))
    assert sum(v.allowed for v in seen) == 5


def test_counters_hold_no_address(pledge: Pledge) -> None:
    hit(pledge, Rule("intake-address", 3, 3600), VICTIM)
    hit(pledge, Rule("intake-ip", 3, 3600), "198.51.100.7")
    with pledge.sessions() as session:
        buckets = session.scalars(select(ThrottleCounter.bucket)).all()
    assert len(buckets) == 2
    assert all(VICTIM not in b and "198.51" not in b for b in buckets)


def test_an_ipv6_network_counts_as_one_address() -> None:
    assert client_address("2001:db8:1:2::1") == client_address("2001:db8:1:2:ffff::9")
    assert client_address("2001:db8:1:3::1") != client_address("2001:db8:1:2::1")
    assert client_address("192.0.2.1") == "192.0.2.1"
    assert client_address(None) == "unknown"
