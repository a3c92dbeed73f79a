"""The group-commit writer behind ``POST /api/v1/consents``: batches, isolation of bad acts."""

from __future__ import annotations

import dataclasses
import queue
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.consent import ConsentIn
from pledge.consent.ledger.acts import PendingAct, prepare_act
from pledge.consent.ledger.record import record_acts
from pledge.consent.ledger.writer import ConsentWriter, _BatchWriter, _Queued
from pledge.core import Pledge
from pledge.db.models import AuditEntry, ConsentEvent, ConsentState, Identity, MarketingReach
from tests.consent.conftest import EU, US


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def act(
    pledge: Pledge, email: str, *, granted: bool = True, channel: str = "email", **subject: Any
) -> PendingAct:
    body = {
        "subject": {"email": email, "country": "FR", **subject},
        "purpose": "marketing",
        "channel": channel,
        "granted": granted,
        "method": "web_form",
        "evidence": {"ip": "203.0.113.9", "user_agent": "test"},
    }
    return prepare_act(pledge, ConsentIn.model_validate(body), actor="test")


def broken_act(pledge: Pledge, email: str) -> PendingAct:
    """Passes the policy checks but breaks a NOT NULL column: only the database refuses it."""
    broken = act(pledge, email)
    return dataclasses.replace(broken, act=dataclasses.replace(broken.act, method=None))  # type: ignore[arg-type]


def write_one_batch(pledge: Pledge, pending: list[PendingAct]) -> list[_Queued]:
    """Run the writer loop on exactly these acts, as one batch, in this thread."""
    waiting: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
    items = [_Queued(p) for p in pending]
    for item in items:
        waiting.put(item)
    waiting.put(None)
    _BatchWriter(pledge, waiting, max_batch=100).run()
    return items


def count(pledge: Pledge, column: Any, *where: Any) -> int:
    with pledge.sessions() as session:
        return session.scalar(select(func.count(column)).where(*where)) or 0


def test_a_batch_writes_every_act_with_its_audit_entry(pledge: Pledge) -> None:
    people = [f"person{n}@example.org" for n in range(12)]
    items = write_one_batch(pledge, [act(pledge, email) for email in people])
    recorded = [item.future.result() for item in items]
    assert len({r.subject_id for r in recorded}) == 12
    assert count(pledge, ConsentEvent.id) == 12
    assert count(pledge, ConsentState.id) == 12
    assert count(pledge, MarketingReach.subject_id) == 12
    with pledge.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "consent.granted")
        ).all()
    assert sorted(e.details["events"][0] for e in entries) == sorted(  # type: ignore[index]
        r.event_ids[0] for r in recorded
    )
    assert pledge.verify_audit().ok


def test_one_person_twice_in_a_batch_is_one_subject_and_the_later_act_wins(
    pledge: Pledge,
) -> None:
    first, second = act(pledge, EU, granted=True), act(pledge, EU, granted=False)
    items = write_one_batch(pledge, [first, second, act(pledge, US)])
    a, b, _ = (item.future.result() for item in items)
    assert a.subject_id == b.subject_id
    assert count(pledge, Identity.id, Identity.kind == "email") == 2
    with pledge.sessions() as session:
        state = session.scalars(
            select(ConsentState).where(ConsentState.subject_id == a.subject_id)
        ).one()
    assert state.granted is False
    assert state.event_id == b.event_ids[0]


def test_a_bad_act_fails_alone_and_the_others_are_written(pledge: Pledge) -> None:
    good = [act(pledge, f"ok{n}@example.org") for n in range(3)]
    bad = broken_act(pledge, "broken@example.org")
    items = write_one_batch(pledge, [good[0], bad, good[1], good[2]])
    assert items[1].future.exception() is not None
    assert [item.future.exception() for item in (items[0], items[2], items[3])] == [None] * 3
    assert count(pledge, ConsentEvent.id) == 3
    assert count(pledge, AuditEntry.id, AuditEntry.action == "consent.granted") == 3


def test_record_acts_is_all_or_nothing(pledge: Pledge) -> None:
    bad = broken_act(pledge, "broken@example.org")
    with pytest.raises(Exception):  # noqa: B017, PT011 - the driver's own integrity error
        record_acts(pledge, [act(pledge, EU), bad])
    assert count(pledge, ConsentEvent.id) == 0
    assert count(pledge, AuditEntry.id, AuditEntry.action == "consent.granted") == 0


def test_close_writes_what_is_queued_then_refuses(pledge: Pledge) -> None:
    writer = ConsentWriter(pledge)
    futures = [writer.submit(act(pledge, f"q{n}@example.org")) for n in range(20)]
    writer.close()
    assert all(f.done() and f.exception() is None for f in futures)
    assert count(pledge, ConsentEvent.id) == 20
    with pytest.raises(RuntimeError):
        writer.submit(act(pledge, EU))


def test_concurrent_requests_are_all_recorded(client: TestClient, system_key: str) -> None:
    def post(n: int) -> int:
        body = {
            "subject": {"email": f"c{n % 7}@example.org", "country": ("FR", "US")[n % 2]},
            "purpose": "marketing",
            "channel": ("email", "post", "phone")[n % 3],
            "granted": n % 4 != 0,
            "method": "api",
        }
        return client.post("/api/v1/consents", json=body, headers=auth(system_key)).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, range(60)))
    assert statuses == [201] * 60
    pledge: Pledge = client.app.state.pledge  # type: ignore[attr-defined]
    assert count(pledge, ConsentEvent.id) == 60
    assert count(pledge, Identity.id, Identity.kind == "email") == 7
    assert (
        count(
            pledge,
            AuditEntry.id,
            AuditEntry.action.in_(["consent.granted", "consent.withdrawn"]),
        )
        == 60
    )
    assert pledge.verify_audit().ok


@pytest.mark.parametrize(
    ("raw", "field"),
    [(b"{not json", "body"), (b"", "subject"), (b"[]", "body"), (b'{"extra": 1}', "extra")],
)
def test_bad_bodies_are_422_naming_the_field(
    client: TestClient, system_key: str, raw: bytes, field: str
) -> None:
    response = client.post(
        "/api/v1/consents",
        content=raw,
        headers={**auth(system_key), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
