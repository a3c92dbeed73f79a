"""``POST /api/v1/complaints`` and its code, the admin queue and its actions, over HTTP.

Real app, real SMTP server, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import AuditEntry, Complaint
from tests.complaints.conftest import (
    EMAIL,
    TEXT,
    complain,
    complaint_code,
    confirmed,
    mails_to,
)
from tests.integration.smtp_server import SmtpServer
from tests.web.conftest import auth

BASE = "/api/v1/admin/complaints"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


def test_a_complaint_is_due_in_45_days_and_sealed(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    made = complain(web)
    assert set(made) >= {"id", "due_at"}
    with mailer.sessions() as session:
        row = session.get(Complaint, made["id"])
        assert row is not None
        assert row.due_at - row.received_at == timedelta(days=45)
        assert datetime.fromisoformat(made["due_at"]) == row.due_at
        sealed = row.email_ciphertext + row.text_ciphertext
        assert EMAIL.encode() not in sealed
        assert TEXT.encode() not in sealed
        assert row.email_index != EMAIL
    body = mails_to(mailer, smtp)[-1]
    assert "verification code is" in body


def test_bad_input_names_the_field_and_writes_nothing(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    for payload, field in (
        ({"email": "nobody", "country": "FR", "text": TEXT}, "email"),
        ({"email": EMAIL, "country": "France", "text": TEXT}, "country"),
        ({"email": EMAIL, "country": "FR", "text": "   "}, "text"),
        ({"email": EMAIL, "country": "FR"}, "text"),
    ):
        response = web.post("/api/v1/complaints", json=payload)
        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["fields"], response.text
    with mailer.sessions() as session:
        assert session.scalars(select(Complaint)).first() is None


def test_the_code_confirms_and_five_wrong_codes_void_it(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    made = complain(web)
    code = complaint_code(mailer, smtp)
    url = f"/api/v1/complaints/{made['id']}/verify"
    for _ in range(4):
        wrong = web.post(url, json={"code": _wrong(code)})
        assert wrong.status_code == 400
        assert "code" in wrong.json()["error"]["fields"]
    assert web.post(url, json={"code": _wrong(code)}).status_code == 429
    assert web.post(url, json={"code": code}).status_code == 429
    assert web.post("/api/v1/complaints/nope/verify", json={"code": code}).status_code == 404


def test_staff_answer_in_the_persons_language_naming_their_authority(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, admin_key: str
) -> None:
    complaint_id = confirmed(web, mailer, smtp, language="de")
    assert web.get(BASE).status_code == 401
    queue = web.get(BASE, params={"state": "received"}, headers=auth(admin_key)).json()
    (item,) = queue["complaints"]
    assert (item["id"], item["verified"], item["overdue"]) == (complaint_id, True, False)
    assert "text" not in item
    opened = web.get(f"{BASE}/{complaint_id}", headers=auth(admin_key)).json()
    assert (opened["email"], opened["text"]) == (EMAIL, TEXT)
    answer = "Wir haben Ihre Adresse aus allen Verteilern entfernt."
    done = web.post(
        f"{BASE}/{complaint_id}/answer", json={"answer": answer}, headers=auth(admin_key)
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "answered"
    body = mails_to(mailer, smtp)[-1]
    assert answer in body
    assert "Commission Nationale de l'Informatique et des Libertés (CNIL)" in body
    assert "Federal Trade Commission" not in body
    assert "Beschwerde" in body  # framed in German
    again = web.post(f"{BASE}/{complaint_id}/answer", json={"answer": "x"}, headers=auth(admin_key))
    assert again.status_code == 409
    with mailer.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == complaint_id)
        ).all()
    assert {"complaint.received", "complaint.verified", "complaint.read"} <= set(actions)
    assert "complaint.answered" in actions


def test_escalation_to_jams_records_its_reference(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, admin_key: str
) -> None:
    complaint_id = confirmed(web, mailer, smtp, country="US")
    missing = web.post(f"{BASE}/{complaint_id}/escalate", json={}, headers=auth(admin_key))
    assert missing.status_code == 422
    assert "reference" in missing.json()["error"]["fields"]
    done = web.post(
        f"{BASE}/{complaint_id}/escalate",
        json={"reference": "JAMS-2026-0042"},
        headers=auth(admin_key),
    ).json()
    assert (done["state"], done["escalated_to"], done["escalation_reference"]) == (
        "escalated",
        "JAMS",
        "JAMS-2026-0042",
    )
    body = mails_to(mailer, smtp)[-1]
    assert "JAMS-2026-0042" in body
    assert "Federal Trade Commission" in body  # no authority is listed for the US


def test_an_unconfirmed_complaint_is_not_answered(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, admin_key: str
) -> None:
    made = complain(web)
    response = web.post(
        f"{BASE}/{made['id']}/answer", json={"answer": "Done."}, headers=auth(admin_key)
    )
    assert response.status_code == 409
