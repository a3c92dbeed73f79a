"""Spam checks without a third party: token (forged, too soon, other form), honeypot, limits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.site_forms.helpers import NOTHING, contact, counts, token


def _refused(client: TestClient, body: dict[str, object]) -> set[str]:
    response = client.post("/api/v1/forms/contact", json=body)
    assert response.status_code == 422, response.text
    return set(response.json()["error"]["fields"])


def test_a_filled_honeypot_is_refused(client: TestClient, pledge: Pledge) -> None:
    assert _refused(client, contact(pledge, homepage="http://spam.example")) == {"homepage"}
    assert counts(pledge) == NOTHING


def test_a_form_sent_at_once_is_refused(client: TestClient, pledge: Pledge) -> None:
    fresh = client.get("/api/v1/forms/contact").json()["token"]
    assert _refused(client, contact(pledge, form_token=fresh)) == {"form_token"}
    assert counts(pledge) == NOTHING


def test_forged_missing_and_foreign_tokens_are_refused(client: TestClient, pledge: Pledge) -> None:
    assert _refused(client, contact(pledge, form_token="123.abc")) == {"form_token"}
    assert _refused(client, contact(pledge, form_token=None)) == {"form_token"}
    other = token(pledge, "newsletter")
    assert _refused(client, contact(pledge, form_token=other)) == {"form_token"}
    assert counts(pledge) == NOTHING


def test_submissions_per_address_are_limited(client: TestClient, pledge: Pledge) -> None:
    pledge.settings.intake_limit_per_address = 2
    for _ in range(2):
        assert client.post("/api/v1/forms/contact", json=contact(pledge)).status_code == 201
    third = client.post("/api/v1/forms/contact", json=contact(pledge))
    assert third.status_code == 429
    assert "Retry-After" in third.headers
    assert counts(pledge)["records"] == 2


def test_submissions_per_ip_are_limited(client: TestClient, pledge: Pledge) -> None:
    pledge.settings.intake_limit_per_ip = 1
    assert client.post("/api/v1/forms/contact", json=contact(pledge)).status_code == 201
    other = contact(pledge, email="someone.else@example.org")
    assert client.post("/api/v1/forms/contact", json=other).status_code == 429
