"""The disclosure log and the answers built from it, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import AuditEntry, Disclosure, Identity
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, PHONE, ask, collect, confirm, mailed_code
from tests.web.conftest import auth


def disclose(web: TestClient, key: str, **overrides: Any) -> Any:
    body: dict[str, Any] = {
        "subject": {"email": EMAIL},
        "recipient": "crm_providers",
        "categories": ["identification"],
        "purpose": "respond_to_requests",
    }
    body.update(overrides)
    return web.post("/api/v1/disclosures", json=body, headers=auth(key))


def run(mailer: Pledge, smtp: SmtpServer, web: TestClient, **body: Any) -> dict[str, Any]:
    request = ask(web, **body)
    done = confirm(web, request, mailed_code(mailer, smtp))
    return {**done, "token": request["token"]}


def count(pledge: Pledge, model: Any) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_route_checks_the_transfer_against_the_policy(
    mailer: Pledge, web: TestClient, system_key: str, admin_key: str
) -> None:
    collect(web, system_key)
    assert disclose(web, admin_key).status_code == 403
    assert web.post("/api/v1/disclosures", json={}).status_code == 401
    refused = {
        "recipient": disclose(web, system_key, recipient="the_moon"),
        "categories[0]": disclose(web, system_key, recipient="google_analytics"),
        "categories[1]": disclose(web, system_key, categories=["identification", "horoscope"]),
        "purpose": disclose(web, system_key, purpose="curiosity"),
        "subject.email": disclose(web, system_key, subject={"email": "nobody@example.org"}),
    }
    for field, response in refused.items():
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["error"]["fields"], (field, response.text)
    wrong_purpose = disclose(
        web, system_key, recipient="google_analytics", categories=["internet_activity"]
    )
    assert "purpose" in wrong_purpose.json()["error"]["fields"]
    assert count(mailer, Disclosure) == 0


def test_a_disclosure_is_logged_and_audited(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    subject_id = collect(web, system_key)["subject_id"]
    response = disclose(web, system_key)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["subject_id"], body["recipient"], body["categories"]) == (
        subject_id,
        "crm_providers",
        ["identification"],
    )
    assert body["restrictions"] == []
    with mailer.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "disclosures.recorded")
        ).one()
    assert (entry.object_id, entry.subject_id) == (body["id"], subject_id)
    assert EMAIL not in str(entry.details)


def test_disclosures_request_answers_from_the_log(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    assert disclose(web, system_key).status_code == 201
    assert disclose(web, system_key).status_code == 201
    authority = disclose(
        web, system_key, recipient="public_authorities", purpose="legal_disclosure"
    )
    assert authority.status_code == 201
    result = run(mailer, smtp, web, type="disclosures")["result"]
    assert result["source"] == "log"
    by_id = {r["id"]: r for r in result["recipients"]}
    assert set(by_id) == {"crm_providers", "public_authorities"}
    assert by_id["crm_providers"]["transfers"] == 2
    assert by_id["crm_providers"]["categories"] == ["identification"]
    assert by_id["public_authorities"]["first_at"] == authority.json()["at"]
    assert result["transfers_total"] == 3
    assert [t["recipient"] for t in result["transfers"]][-1] == "public_authorities"
    context = {r["id"] for r in result["policy_recipients"]}
    assert {"crm_providers", "hosting_providers"} <= context


def test_disclosures_request_says_when_nothing_was_shared(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    result = run(mailer, smtp, web, type="disclosures")["result"]
    assert (result["source"], result["recipients"], result["transfers_total"]) == ("log", [], 0)
    assert "no transfer" in result["note"]
    assert result["policy_recipients"]


def test_the_access_package_shows_what_the_log_shows(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    shared_at = disclose(web, system_key).json()["at"]
    for kind, match in (("access", {"phone": PHONE}), ("know", {})):
        done = run(mailer, smtp, web, type=kind, match=match)
        package = web.get(
            f"/api/v1/requests/{done['id']}/package", headers=auth(done["token"])
        ).json()
        (category,) = package["categories"]
        recipients = {r["id"]: r for r in category["recipients"]}
        assert recipients["crm_providers"]["disclosed_at"] == [shared_at], kind
        assert recipients["hosting_providers"]["disclosed_at"] == [], kind


def test_erasure_tells_every_logged_recipient_and_keeps_an_anonymous_log(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    subject_id = collect(web, system_key)["subject_id"]
    authority = disclose(
        web, system_key, recipient="public_authorities", purpose="legal_disclosure"
    )
    assert authority.status_code == 201
    done = run(mailer, smtp, web, type="erasure", match={"phone": PHONE})
    assert done["status"] == "completed", done
    notified = {n["recipient"] for n in done["notices"]}
    assert "public_authorities" in notified  # not a processor: told because the log says so
    assert {"crm_providers", "hosting_providers"} <= notified
    with mailer.sessions() as session:
        (row,) = session.scalars(select(Disclosure)).all()
        assert row.subject_id == subject_id
        assert session.scalar(select(func.count()).select_from(Identity)) == 0
    # Nothing left links the log to the person: a new disclosure about them finds no one.
    assert disclose(web, system_key).status_code == 422
