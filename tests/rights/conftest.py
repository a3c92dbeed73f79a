"""Fixtures for rights tests: a Pledge that mails to a real local SMTP server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.jobs import deliver_outbox
from tests.integration.smtp_server import SmtpServer
from tests.service_data.conftest import receiver  # noqa: F401  (a Client's webhook, as a fixture)
from tests.web.conftest import auth

EMAIL = "wilhelmina.quartermaine@example.org"
PHONE = "+33 1 23 45 67 89"
NAME = "Wilhelmina Quartermaine"
CODE = re.compile(r"verification code is (\d{8})")


@pytest.fixture
def web(mailer: Pledge, client: TestClient) -> TestClient:
    """The HTTP client over the app of the mailing Pledge."""
    return client


def record_body(
    email: str = EMAIL, *, country: str = "FR", region: str | None = None, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": {
            "email": email,
            "phone": PHONE,
            "name": NAME,
            "country": country,
            "region": region,
        },
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "web_form:contact_us",
        "data": {"name": NAME, "email": email, "company": "Quartermaine Looms"},
    }
    body.update(overrides)
    return body


def collect(client: TestClient, system_key: str, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/api/v1/records", json=record_body(**kwargs), headers=auth(system_key))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def give_marketing_consent(client: TestClient, system_key: str, email: str = EMAIL) -> None:
    """Record the person's consent to marketing by e-mail, so consent-based records are taken."""
    body = {
        "subject": {"email": email, "country": "FR"},
        "purpose": "marketing",
        "channel": "email",
        "granted": True,
        "method": "web_form",
    }
    response = client.post("/api/v1/consents", json=body, headers=auth(system_key))
    assert response.status_code == 201, response.text


def mailed_code(pledge: Pledge, smtp: SmtpServer, to: str = EMAIL) -> str:
    """Deliver the outbox and read the newest code mailed to ``to``."""
    deliver_outbox(pledge)
    codes = [m for m in smtp.messages_to(to) if CODE.search(m.body)]
    assert codes, "no code was mailed"
    match = CODE.search(codes[-1].body)
    assert match is not None
    return match.group(1)


def ask(http: TestClient, **body: Any) -> dict[str, Any]:
    payload = {"type": "access", "email": EMAIL, "country": "FR", **body}
    response = http.post("/api/v1/requests", json=payload)
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()
    return data


def confirm(client: TestClient, request: dict[str, Any], code: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/requests/{request['id']}/verify",
        json={"code": code},
        headers=auth(request["token"]),
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"
