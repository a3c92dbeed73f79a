"""What goes wrong with an HTTP system, and what Pledge makes of it: retry later
(SystemUnavailable) or a fault in the declaration (SystemMisdeclared), never a hang,
never a value in a message."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.http import http_connector_for
from tests.connectors.http_support import (
    ADA,
    SECRET,
    Crm,
    connector_at,
    crm_spec,
    free_port,
    hanging,
    running_crm,
    stub,
)


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path / "crm.sqlite") as running:
        yield running


def test_a_wrong_secret_is_a_misdeclaration(crm: Crm) -> None:
    connector = crm.connector(secret="not-" + SECRET)
    with pytest.raises(SystemMisdeclared, match=r"crm: .*HTTP 401"):
        list(connector.export(ADA))
    with pytest.raises(SystemMisdeclared):
        connector.erase(ADA, idempotency_key="e")


def test_a_processor_that_is_down_is_unavailable_at_once() -> None:
    connector = connector_at(f"http://127.0.0.1:{free_port()}/")
    started = time.monotonic()
    with pytest.raises(SystemUnavailable) as raised:
        connector.erase(ADA, idempotency_key="e")
    assert raised.value.reason == "ConnectError"
    assert time.monotonic() - started < 2


def test_a_processor_that_hangs_is_unavailable_by_the_deadline() -> None:
    with hanging() as url:
        connector = connector_at(url, crm_spec(timeout_seconds=0.5))
        started = time.monotonic()
        with pytest.raises(SystemUnavailable) as raised:
            list(connector.export(ADA))
    assert raised.value.reason == "ReadTimeout"
    assert 0.4 < time.monotonic() - started < 2


def test_a_processor_that_drips_its_answer_is_cut_at_the_deadline() -> None:
    def drip(headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        time.sleep(1.5)
        return 200, b'{"rows": []}'

    with stub(drip) as url:
        connector = connector_at(url, crm_spec(timeout_seconds=0.5))
        started = time.monotonic()
        with pytest.raises(SystemUnavailable):
            connector.identities(ADA)
        assert time.monotonic() - started < 1.4


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [
        (503, SystemUnavailable, "503"),
        (500, SystemUnavailable, "500"),
        (429, SystemUnavailable, "429"),
        (408, SystemUnavailable, "408"),
        (425, SystemUnavailable, "425"),
        (302, SystemUnavailable, "302"),
        (404, SystemMisdeclared, None),
        (400, SystemMisdeclared, None),
    ],
)
def test_statuses(status: int, error: type[Exception], reason: str | None) -> None:
    with stub(lambda headers, body: (status, b"{}")) as url, pytest.raises(error) as raised:
        connector_at(url).restrict(ADA, idempotency_key="r")
    if reason is not None:
        assert isinstance(raised.value, SystemUnavailable)
        assert raised.value.reason == reason


@pytest.mark.parametrize(
    "answer",
    [
        b"not json",
        b"[]",
        b'{"rows": "everything"}',
        b'{"rows": [{"collection": "contacts"}]}',
        b'{"collections": {}, "residual": -1}',
        b'{"identities": {"email": "ada@example.org"}}',
    ],
)
def test_a_malformed_answer_is_a_bad_answer_without_its_content(answer: bytes) -> None:
    with stub(lambda headers, body: (200, answer)) as url:
        connector = connector_at(url)
        for call in (
            lambda: list(connector.export(ADA)),
            lambda: connector.identities(ADA),
            lambda: connector.erase(ADA, idempotency_key="e"),
        ):
            with pytest.raises(SystemUnavailable) as raised:
                call()
            assert raised.value.reason == "bad_answer"
            assert "ada" not in str(raised.value)


def test_a_202_to_a_read_is_a_bad_answer() -> None:
    accepted = json.dumps({"status": "accepted", "reference": "r1"}).encode()
    with (
        stub(lambda headers, body: (202, accepted)) as url,
        pytest.raises(SystemUnavailable, match="bad_answer"),
    ):
        list(connector_at(url).export(ADA))


def test_an_oversized_answer_is_refused(tmp_path: Path) -> None:
    big = {
        "rows": [
            {"collection": "notes", "key": i, "fields": {"text": "x" * 100}} for i in range(200)
        ]
    }
    with stub(lambda headers, body: (200, json.dumps(big).encode())) as url:
        connector = connector_at(url, max_answer_bytes=4096)
        with pytest.raises(SystemUnavailable) as raised:
            list(connector.export(ADA))
        assert raised.value.reason == "answer_too_large"
        assert len(list(connector_at(url).export(ADA))) == 200


ENV = {"CRM_URL": "http://127.0.0.1:9100/", "CRM_SECRET": SECRET}


def test_the_factory_reads_url_and_secret_from_the_environment() -> None:
    environ = {**ENV, "PLEDGE_BASE_URL": "https://privacy.example.com/"}
    connector = http_connector_for("crm", crm_spec(), environ)
    assert connector.system_id == "crm"
    assert connector._callback_url == "https://privacy.example.com/api/v1/systems/crm/callbacks"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CRM_SECRET": SECRET}, "environment variable CRM_URL is not set"),
        ({"CRM_URL": "http://127.0.0.1:9100/"}, "environment variable CRM_SECRET is not set"),
        ({**ENV, "CRM_URL": "ftp://crm.example.com/"}, "must hold an http(s) URL"),
        ({**ENV, "CRM_URL": "http://crm.example.com/"}, "must be https"),
        (
            {"CRM_URL": "https://crm.example.com/", "CRM_SECRET": "short"},
            "at least 32 characters",
        ),
    ],
)
def test_the_factory_refuses_a_missing_or_weak_setting(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SystemMisdeclared) as raised:
        http_connector_for("crm", crm_spec(), environ)
    assert message in str(raised.value)
    assert str(raised.value).startswith("systems.crm: ")
    assert "short" not in str(raised.value)


def test_a_short_secret_is_tolerated_on_this_machine() -> None:
    for url in ("http://127.0.0.1:9100/", "http://localhost:9100/", "http://[::1]:9100/"):
        connector = http_connector_for("crm", crm_spec(), {"CRM_URL": url, "CRM_SECRET": "dev"})
        assert connector.system_id == "crm"
