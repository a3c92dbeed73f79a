"""Routes anyone may call."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pledge.core import Pledge


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_policy_page_is_html_from_the_yaml(pledge: Pledge, client: TestClient) -> None:
    response = client.get("/policy")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "privacy_officer@interactions.com" in response.text
    for category in pledge.policy.categories:
        assert category.name in response.text


def test_policy_json_has_the_contract_keys(pledge: Pledge, client: TestClient) -> None:
    body = client.get("/api/v1/policy").json()
    assert {"categories", "purposes", "recipients", "rights", "version"} <= set(body)
    assert body["version"] == pledge.policy.version


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
