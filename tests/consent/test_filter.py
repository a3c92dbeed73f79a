"""The send-list filter on SQLite and PostgreSQL: every reason, set-based."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pledge.consent import (
    DoNotCallIn,
    FilterResult,
    Strategy,
    add_do_not_call,
    email_indexes,
    filter_recipients,
)
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import MarketingSuppression, SubjectRestriction
from pledge.records.service import find_subject_id
from pledge.web.app import create_app
from tests.consent.conftest import give
from tests.queries import recorded_statements
from tests.web.conftest import auth


def person(pledge: Pledge, name: str, country: str, **kwargs: Any) -> str:
    email = f"{name}@example.org"
    give(pledge, email, country=country, **kwargs)
    return email


def subject_of(pledge: Pledge, email: str) -> str:
    with pledge.sessions() as session:
        found = find_subject_id(session, pledge.keys, email)
    assert found is not None
    return found


def suppress(pledge: Pledge, email: str, reason: str) -> None:
    with pledge.transaction() as session:
        session.add(
            MarketingSuppression(email_index=pledge.keys.blind_index("email", email), reason=reason)
        )


def restrict(pledge: Pledge, email: str, kind: str) -> None:
    with pledge.transaction() as session:
        session.add(SubjectRestriction(subject_id=subject_of(pledge, email), kind=kind))


def test_every_reason(pledge: Pledge) -> None:
    allowed_eu = person(pledge, "eu-yes", "FR")
    allowed_us = person(pledge, "us-silent", "US", channel="post")  # no e-mail event: opt-out rule
    no_consent = person(pledge, "eu-post-only", "DE", channel="post")
    opted_out = person(pledge, "eu-withdrew", "FR", granted=False)
    objected = person(pledge, "objector", "US", channel="post")
    restricted = person(pledge, "restricted", "FR")
    erased = "erased@example.org"
    rights_opt_out = person(pledge, "rights-opt-out", "US", channel="post")
    restrict(pledge, objected, "objection:marketing")
    restrict(pledge, restricted, "restriction")
    suppress(pledge, erased, "erasure")
    suppress(pledge, rights_opt_out, "opt_out_marketing")
    send = [
        allowed_eu,
        allowed_us,
        no_consent,
        opted_out,
        objected,
        restricted,
        erased,
        rights_opt_out,
        "stranger@example.org",
        allowed_eu,
    ]
    result = filter_recipients(pledge, "email", send)
    assert result.allowed == [allowed_eu, allowed_us]
    assert dict(result.suppressed) == {
        no_consent: "no_consent",
        opted_out: "opted_out",
        objected: "objected",
        restricted: "restricted",
        erased: "erased",
        rights_opt_out: "opted_out",
        "stranger@example.org": "unknown",
    }


def test_a_new_consent_after_a_rights_opt_out_lifts_it(pledge: Pledge) -> None:
    email = person(pledge, "came-back", "FR", granted=False)
    with pledge.transaction() as session:
        session.add(
            MarketingSuppression(
                email_index=pledge.keys.blind_index("email", email),
                reason="opt_out_marketing",
                created_at=utcnow() - timedelta(days=3),
            )
        )
    assert filter_recipients(pledge, "email", [email]).suppressed == [(email, "opted_out")]
    give(pledge, email)
    assert filter_recipients(pledge, "email", [email]).allowed == [email]


def test_do_not_call_applies_to_the_phone_channel(pledge: Pledge) -> None:
    by_phone = "caller@example.org"
    give(
        pledge,
        by_phone,
        country="US",
        channel="post",
        subject={"email": by_phone, "country": "US", "phone": "+1 415 555 0100"},
    )
    by_email = person(pledge, "listed", "US", channel="post")
    fine = person(pledge, "fine", "US", channel="post")
    add_do_not_call(pledge, DoNotCallIn(phone="(415) 555-0100", country="US"), actor="test")
    again = add_do_not_call(pledge, DoNotCallIn(phone="+14155550100"), actor="test")
    assert again.added is False
    add_do_not_call(pledge, DoNotCallIn(email=by_email), actor="test")
    phone = filter_recipients(pledge, "phone", [by_phone, by_email, fine])
    assert phone.allowed == [fine]
    assert dict(phone.suppressed) == {by_phone: "do_not_call", by_email: "do_not_call"}
    assert filter_recipients(pledge, "email", [by_phone, by_email]).suppressed == []


@pytest.mark.parametrize("strategy", ["push", "pull"])
def test_the_filter_is_set_based(pledge: Pledge, strategy: Strategy) -> None:
    emails = [f"bulk{i}@example.org" for i in range(3000)]
    for email in emails[:20]:
        give(pledge, email, country="US", channel="post")
    with recorded_statements(pledge.engine) as small:
        filter_recipients(pledge, "phone", emails[:10], strategy=strategy)
    with recorded_statements(pledge.engine) as large:
        result = filter_recipients(pledge, "phone", emails, strategy=strategy)
    assert len(result.allowed) == 20
    assert len(result.suppressed) == 2980
    assert len(large) == len(small) < 15


def test_fast_indexes_equal_the_key_manager(pledge: Pledge) -> None:
    emails = ["A@Example.org ", "b@example.org", "ünï@example.org"]
    assert email_indexes(pledge.keys, emails) == [
        pledge.keys.blind_index("email", e) for e in emails
    ]


def test_filter_route(pledge: Pledge, client: TestClient, system_key: str) -> None:
    allowed = person(pledge, "route-yes", "GB")
    body = {"channel": "email", "recipients": [allowed, "who@example.org"]}
    response = client.post("/api/v1/marketing/filter", json=body, headers=auth(system_key))
    assert response.status_code == 200
    assert response.json() == {
        "allowed": [allowed],
        "suppressed": [{"email": "who@example.org", "reason": "unknown"}],
    }
    bad = client.post(
        "/api/v1/marketing/filter",
        json={"channel": "fax", "recipients": []},
        headers=auth(system_key),
    )
    assert bad.status_code == 422
    assert "channel" in bad.json()["error"]["fields"]


def test_do_not_call_route_roles(client: TestClient, system_key: str, admin_key: str) -> None:
    body = {"phone": "+44 20 7946 0000"}
    assert client.post("/api/v1/marketing/do-not-call", json=body).status_code == 401
    added = client.post("/api/v1/marketing/do-not-call", json=body, headers=auth(admin_key))
    assert added.status_code == 201
    assert added.json()["added"] is True
    again = client.post("/api/v1/marketing/do-not-call", json=body, headers=auth(system_key))
    assert again.json()["added"] is False
    both = client.post(
        "/api/v1/marketing/do-not-call",
        json={"phone": "+44 20 7946 0000", "email": "x@example.org"},
        headers=auth(admin_key),
    )
    assert both.status_code == 422


def test_send_list_limits(pledge: Pledge, system_key: str) -> None:
    """A send list may exceed the general body limit, with credentials, up to its own."""
    tuned = Pledge(
        pledge.settings.model_copy(
            update={"max_body_bytes": 2_000, "max_send_list_bytes": 60_000, "max_send_list": 1500}
        )
    )
    big = {"channel": "email", "recipients": [f"r{n}@example.org" for n in range(1200)]}
    too_many = {"channel": "email", "recipients": [f"{n}@x.io" for n in range(1600)]}
    try:
        with TestClient(create_app(tuned), raise_server_exceptions=False) as client:
            answered = client.post("/api/v1/marketing/filter", json=big, headers=auth(system_key))
            assert answered.status_code == 200, answered.text
            assert len(answered.json()["suppressed"]) == 1200
            anonymous = client.post("/api/v1/marketing/filter", json=big)
            assert anonymous.status_code == 413  # no credentials: the general limit
            other = client.post("/api/v1/consents/query", json=big, headers=auth(system_key))
            assert other.status_code == 413  # other routes keep the general limit
            over = client.post("/api/v1/marketing/filter", json=too_many, headers=auth(system_key))
            assert over.status_code == 413
            assert "1500" in over.json()["error"]["message"]
    finally:
        tuned.dispose()


def test_the_answer_is_compact_utf8_json_of_the_result() -> None:
    result = FilterResult(["zoë@exämple.org", 'a"b@example.org'], [("ü@example.org", "unknown")])
    raw = result.as_json_bytes()
    assert json.loads(raw) == result.as_json()
    assert "zoë".encode() in raw  # UTF-8, not \\u escapes
    assert b", " not in raw
    assert b": " not in raw


@pytest.mark.timeout(30)
def test_a_failed_projection_read_fails_the_filter_instead_of_hanging(
    pledge: Pledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pledge.consent.sendlist import matching

    def broken(*_args: Any) -> Any:
        raise RuntimeError("the projection could not be read")

    monkeypatch.setattr(matching, "_pull_masks", broken)
    with pytest.raises(RuntimeError, match="could not be read"):
        filter_recipients(pledge, "email", ["a@example.org"], strategy="pull")


@pytest.mark.parametrize("strategy", ["push", "pull"])
def test_an_address_given_twice_is_answered_once_in_first_order(
    pledge: Pledge, strategy: Strategy
) -> None:
    fine = person(pledge, "twice", "US", channel="email")
    listed = [fine, "stranger@example.org", fine, "other@example.org", "stranger@example.org"]
    result = filter_recipients(pledge, "email", listed, strategy=strategy)
    assert result.allowed == [fine]
    assert result.suppressed == [
        ("stranger@example.org", "unknown"),
        ("other@example.org", "unknown"),
    ]


def test_unique_in_order_keeps_a_list_without_repeats_as_it_is() -> None:
    from pledge.consent.sendlist.filter import unique_in_order

    assert unique_in_order(["b", "a", "c"]) == ["b", "a", "c"]
    assert unique_in_order(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert unique_in_order([]) == []
