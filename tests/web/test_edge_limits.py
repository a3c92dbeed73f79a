"""Body limits follow the checked key, never a bare header (issue #11, item 2); every answer
carries the security headers, API docs stay off and local, logs hold exception classes only
(issue #11, low items)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pledge.cli import server_cmd
from pledge.core import Pledge
from pledge.web.app import create_app
from pledge.web.log_config import LOG_CONFIG, ClassOnlyFormatter
from tests.rights.conftest import EMAIL
from tests.web.conftest import auth

JSON = {"content-type": "application/json"}


@pytest.fixture
def small(pledge: Pledge) -> Iterator[TestClient]:
    """An app whose limits are 1 KiB anonymous, 4 KB with a key, 60 KB for a send list."""
    tuned = Pledge(
        pledge.settings.model_copy(
            update={
                "max_public_body_bytes": 1024,
                "max_body_bytes": 4_000,
                "max_send_list_bytes": 60_000,
            }
        )
    )
    try:
        with TestClient(create_app(tuned), raise_server_exceptions=False) as client:
            yield client
    finally:
        tuned.dispose()


def send_list(size: int) -> bytes:
    recipients = [f"r{n}@example.org" for n in range(size // 18)]
    return json.dumps({"channel": "email", "recipients": recipients}).encode()


def chunks(body: bytes, size: int = 512) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_bare_authorization_header_raises_nothing(client: TestClient) -> None:
    """Before: any header lifted the limit to 64 MB and the body was read before the 401."""
    big = b"x" * 6_000_001
    for header in ("Bearer pk_not-a-key", "Bearer anything", "Basic Zm9vOmJhcg=="):
        response = client.post(
            "/api/v1/marketing/filter", content=big, headers={**JSON, "authorization": header}
        )
        assert response.status_code == 413, header
        assert response.json()["error"]["code"] == "payload_too_large"


def test_each_caller_gets_the_limit_of_its_checked_key(
    small: TestClient, system_key: str, admin_key: str
) -> None:
    medium, large = send_list(3_000), send_list(30_000)
    anonymous = small.post("/api/v1/records", content=medium, headers=JSON)
    assert anonymous.status_code == 413
    keyed = small.post("/api/v1/records", content=medium, headers={**JSON, **auth(system_key)})
    assert keyed.status_code == 422  # read and validated: not a record
    too_big = small.post("/api/v1/records", content=large, headers={**JSON, **auth(system_key)})
    assert too_big.status_code == 413
    wrong_role = small.post(
        "/api/v1/marketing/filter", content=large, headers={**JSON, **auth(admin_key)}
    )
    assert wrong_role.status_code == 413
    right_role = small.post(
        "/api/v1/marketing/filter", content=large, headers={**JSON, **auth(system_key)}
    )
    assert right_role.status_code == 200, right_role.text
    intake = {"type": "access", "email": EMAIL, "country": "FR", "details": "x" * 2_000}
    assert small.post("/api/v1/requests", json=intake).status_code == 413


def test_a_streamed_body_is_cut_at_the_callers_limit(small: TestClient, system_key: str) -> None:
    """Without Content-Length the key is checked when the body passes the smallest limit."""
    large = send_list(30_000)
    anonymous = small.post("/api/v1/marketing/filter", content=chunks(large), headers=JSON)
    assert anonymous.status_code == 413
    keyed = small.post(
        "/api/v1/marketing/filter", content=chunks(large), headers={**JSON, **auth(system_key)}
    )
    assert keyed.status_code == 200, keyed.text


def test_every_answer_carries_nosniff_and_tokens_are_never_cached(client: TestClient) -> None:
    accepted = client.post(
        "/api/v1/requests", json={"type": "access", "email": EMAIL, "country": "FR"}
    )
    assert accepted.status_code == 202
    for response in (
        accepted,
        client.get("/api/v1/nothing-here"),
        client.post(
            "/api/v1/records", content=b"{}", headers={**JSON, "content-length": "9999999"}
        ),
        client.get("/api/v1/admin/requests?status=%00"),
        client.get("/healthz"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["referrer-policy"] == "no-referrer"
    assert accepted.headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/api/v1/policy").headers


def test_pages_cannot_be_framed(client: TestClient) -> None:
    for path in ("/privacy-center", "/policy", "/demo", "/admin/login"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
    assert client.get("/privacy-center").headers["cache-control"] == "no-store"  # sets a cookie


def test_api_docs_are_off_by_default_and_local_when_on(pledge: Pledge, client: TestClient) -> None:
    assert client.get("/api/docs").status_code == 404
    assert client.get("/api/openapi.json").status_code == 200
    pledge.settings.api_docs = True
    with TestClient(create_app(pledge), raise_server_exceptions=False) as docs_client:
        docs = docs_client.get("/api/docs")
    assert docs.status_code == 200
    assert "POST /api/v1/requests" in docs.text
    assert "<script" not in docs.text
    assert "cdn" not in docs.text.lower()
    assert "default-src 'none'" in docs.headers["content-security-policy"]


def test_a_marketing_subject_is_one_line(client: TestClient, system_key: str) -> None:
    body = {"to": EMAIL, "subject": "Hello\r\nBcc: everyone@example.org", "body": "b"}
    response = client.post("/api/v1/marketing/send", json=body, headers=auth(system_key))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"subject": "must be a single line"}


def _record(message: str) -> logging.LogRecord:
    try:
        raise ValueError("ada@example.com in a traceback")
    except ValueError:
        return logging.getLogger("uvicorn.error").makeRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, message, (), sys.exc_info()
        )


def test_logs_name_the_exception_class_never_its_values() -> None:
    record = _record("Exception in ASGI application")
    assert "ada@example.com" in logging.Formatter().format(record)  # caches the traceback
    text = ClassOnlyFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert text == "ERROR uvicorn.error: Exception in ASGI application [ValueError]"
    assert record.exc_info is not None  # other handlers still get the record whole
    formatters = LOG_CONFIG["formatters"]
    assert formatters["default"]["()"].endswith("ClassOnlyFormatter")
    assert LOG_CONFIG["loggers"]["uvicorn"]["handlers"] == ["default"]
    assert LOG_CONFIG["root"]["handlers"] == ["default"]
    assert LOG_CONFIG["handlers"]["access"]["filters"] == ["scrub"]


def test_pledge_serve_runs_uvicorn_with_that_configuration(
    monkeypatch: pytest.MonkeyPatch, pledge: Pledge
) -> None:
    seen: dict[str, Any] = {}
    built: list[Pledge] = []

    def build() -> Pledge:
        built.append(Pledge(pledge.settings))
        return built[-1]

    monkeypatch.setattr(server_cmd, "build_pledge", build)
    monkeypatch.setattr(server_cmd, "configure_logging", lambda: None)
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: seen.update(kwargs))
    try:
        server_cmd.serve(host="127.0.0.1", port=1, no_worker=True, workers=1)
        assert seen["log_config"] is LOG_CONFIG
        seen.clear()
        server_cmd.serve(host="127.0.0.1", port=1, no_worker=True, workers=2)
        assert seen["log_config"] is LOG_CONFIG
    finally:
        for instance in built:
            instance.dispose()
