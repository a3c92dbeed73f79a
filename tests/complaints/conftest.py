"""Fixtures for complaints: the app of a Pledge that mails to a real local SMTP server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.jobs import deliver_outbox
from tests.integration.smtp_server import SmtpServer

EMAIL = "ottoline.fairweather@example.org"
TEXT = "You kept sending me newsletters after I unsubscribed in March."
CODE = re.compile(r"(?:verification code is|Bestätigungscode lautet) (\d{8})")


@pytest.fixture
def web(mailer: Pledge, client: TestClient) -> TestClient:
    return client


def complain(http: TestClient, **body: Any) -> dict[str, Any]:
    payload = {"email": EMAIL, "country": "FR", "text": TEXT, **body}
    response = http.post("/api/v1/complaints", json=payload)
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()
    return data


def mails_to(pledge: Pledge, smtp: SmtpServer, to: str = EMAIL) -> list[str]:
    deliver_outbox(pledge)
    return [m.body for m in smtp.messages_to(to)]


def complaint_code(pledge: Pledge, smtp: SmtpServer, to: str = EMAIL) -> str:
    codes = [CODE.search(body) for body in mails_to(pledge, smtp, to)]
    found = [match.group(1) for match in codes if match]
    assert found, "no code was mailed"
    return found[-1]


def confirmed(http: TestClient, pledge: Pledge, smtp: SmtpServer, **body: Any) -> str:
    """A complaint made and confirmed with its code: its id."""
    made = complain(http, **body)
    code = complaint_code(pledge, smtp, body.get("email", EMAIL))
    response = http.post(f"/api/v1/complaints/{made['id']}/verify", json={"code": code})
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True
    return str(made["id"])
