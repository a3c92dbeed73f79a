"""Every consent route documents its body and its answer in ``/api/openapi.json``.

And the answers keep the contract's JSON: the same fields, in the same
order, compact, whether FastAPI or the route's own fast path encodes them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.web import consent_pages
from pledge.web.api import consents
from tests.consent.conftest import EU, give
from tests.web.conftest import auth

NO_BODY = {("POST", "/u/{token}/everything")}
"""A form with no fields (the "Unsubscribe from everything" button)."""


def consent_operations() -> list[tuple[str, str]]:
    """(method, path) of every documented route of the consent routers."""
    found = []
    for router in (consents.router, consent_pages.router):
        for route in router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                found.extend((method, route.path) for method in sorted(route.methods))
    return found


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.removeprefix("#/components/schemas/")
    resolved: dict[str, Any] = document["components"]["schemas"][name]
    return resolved


def test_every_consent_route_documents_its_body_and_answer(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    operations = consent_operations()
    assert len(operations) >= 12
    for method, path in operations:
        operation = document["paths"][path][method.lower()]
        where = f"{method} {path}"
        if method == "POST" and (method, path) not in NO_BODY:
            content = operation["requestBody"]["content"]
            assert content, where
            for media in content.values():
                body = resolve(document, media["schema"])
                assert body.get("properties"), where
        answers = {
            status: answer
            for status, answer in operation["responses"].items()
            if status.startswith("2")
        }
        assert answers, where
        for answer in answers.values():
            schemas = [resolve(document, media["schema"]) for media in answer["content"].values()]
            assert schemas, where
            for schema in schemas:
                assert schema.get("properties") or schema.get("type") == "string", where


def test_the_fast_paths_document_their_models(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    consent = document["paths"]["/api/v1/consents"]["post"]
    schema = consent["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) >= {"subject", "purpose", "channel", "granted", "method"}
    assert schema["properties"]["subject"]["properties"]["email"]["type"] == "string"
    created = resolve(
        document, consent["responses"]["201"]["content"]["application/json"]["schema"]
    )
    assert list(created["properties"]) == ["subject_id", "purpose", "channels", "granted", "events"]
    send_list = document["paths"]["/api/v1/marketing/filter"]["post"]
    answer = send_list["responses"]["200"]["content"]["application/json"]["schema"]
    assert list(resolve(document, answer)["properties"]) == ["allowed", "suppressed"]


def compact(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def test_the_history_keeps_its_json(pledge: Pledge, client: TestClient, system_key: str) -> None:
    give(pledge, EU, evidence={"ip": "203.0.113.9", "text": "Yes"})
    response = client.post("/api/v1/consents/query", json={"email": EU}, headers=auth(system_key))
    assert response.status_code == 200
    data = response.json()
    assert response.content == compact(data)
    assert list(data) == ["known", "subject_id", "jurisdiction", "events", "current", "marketing"]
    (event,) = data["events"]
    assert list(event) == [
        "id",
        "purpose",
        "channel",
        "granted",
        "method",
        "jurisdiction",
        "policy_version",
        "policy_digest",
        "text_hash",
        "actor",
        "recorded_at",
        "evidence",
    ]
    assert event["recorded_at"].endswith("+00:00")  # isoformat, as before
    assert set(event["evidence"]) == {"at", "ip", "user_agent", "form"}  # as stored
    state = data["current"]["marketing"]["email"]
    assert list(state) == ["granted", "since", "method", "event"]
    assert state["since"] == event["recorded_at"]
    assert data["marketing"]["marketing"] == {
        "email": {"allowed": True, "reason": None},
        "post": {"allowed": False, "reason": "no_consent"},
        "phone": {"allowed": False, "reason": "no_consent"},
    }
    by_get = client.get("/api/v1/consents", params={"email": EU}, headers=auth(system_key))
    assert by_get.content == response.content


def test_the_other_answers_keep_their_json(client: TestClient, system_key: str) -> None:
    banner = client.get("/api/v1/cookie-banner")
    assert banner.content == compact(banner.json())
    config = banner.json()
    assert list(config) == [
        "version",
        "max_age_days",
        "cookie",
        "categories",
        "services",
        "strings",
        "honours_do_not_track",
        "gpc",
        "dnt",
        "policy_url",
        "endpoint",
        "lang",
    ]
    assert list(config["categories"][0]) == ["id", "required", "cookies"]
    assert list(config["services"][0]) == ["id", "name", "category", "cookies"]
    assert all(isinstance(name, str) for name in config["services"][0]["cookies"])
    choice = {
        "visitor_id": "0" * 32,
        "version": config["version"],
        "categories": {"analytics": True},
    }
    recorded = client.post("/api/v1/cookie-consent", json=choice)
    assert recorded.status_code == 201
    assert list(recorded.json()) == ["id", "version", "categories", "services"]
    listed = client.post(
        "/api/v1/marketing/do-not-call", json={"email": EU}, headers=auth(system_key)
    )
    assert listed.status_code == 201
    assert list(listed.json()) == ["id", "kind", "added"]
    assert listed.content == compact(listed.json())


def test_a_body_that_is_not_json_is_422_naming_the_body(
    client: TestClient, system_key: str
) -> None:
    for path in ("/api/v1/marketing/filter", "/api/v1/consents/query"):
        response = client.post(
            path,
            content=b"not json",
            headers={**auth(system_key), "content-type": "application/json"},
        )
        assert response.status_code == 422, path
        assert response.json()["error"]["code"] == "validation_failed"
