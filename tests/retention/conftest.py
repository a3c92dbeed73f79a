"""What the retention and hold tests share: people collected through the API, counts, audit."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry
from pledge.policy.durations import add_months
from tests.rights.conftest import NAME, PHONE, web  # noqa: F401  (the fixture, reused)
from tests.web.conftest import auth

ANNA = "anna.lindqvist@example.org"
BRUNO = "bruno.castellane@example.org"
CARLA = "carla.de.wit@example.org"


def record(email: str, category: str, purpose: str, data: dict[str, Any], **subject: Any) -> Any:
    return {
        "subject": {"email": email, "phone": PHONE, "name": NAME, "country": "FR", **subject},
        "category": category,
        "purpose": purpose,
        "source": "web_form:contact_us",
        "data": data,
    }


def identification(email: str, **subject: Any) -> Any:
    data = {"name": NAME, "email": email, "company": "Lindqvist Weaving"}
    return record(email, "identification", "respond_to_requests", data, **subject)


def application(email: str, purpose: str = "recruitment", **subject: Any) -> Any:
    data = {"name": NAME, "email": email, "education": "MSc Textile Engineering"}
    return record(email, "employment_application", purpose, data, **subject)


def account(email: str) -> Any:
    data = {"username": "anna-l", "email": email}
    return record(email, "client_account", "client_account_management", data)


def post_records(http: TestClient, system_key: str, *bodies: Any) -> list[dict[str, Any]]:
    out = []
    for body in bodies:
        response = http.post("/api/v1/records", json=body, headers=auth(system_key))
        assert response.status_code == 201, response.text
        out.append(response.json())
    return out


def count(pledge: Pledge, model: Any, *where: Any) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def audit_of(pledge: Pledge, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    with pledge.sessions() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
        ).all()
        return [(row.action, dict(row.details or {})) for row in rows]


def months_on(months: int, days: int = 2) -> datetime:
    """A day a little after ``months`` from now: past a deadline of that many months."""
    return add_months(utcnow(), months) + timedelta(days=days)


def holds_no_personal_data(details: Any, *values: str) -> bool:
    text = json.dumps(details)
    return not any(value in text for value in (*values, NAME, "Lindqvist", "@"))
