"""A slow or failing Client webhook holds up neither mail nor the audit seal.

Issue #11, item 6: one Client's webhook answering a byte every few seconds stalled
every background job of the runner, audit sealing and verification mail included.
Webhooks now run on a queue of their own (a thread in-process, a worker under
procrastinate), and a target that keeps failing rests behind its circuit breaker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, Delivery, DeliveryCircuit
from pledge.delivery import DeliveryReport, Kind, circuit_states, close_circuit
from pledge.jobs import connect_jobs, deliver
from pledge.jobs.inprocess import InProcessRunner
from pledge.jobs.procrastinate_app import QUEUE_SCHEMA, WorkerThread, ensure_schema
from tests.delivery.conftest import Hook, delivery, make_due, queue, queue_webhook
from tests.integration.smtp_server import SmtpServer
from tests.integration.test_cli import run
from tests.service_data.conftest import make_client
from tests.web.conftest import auth

MAIL_BOUND = 5.0
"""Seconds within which mail queued behind a dripping webhook must be sent."""
SEAL_BOUND = 16.0
"""Seconds within which pending audit entries must be sealed (the task runs every 10 s)."""


def _wait(condition: Callable[[], bool], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


def _unsealed(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return audit.chain.unsealed_count(session)


def _write_audit(pledge: Pledge, count: int) -> None:
    with pledge.transaction() as session:
        for n in range(count):
            audit.append(session, action="test.event", actor="t", object_type="x", object_id=str(n))


def _mail_and_audit_while_dripping(mailer: Pledge, smtp: SmtpServer, hook: Hook) -> None:
    """Queue mail and audit entries once a webhook is dripping; both must go through."""
    assert hook.dripping.wait(15), "the webhook was never posted"
    queue(mailer)
    _write_audit(mailer, 3)
    assert _unsealed(mailer) >= 3
    mailed = _wait(lambda: len(smtp.received) >= 1, MAIL_BOUND)
    sealed = _wait(lambda: _unsealed(mailer) == 0, SEAL_BOUND)
    assert not hook.release.is_set()
    with mailer.sessions() as session:
        leased = session.scalars(
            select(Delivery.lease_until).where(Delivery.kind == Kind.CLIENT_WEBHOOK)
        ).one()
    assert leased is not None, f"the webhook is still being posted ({mailed=:.1f}, {sealed=:.1f})"


def test_a_dripping_webhook_holds_up_neither_mail_nor_sealing_in_process(
    mailer: Pledge, smtp: SmtpServer, hook: Hook
) -> None:
    mailer.settings.webhook_deadline_seconds = 60
    acme = make_client(mailer, "Acme", f"{hook.base}/drip-headers")
    queue_webhook(mailer, acme.id)
    runner = InProcessRunner(mailer)
    runner.start()
    try:
        _mail_and_audit_while_dripping(mailer, smtp, hook)
    finally:
        hook.release.set()  # the drip ends, the webhook thread records a retry and stops
        runner.stop(timeout=20)
    assert not runner.running


@pytest.fixture
def pg_mailer(mailer: Pledge) -> Pledge:
    if mailer.settings.is_sqlite:
        pytest.skip("procrastinate runs on PostgreSQL only")
    ensure_schema(mailer)
    with mailer.engine.begin() as conn:
        conn.execute(
            text(
                f"TRUNCATE {QUEUE_SCHEMA}.procrastinate_jobs,"
                f" {QUEUE_SCHEMA}.procrastinate_workers CASCADE"
            )
        )
    return mailer


def test_a_dripping_webhook_holds_up_neither_mail_nor_sealing_under_procrastinate(
    pg_mailer: Pledge, smtp: SmtpServer, hook: Hook
) -> None:
    pg_mailer.settings.webhook_deadline_seconds = 60
    connect_jobs(pg_mailer)  # commits defer jobs, as in the web app
    acme = make_client(pg_mailer, "Acme", f"{hook.base}/drip-headers")
    worker = WorkerThread(pg_mailer, concurrency=1)
    worker.start()
    try:
        queue_webhook(pg_mailer, acme.id)  # defers a deliver_webhooks job
        _mail_and_audit_while_dripping(pg_mailer, smtp, hook)
    finally:
        hook.release.set()
        worker.stop(timeout=30)


# Circuit breakers


def _circuit(pledge: Pledge, target: str) -> DeliveryCircuit:
    with pledge.sessions() as session:
        row = session.get(DeliveryCircuit, (Kind.CLIENT_WEBHOOK, target))
    assert row is not None
    return row


def _cool_down(pledge: Pledge) -> None:
    with pledge.transaction() as session:
        session.execute(update(DeliveryCircuit).values(open_until=utcnow() - timedelta(seconds=1)))


def _audit_actions(pledge: Pledge, target: str) -> list[str]:
    with pledge.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_id == target, AuditEntry.action.like("delivery.circuit%"))
                .order_by(AuditEntry.id)
            )
        )


def test_failures_in_a_row_open_the_circuit_and_a_success_closes_it(
    pledge: Pledge, hook: Hook
) -> None:
    pledge.settings.delivery_circuit_failures = 3
    acme = make_client(pledge, "Acme", hook.url)
    ids = [queue_webhook(pledge, acme.id, n) for n in range(5)]
    hook.statuses = [503] * 10
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(retried=3)
    assert [delivery(pledge, i).attempts for i in ids].count(0) == 2, "two were never tried"
    row = _circuit(pledge, acme.id)
    assert row.failures == 3
    assert row.open_until is not None
    assert row.last_error == "503"
    (view,) = circuit_states(pledge)
    assert (view.state, view.target) == ("open", acme.id)

    make_due(pledge)
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(), "resting"
    assert len(hook.statuses) == 7, "nothing reached the receiver while open"

    _cool_down(pledge)  # half-open: the next attempt probes, and fails: open again at once
    make_due(pledge)
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(retried=1)
    assert circuit_states(pledge)[0].state == "open"

    _cool_down(pledge)
    make_due(pledge)
    hook.statuses = []
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=5)
    (view,) = circuit_states(pledge)
    assert (view.state, view.failures) == ("closed", 0)
    assert _audit_actions(pledge, acme.id) == [
        "delivery.circuit_opened",
        "delivery.circuit_opened",
        "delivery.circuit_closed",
    ]


def test_an_open_circuit_pauses_only_its_own_target(pledge: Pledge, hook: Hook) -> None:
    pledge.settings.delivery_circuit_failures = 1
    down = make_client(pledge, "Down", "http://127.0.0.1:9/x")
    up = make_client(pledge, "Up", hook.url)
    queue_webhook(pledge, down.id, 1)
    queue_webhook(pledge, up.id, 2)
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=1, retried=1)
    assert [v.target for v in circuit_states(pledge) if v.state == "open"] == [down.id]
    queue_webhook(pledge, up.id, 3)
    make_due(pledge)
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=1)


def test_failures_on_pledges_side_do_not_count(pledge: Pledge, hook: Hook) -> None:
    pledge.settings.delivery_circuit_failures = 1
    acme = make_client(pledge, "Acme", hook.url)
    delivery_id = queue_webhook(pledge, acme.id)
    with pledge.transaction() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(payload=None))
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(dead=1)
    assert circuit_states(pledge) == []


def test_operators_see_and_close_circuits(
    pledge: Pledge, client: TestClient, admin_key: str
) -> None:
    pledge.settings.delivery_circuit_failures = 1
    acme = make_client(pledge, "Acme", "http://127.0.0.1:9/down")
    queue_webhook(pledge, acme.id)
    deliver(pledge, [Kind.CLIENT_WEBHOOK])
    listed = client.get("/api/v1/admin/clients", headers=auth(admin_key)).json()["clients"]
    assert listed[0]["webhook_circuit"]["state"] == "open"
    shown = run(pledge.settings, "outbox", "circuits", "list")
    assert shown.returncode == 0, shown.stderr
    assert f"open  client_webhook:{acme.id}  failures=1" in shown.stdout
    closed = run(pledge.settings, "outbox", "circuits", "close", acme.id)
    assert closed.returncode == 0, closed.stderr
    assert circuit_states(pledge)[0].state == "closed"
    unknown = run(pledge.settings, "outbox", "circuits", "close", "no-such-client")
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr
    close_circuit(pledge, Kind.CLIENT_WEBHOOK, acme.id, actor="test")  # idempotent
