"""Consent at collection: a record resting on consent needs the person's live consent.

``marketing`` rests on consent in the EU, UK and Switzerland and on notice
elsewhere (the bundled policy). Both databases, over HTTP; the withdrawal by a
rights request goes through the real mail.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import Record
from pledge.records import collect as collect_records
from pledge.records.schemas import RecordIn
from tests.integration.smtp_server import SmtpServer
from tests.queries import recorded_statements
from tests.rights.conftest import EMAIL, ask, confirm, mailed_code, record_body
from tests.web.conftest import auth

OTHER = "ottoline.brackenbury@example.org"
REFUSED = "rests on consent for this person, and they have no live consent for marketing"


def marketing_record(email: str = EMAIL, **overrides: Any) -> dict[str, Any]:
    return record_body(email, purpose="marketing", source="newsletter", **overrides)


def consent(
    web: TestClient,
    key: str,
    email: str = EMAIL,
    *,
    granted: bool = True,
    channel: str = "email",
    country: str = "FR",
) -> None:
    body = {
        "subject": {"email": email, "country": country},
        "purpose": "marketing",
        "channel": channel,
        "granted": granted,
        "method": "web_form",
    }
    response = web.post("/api/v1/consents", json=body, headers=auth(key))
    assert response.status_code == 201, response.text


def records_held(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def test_a_consent_based_record_without_consent_is_refused_naming_the_purpose(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    refused = web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "consent_required"
    assert error["fields"] == {"purpose": REFUSED}
    assert EMAIL not in refused.text
    assert records_held(mailer) == 0  # nor was the subject kept: nothing at all
    consent(web, system_key)
    accepted = web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key))
    assert accepted.status_code == 201, accepted.text


def test_the_rule_follows_the_persons_jurisdiction(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    """In California marketing rests on notice: no consent is needed to collect."""
    body = marketing_record(subject={"email": OTHER, "country": "US", "region": "CA"})
    response = web.post("/api/v1/records", json=body, headers=auth(system_key))
    assert response.status_code == 201, response.text
    other = web.post(
        "/api/v1/records", json=record_body(OTHER, country="GB"), headers=auth(system_key)
    )
    assert other.status_code == 201, other.text  # respond_to_requests: contract, not consent


def test_a_withdrawal_in_the_ledger_stops_collection(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    consent(web, system_key, channel="email")
    consent(web, system_key, channel="post")
    assert web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key)).is_success
    consent(web, system_key, channel="email", granted=False)
    still = web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key))
    assert still.status_code == 201, still.text  # consent by post is still live
    consent(web, system_key, channel="post", granted=False)
    held = records_held(mailer)
    refused = web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["fields"] == {"purpose": REFUSED}
    assert records_held(mailer) == held


def test_a_withdraw_consent_request_stops_collection(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    """The request's own limit counts, even though the ledger still shows the grant."""
    consent(web, system_key)
    assert web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key)).is_success
    request = ask(web, type="withdraw_consent")
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert done["status"] == "completed", done
    refused = web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "consent_required"


def test_an_opt_out_of_marketing_stops_collection_for_marketing(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    consent(web, system_key)
    assert web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key)).is_success
    request = ask(web, type="opt_out_marketing")
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert done["status"] == "completed", done
    refused = web.post("/api/v1/records", json=marketing_record(), headers=auth(system_key))
    assert refused.status_code == 422, refused.text
    kept = web.post("/api/v1/records", json=record_body(), headers=auth(system_key))
    assert kept.status_code == 201, kept.text  # other purposes are untouched


def test_a_batch_is_refused_whole_naming_each_record(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    consent(web, system_key)
    batch = {
        "records": [marketing_record(), record_body(OTHER), marketing_record(OTHER)],
    }
    refused = web.post("/api/v1/records", json=batch, headers=auth(system_key))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["fields"] == {"records[2].purpose": REFUSED}
    assert records_held(mailer) == 0
    consent(web, system_key, OTHER)
    accepted = web.post("/api/v1/records", json=batch, headers=auth(system_key))
    assert accepted.status_code == 201, accepted.text


def test_a_batch_checks_consent_with_one_query(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    people = [f"person{i}@example.org" for i in range(30)]
    for email in people:
        consent(web, system_key, email)
    batch = [RecordIn.model_validate(marketing_record(email)) for email in people]
    with recorded_statements(mailer.engine) as statements:
        collect_records(mailer, batch, actor="test", batch=True)
    assert len([s for s in statements if "consent_states" in s]) == 1
    plain = [RecordIn.model_validate(record_body(email)) for email in people]
    with recorded_statements(mailer.engine) as statements:
        collect_records(mailer, plain, actor="test", batch=True)
    assert not [s for s in statements if "consent_states" in s]  # no consent basis, no query
