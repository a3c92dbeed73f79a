"""People with records and a confirmed erasure waiting for fulfilment, made through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.jobs import deliver_outbox
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import CODE
from tests.web.conftest import auth


@dataclass(frozen=True)
class Erasure:
    """A person with records and a confirmed-by-code erasure request not yet fulfilled."""

    email: str
    subject_id: str
    request_id: str
    token: str
    code: str


def prepare(web: TestClient, pledge: Pledge, smtp: SmtpServer, key: str, n: int) -> Erasure:
    email = f"erasure.{n}@example.org"
    phone = f"+33 1 23 45 {n // 100 % 100:02d} {n % 100:02d}"
    subject_id = ""
    for category, data in (
        ("identification", {"name": f"Person {n}", "email": email, "company": "Looms"}),
        ("identification", {"name": f"Person {n}", "email": email}),
    ):
        body: dict[str, Any] = {
            "subject": {"email": email, "phone": phone, "name": f"Person {n}", "country": "FR"},
            "category": category,
            "purpose": "respond_to_requests",
            "source": "web_form:contact_us",
            "data": data,
        }
        answer = web.post("/api/v1/records", json=body, headers=auth(key))
        assert answer.status_code == 201, answer.text
        subject_id = answer.json()["subject_id"]
    asked = web.post(
        "/api/v1/requests",
        json={"type": "erasure", "email": email, "country": "FR", "match": {"phone": phone}},
    )
    assert asked.status_code == 202, asked.text
    deliver_outbox(pledge)
    codes = [m for m in smtp.messages_to(email) if CODE.search(m.body)]
    assert len(codes) == 1
    match = CODE.search(codes[0].body)
    assert match is not None
    request = asked.json()
    return Erasure(email, subject_id, request["id"], request["token"], match.group(1))
