"""The consent ledger on SQLite and PostgreSQL: append-only, provable, state derived."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from pledge.consent import consent_history, rebuild_states
from pledge.core import Pledge
from pledge.db.models import AuditEntry, ConsentEvent, ConsentState, Identity
from tests.consent.conftest import EU, US, give
from tests.web.conftest import auth


def consent_body(email: str = EU, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": {"email": email, "country": "FR"},
        "purpose": "marketing",
        "channel": "email",
        "granted": True,
        "method": "web_form",
        "evidence": {
            "ip": "203.0.113.77",
            "user_agent": "Mozilla/5.0 test",
            "text": "Yes, send me news by e-mail",
        },
    }
    body.update(changes)
    return body


def test_post_consent_records_an_event_with_evidence(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    response = client.post("/api/v1/consents", json=consent_body(), headers=auth(system_key))
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["channels"] == ["email"]
    assert len(out["events"]) == 1
    history = client.get("/api/v1/consents", params={"email": EU}, headers=auth(system_key))
    assert history.status_code == 200
    data = history.json()
    (event,) = data["events"]
    assert event["method"] == "web_form"
    assert event["granted"] is True
    assert event["policy_digest"] == pledge.policy.digest
    assert len(event["text_hash"]) == 64
    assert event["evidence"]["ip"] == "203.0.113.0/24"
    assert event["evidence"]["user_agent"] == "Mozilla/5.0 test"
    assert data["current"]["marketing"]["email"]["granted"] is True
    assert data["marketing"]["marketing"]["email"] == {"allowed": True, "reason": None}
    assert data["marketing"]["marketing"]["post"] == {"allowed": False, "reason": "no_consent"}


def test_the_email_is_never_stored_in_clear(pledge: Pledge) -> None:
    give(pledge, EU)
    with pledge.engine.connect() as conn:
        for table in ("consent_events", "consent_states", "identities", "audit_entries"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()  # noqa: S608
            assert EU not in repr(rows)
            assert "203.0.113" not in repr(rows)


def test_withdrawing_is_the_same_call_and_nothing_is_overwritten(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    client.post("/api/v1/consents", json=consent_body(), headers=auth(system_key))
    response = client.post(
        "/api/v1/consents", json=consent_body(granted=False), headers=auth(system_key)
    )
    assert response.status_code == 201
    query = client.post("/api/v1/consents/query", json={"email": EU}, headers=auth(system_key))
    data = query.json()
    assert [e["granted"] for e in data["events"]] == [True, False]
    assert data["current"]["marketing"]["email"]["granted"] is False
    assert data["marketing"]["marketing"]["email"]["reason"] == "opted_out"
    with pledge.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsentEvent)) == 2
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("consent.%"))
        ).all()
    assert sorted(actions) == ["consent.granted", "consent.withdrawn"]


def test_no_channel_means_every_channel_of_the_purpose(pledge: Pledge) -> None:
    ids = give(pledge, US, country="US", channel=None, granted=False)
    assert len(ids) == 3
    history = consent_history(pledge, US, reader="test")
    assert set(history.current["marketing"]) == {"email", "post", "phone"}
    assert all(not v.allowed for v in history.marketing["marketing"].values())


def test_state_projection_equals_the_state_derived_from_events(pledge: Pledge) -> None:
    give(pledge, EU)
    give(pledge, EU, granted=False)
    give(pledge, EU, channel="post")
    give(pledge, US, country="US", channel=None, granted=False)
    with pledge.sessions() as session:
        before = sorted(
            session.execute(
                select(ConsentState.subject_id, ConsentState.channel, ConsentState.granted)
            ).all()
        )
    assert rebuild_states(pledge) == 5
    with pledge.sessions() as session:
        after = sorted(
            session.execute(
                select(ConsentState.subject_id, ConsentState.channel, ConsentState.granted)
            ).all()
        )
    assert before == after
    assert len(before) == 5


def test_the_person_is_found_by_blind_index_not_duplicated(pledge: Pledge) -> None:
    give(pledge, EU)
    give(pledge, EU.upper(), channel="phone")
    with pledge.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Identity)) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "world_domination"}, "purpose"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"method": "telepathy"}, "method"),
        ({"granted": "maybe"}, "granted"),
    ],
)
def test_bad_input_is_422_naming_the_field_not_the_value(
    client: TestClient, system_key: str, change: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/api/v1/consents", json=consent_body(**change), headers=auth(system_key)
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert field in error["fields"]
    assert EU not in response.text
    assert str(next(iter(change.values()))) not in error["message"]


def test_consent_routes_need_a_system_key(client: TestClient, admin_key: str) -> None:
    assert client.post("/api/v1/consents", json=consent_body()).status_code == 401
    forbidden = client.post("/api/v1/consents", json=consent_body(), headers=auth(admin_key))
    assert forbidden.status_code == 403
    assert client.get("/api/v1/consents", params={"email": EU}).status_code == 401


def test_unknown_person_has_an_empty_history(client: TestClient, system_key: str) -> None:
    data = client.get(
        "/api/v1/consents", params={"email": "nobody@example.org"}, headers=auth(system_key)
    ).json()
    assert data["known"] is False
    assert data["events"] == []
    assert data["marketing"]["marketing"]["email"]["reason"] == "unknown"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE consent_events SET granted = NOT granted", "DELETE FROM consent_events"],
)
def test_the_database_refuses_to_rewrite_or_remove_an_event(pledge: Pledge, statement: str) -> None:
    give(pledge, EU)
    with pytest.raises(DBAPIError, match="append-only"), pledge.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    with pledge.engine.connect() as conn:
        (granted,) = conn.exec_driver_sql("SELECT granted FROM consent_events").one()
    assert granted in (True, 1)
