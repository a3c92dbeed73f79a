"""Bodies nobody can parse, and names nobody can read, still get the one error shape.

Each case here was found by schemathesis (``tests/web/test_schemathesis.py``) and is
kept as a plain regression test: a 4xx is ``{"error": {"code", "message",
"fields"}}`` and names the field at fault (``body`` when the body as a whole is).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

JSON = {"content-type": "application/json"}


def fields_of(answer: object) -> dict[str, str]:
    body = answer.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert body["error"]["code"] == "validation_failed"
    fields: dict[str, str] = body["error"]["fields"]
    return fields


@pytest.mark.parametrize("raw", [b"\x1b\xff", b"\xc3", b'{"type": "acc\xe9s"}'])
def test_json_that_is_not_utf8_is_422_naming_the_body(client: TestClient, raw: bytes) -> None:
    """It was a bare 400 ``http_error`` ("There was an error parsing the body") with no field."""
    answer = client.post("/api/v1/requests", content=raw, headers=JSON)
    assert answer.status_code == 422
    assert list(fields_of(answer)) == ["body"]


def test_json_that_does_not_parse_names_the_body_not_an_offset(client: TestClient) -> None:
    """It named ``[0]`` (FastAPI locates a decode error by its character offset)."""
    for raw in (b"\xff\xfe", b"{", b'{"type": '):
        answer = client.post("/api/v1/requests", content=raw, headers=JSON)
        assert answer.status_code == 422
        assert list(fields_of(answer)) == ["body"], raw


def test_a_multipart_form_without_its_boundary_is_422_naming_the_body(
    client: TestClient,
) -> None:
    """It was a bare 400 ``http_error`` ("Missing boundary in multipart.")."""
    answer = client.post(
        "/u/some-token/preferences",
        content=b"--xx\r\nbroken",
        headers={"content-type": "multipart/form-data"},
    )
    assert answer.status_code == 422
    assert list(fields_of(answer)) == ["body"]


def test_a_body_field_called_path_keeps_its_name(client: TestClient) -> None:
    """``("body", "match", "path")`` was named ``match``: every ``path``, ``query``,
    ``body`` or ``header`` in a location was dropped, not only the first."""
    body = {"type": "access", "email": "p@example.org", "country": "FR", "match": {"path": 5}}
    answer = client.post("/api/v1/requests", json=body)
    assert answer.status_code == 422
    assert list(fields_of(answer)) == ["match.path"]


def test_a_form_field_with_no_name_is_named_all_the_same(client: TestClient) -> None:
    """A control character in ``=value`` was reported under the field name ``""``."""
    answer = client.post(
        "/u/some-token",
        content=b"=%01",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 422
    assert fields_of(answer) == {"(a field with no name)": "contains a control character"}


def test_a_query_parameter_with_no_name_is_named_query(client: TestClient) -> None:
    """It was named ``query.`` (the prefix of a name that is not there)."""
    answer = client.get("/healthz?=%01")
    assert answer.status_code == 422
    assert fields_of(answer) == {"query": "contains a control character"}
