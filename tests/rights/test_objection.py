"""Objection: legitimate-interest purposes stop for the person; direct marketing stops everywhere.

Both databases, over HTTP, with the real SMTP server the code goes through.
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
from tests.rights.conftest import (
    EMAIL,
    ask,
    collect,
    confirm,
    give_marketing_consent,
    mailed_code,
    record_body,
)
from tests.web.conftest import auth

OTHER = "ottoline.brackenbury@example.org"
CHANNELS = ("email", "post", "phone")


def object_to_processing(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, **where: str
) -> dict[str, Any]:
    request = ask(web, type="objection", **where)
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert done["status"] == "completed", done
    return done


def records_held(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def security_record(email: str = EMAIL, **overrides: Any) -> dict[str, Any]:
    """``security`` rests on legitimate interests in the EU, on notice elsewhere."""
    return record_body(email, purpose="security", source="web_logs", **overrides)


def test_after_an_objection_legitimate_interest_records_are_refused(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)  # respond_to_requests: contract in the EU
    before = web.post("/api/v1/records", json=security_record(OTHER), headers=auth(system_key))
    assert before.status_code == 201, before.text  # the rule only stops people who objected
    done = object_to_processing(mailer, smtp, web)
    assert {"security", "site_analytics", "business_transfer", "marketing"} <= set(
        done["result"]["stopped_purposes"]
    )
    held = records_held(mailer)
    one = web.post("/api/v1/records", json=security_record(), headers=auth(system_key))
    assert one.status_code == 409, one.text
    error = one.json()["error"]
    assert error["code"] == "processing_objected"
    assert error["fields"] == {"purpose": "the person objected to this purpose"}
    assert EMAIL not in one.text
    batch = {"records": [security_record(OTHER), record_body(), security_record()]}
    refused = web.post("/api/v1/records", json=batch, headers=auth(system_key))
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["fields"] == {
        "records[2].purpose": "the person objected to this purpose"
    }
    assert records_held(mailer) == held  # all or nothing: nothing of the batch was stored
    give_marketing_consent(web, system_key)  # marketing rests on consent in the EU
    for purpose, source in (("respond_to_requests", "web_form"), ("marketing", "newsletter")):
        accepted = web.post(
            "/api/v1/records",
            json=record_body(purpose=purpose, source=source),
            headers=auth(system_key),
        )
        assert accepted.status_code == 201, (purpose, accepted.text)  # contract, consent


def test_the_objection_follows_the_legal_basis_of_the_persons_jurisdiction(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    """In California ``security`` rests on notice, not legitimate interests: not stopped."""
    collect(web, system_key, country="US", region="CA")
    done = object_to_processing(mailer, smtp, web, country="US", region="CA")
    assert "security" not in done["result"]["stopped_purposes"]
    response = web.post(
        "/api/v1/records",
        json=security_record(subject={"email": EMAIL, "country": "US", "region": "CA"}),
        headers=auth(system_key),
    )
    assert response.status_code == 201, response.text


def test_a_batch_checks_objections_with_one_query(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    object_to_processing(mailer, smtp, web)
    people = [RecordIn.model_validate(record_body(f"person{i}@example.org")) for i in range(30)]
    collect_records(mailer, people, actor="test", batch=True)
    with recorded_statements(mailer.engine) as statements:
        collect_records(
            mailer, [*people, RecordIn.model_validate(record_body())], actor="test", batch=True
        )
    assert len([s for s in statements if "subject_restrictions" in s]) == 1


def test_an_objecting_person_is_suppressed_on_every_marketing_channel(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    for channel in CHANNELS:
        consent = {
            "subject": {"email": EMAIL, "country": "FR"},
            "purpose": "marketing",
            "channel": channel,
            "granted": True,
            "method": "web_form",
        }
        given = web.post("/api/v1/consents", json=consent, headers=auth(system_key))
        assert given.status_code == 201, given.text

    def verdicts() -> dict[str, Any]:
        out = {}
        for channel in CHANNELS:
            response = web.post(
                "/api/v1/marketing/filter",
                json={"channel": channel, "recipients": [EMAIL]},
                headers=auth(system_key),
            )
            assert response.status_code == 200, response.text
            out[channel] = response.json()
        return out

    assert all(v["allowed"] == [EMAIL] for v in verdicts().values())  # consented, so allowed
    object_to_processing(mailer, smtp, web)
    for channel, verdict in verdicts().items():
        assert verdict["allowed"] == [], channel
        assert verdict["suppressed"] == [{"email": EMAIL, "reason": "objected"}], channel
