"""The protocol's ``hand_over`` action through HttpConnector, against the example processor
(real HTTP, a real SQLite file): what goes on the wire, once per reference, refused by name,
and held against what the processor says it takes (``systems check``)."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from examples.processor.store import DESCRIPTION

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.hand_over import wire_values
from pledge.connectors.http_check import check_http_system
from pledge.connectors.spec import SystemSpec
from pledge.crypto.webhook_signing import verify
from tests.connectors.http_support import (
    CRM_YAML,
    SECRET,
    Crm,
    connector_at,
    crm_spec,
    free_port,
    hanging,
    recorder,
    rows,
    running_crm,
    stub,
)

HAND_OVER_YAML = (
    CRM_YAML
    + """\
    hand_over:
      background_check:
        columns: {full_name: name, email: email, resume: resume.content,
                  resume_media_type: resume.media_type}
"""
)

APPLICATION = {
    "name": "Ada Example",
    "email": "ada.applies@example.org",
    "phone": "+33612345678",
    "resume": {
        "filename": "cv.pdf",
        "media_type": "application/pdf",
        "size": 9,
        "sha256": "0" * 64,
        "content_base64": "JVBERi0xLjQK",
    },
}


def _spec(text: str = HAND_OVER_YAML, **changes: object) -> SystemSpec:
    return crm_spec(text, **changes)


def _fields(spec: SystemSpec) -> dict[str, object]:
    return dict(wire_values(spec.hand_over["background_check"], APPLICATION))


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path / "crm.sqlite") as running:
        yield running


def test_the_request_carries_the_declared_attributes_only_signed(crm: Crm) -> None:
    spec = _spec()
    with recorder({"written": True}) as (url, received):
        assert connector_at(url, spec).hand_over("background_check", "app-1", _fields(spec))
        headers, body = received.get(timeout=5)
    assert verify(SECRET, body, headers)
    sent = json.loads(body)
    assert set(sent) == {"action", "kind", "reference", "fields", "idempotency_key"}
    assert (sent["action"], sent["kind"], sent["reference"]) == (
        "hand_over",
        "background_check",
        "app-1",
    )
    assert headers["x-pledge-delivery"] == sent["idempotency_key"]
    assert sent["fields"] == {
        "full_name": "Ada Example",
        "email": "ada.applies@example.org",
        "resume": "JVBERi0xLjQK",  # the file's bytes, base64
        "resume_media_type": "application/pdf",
    }
    assert "phone" not in body.decode()  # not declared: never sent


def test_the_processor_takes_an_application_once_by_its_reference(crm: Crm) -> None:
    spec = _spec()
    connector = crm.connector(spec)
    first = connector.hand_over("background_check", "app-1", _fields(spec))
    again = connector.hand_over("background_check", "app-1", _fields(spec))
    other = connector.hand_over("background_check", "app-2", _fields(spec))
    assert (first, again, other) == (True, False, True)
    kept = rows(crm.db, "SELECT kind, reference, fields FROM hand_overs ORDER BY reference")
    assert [(kind, reference) for kind, reference, _ in kept] == [
        ("background_check", "app-1"),
        ("background_check", "app-2"),
    ]
    assert json.loads(kept[0][2]) == _fields(spec)


def test_an_attribute_or_kind_the_processor_does_not_take_is_a_misdeclaration(crm: Crm) -> None:
    spec = _spec(HAND_OVER_YAML.replace("{full_name: name,", "{salary: name, full_name: name,"))
    with pytest.raises(SystemMisdeclared, match=r"^crm: .*HTTP 422") as refused:
        crm.connector(spec).hand_over("background_check", "app-1", _fields(spec))
    assert "Ada" not in str(refused.value)
    with pytest.raises(SystemMisdeclared, match=r"HTTP 422"):
        crm.connector(_spec()).hand_over("payroll", "app-1", {})
    assert rows(crm.db, "SELECT count(*) FROM hand_overs") == [(0,)]
    # ... and ``systems check`` says so before anyone sends one.
    problems = check_http_system("crm", spec, {"CRM_URL": crm.url, "CRM_SECRET": SECRET})
    assert [str(p) for p in problems] == [
        "systems.crm.hand_over.background_check.columns.salary: "
        "the processor does not know this attribute"
    ]
    assert check_http_system("crm", _spec(), {"CRM_URL": crm.url, "CRM_SECRET": SECRET}) == []


def test_a_processor_that_takes_no_hand_over_is_told_by_the_check() -> None:
    described = {"collections": DESCRIPTION}  # an older processor: no "hand_over"
    with recorder(described) as (url, _):
        problems = check_http_system("crm", _spec(), {"CRM_URL": url, "CRM_SECRET": SECRET})
    assert [str(p) for p in problems] == [
        "systems.crm.hand_over.background_check: the processor does not take this hand-over"
    ]


def test_a_wrong_secret_is_a_misdeclaration(crm: Crm) -> None:
    spec = _spec()
    with pytest.raises(SystemMisdeclared, match=r"^crm: .*HTTP 401"):
        crm.connector(spec, secret="not-" + SECRET).hand_over("background_check", "a", {})
    assert rows(crm.db, "SELECT count(*) FROM hand_overs") == [(0,)]


def test_unreachable_slow_or_odd_processors_are_unavailable() -> None:
    spec = _spec()
    with pytest.raises(SystemUnavailable) as down:
        connector_at(f"http://127.0.0.1:{free_port()}/", spec).hand_over(
            "background_check", "a", {}
        )
    assert down.value.reason == "ConnectError"
    with hanging() as url:
        started = time.monotonic()
        with pytest.raises(SystemUnavailable) as slow:
            connector_at(url, _spec(timeout_seconds=0.5)).hand_over("background_check", "a", {})
        assert 0.4 < time.monotonic() - started < 2
    assert slow.value.reason == "ReadTimeout"
    for status, answer in (
        (503, b"{}"),
        (202, b'{"status": "accepted", "reference": "r"}'),  # a hand-over is answered at once
        (200, b'{"written": "yes"}'),
        (200, b'{"rows": []}'),
    ):
        with (
            stub(lambda _h, _b, s=status, a=answer: (s, a)) as url,
            pytest.raises(SystemUnavailable) as odd,
        ):
            connector_at(url, spec).hand_over("background_check", "a", {})
        assert odd.value.reason == ("503" if status == 503 else "bad_answer")


def test_a_resume_of_the_largest_size_the_form_takes_goes_through(crm: Crm) -> None:
    spec = _spec()
    largest = os.urandom(2_000_000)  # the careers form's max_bytes
    application = {**APPLICATION, "resume": {"content_base64": base64.b64encode(largest).decode()}}
    fields = wire_values(spec.hand_over["background_check"], application)
    assert crm.connector(spec).hand_over("background_check", "app-big", fields)
    [(kept,)] = rows(crm.db, "SELECT fields FROM hand_overs")
    assert base64.b64decode(json.loads(kept)["resume"]) == largest
