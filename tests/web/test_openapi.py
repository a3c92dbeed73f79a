"""``/api/openapi.json`` describes every JSON operation's body and answer by a schema.

A generated client is only as good as this description: an operation whose
answer is a bare ``object`` (a route returning ``dict[str, Any]``), or that
takes a body nobody described, leaves its callers guessing. HTML pages and
forms are exempt: they answer ``text/html`` or stay out of the description.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from pledge.core import Pledge

JSON = "application/json"
WITH_BODY = ("post", "put", "patch")
METHODS = ("get", "head", "post", "put", "patch", "delete")

ALLOWLIST: set[tuple[str, str]] = set()
"""Operations allowed to lack a schema: none."""


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.removeprefix("#/components/schemas/")
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def described(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A schema that says what is inside: a model's properties, each branch of a union,
    an array of described items, or a scalar; never a bare object or ``{}``."""
    schema = resolve(spec, schema)
    branches = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if branches:
        return all(described(spec, branch) for branch in branches)
    if "properties" in schema:
        return True
    kind = schema.get("type")
    if kind == "array":
        return described(spec, schema.get("items", {}))
    return kind in ("string", "integer", "number", "boolean", "null")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def answers_json(operation: dict[str, Any]) -> bool:
    """An operation is HTML when every success it documents is something else than JSON."""
    contents = [
        response.get("content", {})
        for status, response in operation["responses"].items()
        if status.startswith("2")
    ]
    return not contents or any(JSON in content or not content for content in contents)


def problems_of(spec: dict[str, Any], method: str, operation: dict[str, Any]) -> list[str]:
    problems = []
    successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
    # 204 No Content has no body to describe; an operation answering only 204 is described.
    bodies = {s: r for s, r in successes.items() if s != "204"}
    schemas = [r.get("content", {}).get(JSON, {}).get("schema", {}) for r in bodies.values()]
    if successes.keys() == {"204"} and not successes["204"].get("content"):
        schemas = [{"type": "null"}]
    if not schemas or not all(described(spec, schema) for schema in schemas):
        problems.append("no 2xx response schema")
    if method in WITH_BODY:
        body = operation.get("requestBody", {}).get("content", {}).get(JSON, {})
        if not described(spec, body.get("schema", {})):
            problems.append("no request body schema")
    return problems


