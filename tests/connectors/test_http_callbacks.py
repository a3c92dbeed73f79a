"""The asynchronous mode: a processor answers 202 with a reference, acts later and calls
back, signed; ``read_callback`` verifies what arrives. The example CRM posts the callbacks
to a recording receiver over real HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.connectors.http_callbacks import CallbackRefused, read_callback
from pledge.crypto.webhook_signing import sign
from tests.connectors.http_support import (
    ADA,
    CRM_YAML,
    SECRET,
    Crm,
    crm_spec,
    recorder,
    rows,
    running_crm,
)


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path / "crm.sqlite", callbacks=True, callback_delay=0.05) as running:
        yield running


def test_an_accepted_erasure_is_pending_then_its_signed_callback_completes_it(crm: Crm) -> None:
    with recorder(refuse_first=True) as (receiver, received):
        connector = crm.connector(callback_url=receiver)
        report = connector.erase(ADA, idempotency_key="erase-later")
        assert report.pending is not None
        assert not report.complete
        refused = received.get(timeout=10)
        headers, body = received.get(timeout=10)
    assert refused[1] == body, "the receiver's 503 made the processor retry the same body"
    result = read_callback(SECRET, headers, body)
    assert result.reference == report.pending
    assert result.action == "erase"
    assert result.idempotency_key == "erase-later"
    done = result.report("crm", crm_spec())
    assert done.complete
    assert done.collections["contacts"].changed == 1
    assert done.collections["notes"].deleted == 1
    assert rows(crm.db, "SELECT email, name, phone FROM contacts WHERE id = 1") == [
        (None, None, None)
    ]
    assert connector.residual({"crm_contact_id": frozenset({"1"})}) == 0


def test_a_repeated_key_gets_the_same_reference_and_one_callback(crm: Crm) -> None:
    with recorder() as (receiver, received):
        connector = crm.connector(callback_url=receiver)
        first = connector.rectify(ADA, {"name": "Ada King"}, idempotency_key="fix-later")
        second = connector.rectify(ADA, {"name": "Ada King"}, idempotency_key="fix-later")
        assert first.pending == second.pending
        headers, body = received.get(timeout=10)
        time.sleep(0.5)
        assert received.empty()
    result = read_callback(SECRET, headers, body)
    assert result.action == "rectify"
    assert result.report("crm", crm_spec()).collections["contacts"].changed == 1


def test_without_a_callback_url_the_processor_answers_at_once(crm: Crm) -> None:
    report = crm.connector().restrict(ADA, idempotency_key="restrict-now")
    assert report.pending is None
    assert report.collections["contacts"].changed == 1


def _signed(body: bytes, *, secret: str = SECRET, age: int = 0) -> dict[str, str]:
    timestamp = int(time.time()) - age
    return {
        "X-Pledge-Timestamp": str(timestamp),
        "X-Pledge-Signature": sign(secret, timestamp, body),
    }


CALLBACK = {
    "reference": "ref-1",
    "action": "erase",
    "collections": {
        "contacts": {"rows": 1, "changed": 1, "deleted": 0},
        "unknown_table": {"rows": 5, "changed": 5, "deleted": 0},
    },
    "residual": 0,
}


def test_read_callback_maps_through_the_declaration() -> None:
    body = json.dumps(CALLBACK).encode()
    result = read_callback(SECRET, _signed(body), body)
    keep = "          company: {category: identification, erase: keep, reason: employer}\n"
    spec = crm_spec(CRM_YAML.replace("      notes:\n", keep + "      notes:\n"))
    report = result.report("crm", spec)
    assert set(report.collections) == {"contacts"}
    assert report.collections["contacts"].kept == {"company": "employer"}
    assert report.complete


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"x-pledge-signature": "sha256=00"}, "no valid x-pledge-timestamp"),
        ("wrong secret", "signature does not match"),
        ("stale", "too old"),
        ("tampered", "signature does not match"),
    ],
)
def test_read_callback_refuses_what_is_not_signed_and_fresh(
    headers: dict[str, str] | str, message: str
) -> None:
    body = json.dumps(CALLBACK).encode()
    if headers == "wrong secret":
        headers = _signed(body, secret="x" * 40)
    elif headers == "stale":
        headers = _signed(body, age=301)
    elif headers == "tampered":
        headers = _signed(body)
        body = body.replace(b'"residual": 0', b'"residual": 1')
    assert isinstance(headers, dict)
    with pytest.raises(CallbackRefused, match=message):
        read_callback(SECRET, headers, body)


@pytest.mark.parametrize(
    "change",
    [
        {"residual": None},
        {"reference": ""},
        {"action": "export"},
        {"collections": {"contacts": {"rows": -1}}},
    ],
)
def test_read_callback_refuses_a_bad_shape(change: dict[str, object]) -> None:
    body = json.dumps({**CALLBACK, **change}).encode()
    with pytest.raises(CallbackRefused, match="not the expected JSON shape"):
        read_callback(SECRET, _signed(body), body)
    with pytest.raises(CallbackRefused, match="not the expected JSON shape"):
        read_callback(SECRET, _signed(b"\xff"), b"\xff")


def test_a_callback_within_a_custom_age_is_accepted() -> None:
    body = json.dumps(CALLBACK).encode()
    assert read_callback(SECRET, _signed(body, age=500), body, max_age=600).reference == "ref-1"
