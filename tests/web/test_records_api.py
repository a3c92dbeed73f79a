"""POST /api/v1/records: the policy decides what may be stored (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.access import create_api_key
from pledge.core import Pledge
from pledge.db.models import AuditEntry, Identity, Record, Subject
from pledge.policy import bundled_policy_path, load_policy
from pledge.records import records_for_email
from pledge.web.app import create_app
from tests.web.conftest import auth


def contact_record(email: str = "ada@example.com", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": {"email": email, "phone": "+44 20 7946 0958", "name": "Ada", "country": "FR"},
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "web_form:contact_us",
        "data": {"name": "Ada Lovelace", "email": email, "company": "Analytical Engines"},
    }
    body.update(overrides)
    return body


def counts(pledge: Pledge) -> tuple[int, int, int]:
    with pledge.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Record)) or 0,
            session.scalar(select(func.count()).select_from(Subject)) or 0,
            session.scalar(select(func.count()).select_from(Identity)) or 0,
        )


def test_record_is_stored_with_its_tags(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    response = client.post("/api/v1/records", json=contact_record(), headers=auth(system_key))
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "subject_id", "retain_until"}
    with pledge.sessions() as session:
        record = session.get(Record, body["id"])
    assert record is not None
    assert record.subject_id == body["subject_id"]
    assert record.category == "identification"
    assert record.purpose == "respond_to_requests"
    assert record.jurisdiction == "eu"
    assert record.legal_basis == pledge.policy.legal_basis("respond_to_requests", "eu")
    assert record.source == "web_form:contact_us"
    assert record.policy_version == pledge.policy.version
    assert record.policy_digest == pledge.policy.digest
    assert record.retain_until is not None
    assert record.retain_until > datetime.now(UTC)
    assert b"Lovelace" not in record.ciphertext


def test_same_email_reuses_the_subject(pledge: Pledge, client: TestClient, system_key: str) -> None:
    first = client.post(
        "/api/v1/records", json=contact_record("Ada@Example.com"), headers=auth(system_key)
    )
    second = client.post(
        "/api/v1/records", json=contact_record("ADA@example.com"), headers=auth(system_key)
    )
    assert first.json()["subject_id"] == second.json()["subject_id"]
    held = records_for_email(pledge, "ADA@example.com")
    assert len(held) == 2
    assert held[0].data["company"] == "Analytical Engines"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "horoscopes"}, "category"),
        ({"purpose": "resale"}, "purpose"),
        ({"purpose": "service_provision"}, "purpose"),
        ({"data": {"name": "Ada", "shoe_size": 38}}, "data.shoe_size"),
        ({"data": {"email": "not-an-email"}}, "data.email"),
        ({"data": {"name": 42}}, "data.name"),
    ],
)
def test_undeclared_or_invalid_data_is_refused(
    pledge: Pledge, client: TestClient, system_key: str, change: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/api/v1/records", json=contact_record(**change), headers=auth(system_key)
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert field in error["fields"]
    assert "not-an-email" not in response.text
    assert counts(pledge) == (0, 0, 0)


def test_wrong_types_and_unknown_keys_name_the_field(client: TestClient, system_key: str) -> None:
    body = contact_record()
    body["subject"]["country"] = 33
    body["colour"] = "blue"
    response = client.post("/api/v1/records", json=body, headers=auth(system_key))
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "subject.country" in fields
    assert "colour" in fields


def test_child_data_is_refused(pledge: Pledge, tmp_path: Path) -> None:
    """A policy that collects birth dates still refuses a child's (minimum age 13)."""
    document = yaml.safe_load(bundled_policy_path().read_text())
    identification = next(c for c in document["categories"] if c["id"] == "identification")
    identification["fields"].append(
        {"id": "born", "name": "Date of birth", "type": "date_of_birth"}
    )
    identification["fields"].append({"id": "age", "name": "Age", "type": "age"})
    path = tmp_path / "with-birth-dates.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    custom = Pledge(pledge.settings, policy=load_policy(path))
    try:
        _check_minimum_age(pledge, custom)
    finally:
        custom.dispose()


def _check_minimum_age(pledge: Pledge, custom: Pledge) -> None:
    client = TestClient(create_app(custom), raise_server_exceptions=False)
    key = create_api_key(custom, name="t", role="system")[1]
    today = date.today()
    ten_years_ago = (today - timedelta(days=365 * 10)).isoformat()
    for data, field in (({"born": ten_years_ago}, "data.born"), ({"age": 12}, "data.age")):
        response = client.post("/api/v1/records", json=contact_record(data=data), headers=auth(key))
        assert response.status_code == 422
        assert "13" in response.json()["error"]["fields"][field]
    assert counts(pledge) == (0, 0, 0)
    adult = (today - timedelta(days=365 * 30)).isoformat()
    response = client.post(
        "/api/v1/records", json=contact_record(data={"born": adult}), headers=auth(key)
    )
    assert response.status_code == 201


def test_batch_is_all_or_nothing(pledge: Pledge, client: TestClient, system_key: str) -> None:
    good = [contact_record(f"p{n}@example.com") for n in range(5)]
    bad = [*good, contact_record("bad@example.com", category="nope")]
    response = client.post("/api/v1/records", json={"records": bad}, headers=auth(system_key))
    assert response.status_code == 422
    assert "records[5].category" in response.json()["error"]["fields"]
    assert counts(pledge) == (0, 0, 0)
    response = client.post("/api/v1/records", json={"records": good}, headers=auth(system_key))
    assert response.status_code == 201
    assert len(response.json()["records"]) == 5
    assert counts(pledge)[:2] == (5, 5)


def test_collection_is_audited_without_personal_data(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    client.post("/api/v1/records", json=contact_record(), headers=auth(system_key))
    with pledge.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "records.collected")
        ).all()
    assert len(entries) == 1
    dumped = repr([(e.details, e.object_id, e.actor) for e in entries])
    for value in ("ada@example.com", "Lovelace", "Analytical", "7946 0958", "2079460958"):
        assert value not in dumped
    assert pledge.verify_audit().ok


@pytest.mark.parametrize(("key_fixture", "status"), [(None, 401), ("admin_key", 403)])
def test_records_need_a_system_key(
    request: pytest.FixtureRequest, client: TestClient, key_fixture: str | None, status: int
) -> None:
    headers = auth(request.getfixturevalue(key_fixture)) if key_fixture else {}
    response = client.post("/api/v1/records", json=contact_record(), headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"]


def test_unknown_key_is_401(client: TestClient) -> None:
    response = client.post("/api/v1/records", json=contact_record(), headers=auth("pk_nope"))
    assert response.status_code == 401


def test_malformed_json_and_oversized_bodies(client: TestClient, system_key: str) -> None:
    headers = {**auth(system_key), "content-type": "application/json"}
    response = client.post("/api/v1/records", content=b"{not json", headers=headers)
    assert response.status_code == 422
    huge = b'{"x": "' + b"a" * 6_000_000 + b'"}'
    response = client.post("/api/v1/records", content=huge, headers=headers)
    assert response.status_code == 413


def test_a_body_that_is_not_an_object_is_422(client: TestClient, system_key: str) -> None:
    for body in ([contact_record()], "text", {"records": "none"}):
        response = client.post("/api/v1/records", json=body, headers=auth(system_key))
        assert response.status_code == 422
        assert set(response.json()["error"]["fields"]) <= {"body", "records"}