def test_every_json_operation_has_its_schemas(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    found: dict[tuple[str, str], list[str]] = {}
    for method, path, operation in operations(spec):
        if answers_json(operation):
            problems = problems_of(spec, method, operation)
            if problems:
                found[(method, path)] = problems
    missing = {key: value for key, value in found.items() if key not in ALLOWLIST}
    assert missing == {}
    typed_since = ALLOWLIST - set(found)
    assert not typed_since, f"typed now: remove from ALLOWLIST: {sorted(typed_since)}"


def test_the_contract_routes_are_described(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path, method in (
        ("/healthz", "get"),
        ("/api/v1/policy", "get"),
        ("/api/v1/records", "post"),
        ("/api/v1/requests", "post"),
        ("/api/v1/requests/{request_id}/verify", "post"),
        ("/api/v1/requests/{request_id}", "get"),
        ("/api/v1/requests/{request_id}/package", "get"),
        ("/api/v1/admin/requests", "get"),
        ("/api/v1/service/conversations", "post"),
        ("/api/v1/service/conversations/{conversation_id}", "get"),
        ("/api/v1/service/requests", "post"),
    ):
        assert method in paths.get(path, {}), (method, path)


def test_the_checker_catches_untyped_operations() -> None:
    spec: dict[str, Any] = {"components": {"schemas": {"M": {"properties": {}}}}}
    bare = {"type": "object", "additionalProperties": True}
    untyped = {"responses": {"200": {"content": {JSON: {"schema": bare}}}}}
    assert problems_of(spec, "get", untyped) == ["no 2xx response schema"]
    anything = {"responses": {"200": {"content": {JSON: {"schema": {}}}}}}
    assert problems_of(spec, "get", anything) == ["no 2xx response schema"]
    model = {"$ref": "#/components/schemas/M"}
    no_body = {"responses": {"201": {"content": {JSON: {"schema": model}}}}}
    assert problems_of(spec, "post", no_body) == ["no request body schema"]
    typed = {**no_body, "requestBody": {"content": {JSON: {"schema": model}}}}
    assert problems_of(spec, "post", typed) == []
    html = {"responses": {"200": {"content": {"text/html": {"schema": {"type": "string"}}}}}}
    assert not answers_json(html)


ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def test_errors_are_described_in_the_shape_pledge_sends(client: TestClient) -> None:
    """FastAPI described a 422 as ``{"detail": [...]}``, which Pledge never sends, and no
    other error at all; schemathesis held the answers to that description and failed."""
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorOut"]["required"] == ["error"]
    assert schemas["ErrorDetail"]["required"] == ["code", "message"]
    for method, path, operation in operations(spec):
        errors = {s: r for s, r in operation["responses"].items() if s.startswith(("4", "5"))}
        assert "422" in errors, (method, path)
        for status, response in errors.items():
            assert response["content"][JSON]["schema"] == ERROR_REF, (method, path, status)
            assert response["description"], (method, path, status)


def test_keyed_operations_name_the_scheme_their_roles_and_401_403(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    paths = spec["paths"]
    expected = {
        ("post", "/api/v1/consents"): ["system"],  # checks its key by hand: keyed("system")
        ("post", "/api/v1/records"): ["system"],
        ("post", "/api/v1/marketing/do-not-call"): ["admin", "system"],
        ("get", "/api/v1/admin/requests"): ["admin"],
        ("post", "/api/v1/service/conversations"): ["client"],
    }
    for (method, path), roles in expected.items():
        operation = paths[path][method]
        assert operation["x-pledge-roles"] == roles, (method, path)
        assert operation["security"] == [{"bearer": []}]
        assert {"401", "403"} <= set(operation["responses"])
    public = paths["/api/v1/requests"]["post"]
    assert "security" not in public
    assert "401" not in public["responses"]
    assert {"404", "413"} <= set(paths["/api/v1/requests/{request_id}/verify"]["post"]["responses"])


def test_conflicts_are_described_where_they_happen(client: TestClient) -> None:
    """schemathesis met these 409s undocumented."""
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "409" in paths["/api/v1/marketing/send"]["post"]["responses"]
    assert "409" in paths["/api/v1/cookie-consent"]["post"]["responses"]
    # and these, read from the services that raise them:
    verify = paths["/api/v1/requests/{request_id}/verify"]["post"]["responses"]
    assert {"400", "409", "429"} <= set(verify)
    assert "429" in paths["/api/v1/requests"]["post"]["responses"]
    assert {"409", "410"} <= set(paths["/api/v1/requests/{request_id}/package"]["get"]["responses"])
    assert "409" in paths["/api/v1/records"]["post"]["responses"]
    assert "409" in paths["/api/v1/admin/clients"]["post"]["responses"]


def test_bodies_list_the_policy_ids_they_accept(client: TestClient, pledge: Pledge) -> None:
    """The server refuses any other category, purpose or recipient (422); saying so lets
    a client, or schemathesis, send one that gets through."""
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    categories = [c.id for c in pledge.policy.categories]
    purposes = [p.id for p in pledge.policy.purposes]
    assert schemas["RecordIn"]["properties"]["category"]["enum"] == categories
    assert schemas["RecordIn"]["properties"]["purpose"]["enum"] == purposes
    disclosure = schemas["DisclosureIn"]["properties"]
    assert disclosure["categories"]["items"]["enum"] == categories
    assert disclosure["recipient"]["enum"] == [r.id for r in pledge.policy.recipients]
    consent = spec["paths"]["/api/v1/consents"]["post"]["requestBody"]["content"][JSON]
    assert consent["schema"]["properties"]["purpose"]["enum"] == purposes
