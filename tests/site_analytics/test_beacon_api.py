"""``POST /api/v1/beacon`` on both stores: stored as log data, IP nowhere, limits enforced."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select, text

from pledge.core import Pledge
from pledge.db.models import SiteEvent
from pledge.web.access_log import ScrubAccessLog
from pledge.web.api.analytics import BEACON_MAX_BYTES
from pledge.web.app import create_app

IP = "81.2.69.142"
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
VIEW: dict[str, Any] = {
    "path": "/pricing",
    "referrer": "https://www.google.com/search?q=virtual+assistant",
    "landing": True,
    "forms": ["demo-request"],
    "seconds": 42,
    "language": "en-GB",
    "screen": "large",
    "do_not_track": False,
}


@pytest.fixture
def visitor(pledge: Pledge) -> Iterator[TestClient]:
    """A client calling from a public address in the United Kingdom."""
    app = create_app(pledge)
    with TestClient(app, raise_server_exceptions=False, client=(IP, 51000)) as client:
        yield client


def test_a_page_view_is_stored_as_log_data_without_the_address(
    visitor: TestClient, pledge: Pledge, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = visitor.post("/api/v1/beacon", json=VIEW, headers={"User-Agent": CHROME})
    assert answer.status_code == 204
    with pledge.sessions() as session:
        row = session.scalars(select(SiteEvent)).one()
    assert (row.path, row.country, row.landing, row.seconds) == ("/pricing", "GB", True, 42)
    assert (row.search_engine, row.search_terms) == ("google", "virtual assistant")
    assert (row.browser_family, row.browser_major, row.os_family) == ("Chrome", "131", "Linux")
    assert (row.device_class, row.language, row.screen_class) == ("desktop", "en-GB", "large")
    assert row.forms == ["demo-request"]
    assert row.visitor is not None
    assert len(row.visitor) == 16  # the day's pseudonym
    assert IP not in caplog.text
    assert _everything_stored(pledge).count(IP) == 0
    assert _everything_stored(pledge).count("81.2.69.") == 0


def _everything_stored(pledge: Pledge) -> str:
    """Every value of every table, as text: the haystack for an address."""
    metadata = MetaData()
    metadata.reflect(pledge.engine)
    out: list[str] = []
    with pledge.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                out.extend(repr(value) for value in row)
        if pledge.engine.dialect.name == "sqlite":
            out.append(repr(connection.execute(text("select 1")).all()))
    return "\n".join(out)


def test_tokens_ids_and_addresses_in_a_path_are_not_kept(
    visitor: TestClient, pledge: Pledge
) -> None:
    paths = {
        "/u/Zx81kQ2mR7tLw0pYv3NbA9c/prefs": "/u/:id/prefs",
        "/forms/confirm/3f9a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b.q8Kf": "/forms/confirm/:id",
        "/team/ada%40example.org": "/team/:email",
        "/orders/55120934": "/orders/:id",
        "/pricing/enterprise-2025": "/pricing/enterprise-2025",
    }
    for path in paths:
        answer = visitor.post("/api/v1/beacon", json={**VIEW, "path": path})
        assert answer.status_code == 204, answer.text
    with pledge.sessions() as session:
        kept = set(session.scalars(select(SiteEvent.path)))
    assert kept == set(paths.values())


def test_the_access_log_drops_the_address_of_the_beacon_only() -> None:
    def record(path: str) -> logging.LogRecord:
        return logging.LogRecord(
            "uvicorn.access",
            20,
            "",
            0,
            '%s - "%s %s HTTP/%s" %d',
            (f"{IP}:51000", "POST", path, "1.1", 204),
            None,
        )

    beacon, other = record("/api/v1/beacon"), record("/api/v1/requests")
    ScrubAccessLog().filter(beacon)
    ScrubAccessLog().filter(other)
    assert IP not in beacon.getMessage()
    assert beacon.getMessage().startswith('- - "POST /api/v1/beacon')
    assert IP in other.getMessage()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"path": "pricing"}, "path"),
        ({"seconds": -1}, "seconds"),
        ({"screen": "huge"}, "screen"),
        ({"forms": ["bad id!"]}, "forms[0]"),
        ({"visitor_id": "abc"}, "visitor_id"),
        ({"language": "en_GB; drop"}, "language"),
    ],
)
def test_a_bad_page_view_is_refused_naming_the_field(
    visitor: TestClient, pledge: Pledge, change: dict[str, Any], field: str
) -> None:
    answer = visitor.post("/api/v1/beacon", json={**VIEW, **change})
    assert answer.status_code == 422
    assert field in answer.json()["error"]["fields"]
    with pledge.sessions() as session:
        assert session.scalars(select(SiteEvent)).first() is None


def test_a_missing_field_and_a_body_that_is_not_json_are_named(visitor: TestClient) -> None:
    missing = {k: v for k, v in VIEW.items() if k != "landing"}
    assert "landing" in visitor.post("/api/v1/beacon", json=missing).json()["error"]["fields"]
    answer = visitor.post(
        "/api/v1/beacon", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert "body" in answer.json()["error"]["fields"]


def test_a_body_over_the_cap_is_refused_with_413(visitor: TestClient, pledge: Pledge) -> None:
    big = {**VIEW, "referrer": "https://example.org/" + "a" * BEACON_MAX_BYTES}
    answer = visitor.post("/api/v1/beacon", json=big)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        yield b'{"path": "/", "referrer": "'
        yield b"b" * BEACON_MAX_BYTES
        yield b'"}'

    assert visitor.post("/api/v1/beacon", content=chunks()).status_code == 413
    with pledge.sessions() as session:
        assert session.scalars(select(SiteEvent)).first() is None


def test_each_address_is_limited_per_minute(visitor: TestClient, pledge: Pledge) -> None:
    pledge.settings.beacon_limit_per_ip = 3
    statuses = [visitor.post("/api/v1/beacon", json=VIEW).status_code for _ in range(4)]
    assert statuses == [204, 204, 204, 429]
    assert visitor.post("/api/v1/beacon", json=VIEW).headers["Retry-After"]
