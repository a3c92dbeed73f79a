"""The database stopped in the middle of a batch, then started again.

A throwaway PostgreSQL server of the test's own (:mod:`tests.faults.own_postgres`)
is stopped with ``-m immediate``: every connection is cut and uncommitted work
is lost, as in a crash or a failover. The stop is placed at a precise moment
by the test process itself (after the records of a batch were copied in, as
the consent writer starts its transaction, while a webhook is being answered).

What it proves: the API answers a JSON error that says to come back (503, no
stack trace), nothing of the interrupted batch is left half-written, the
same call succeeds once the database is back (the pool and the consent
writer's own connection reconnect by themselves), a delivery pass cut
between sending and recording loses nothing, and a ``pledge worker`` process
lives through the restart and goes on sending.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import pledge.consent.ledger.pg_batches as pg_batches
import pledge.records.service as records_service
from pledge.access import create_api_key
from pledge.core import Pledge
from pledge.db.base import Base, utcnow
from pledge.db.models import AuditEntry, ConsentEvent, Delivery, Record, Subject
from pledge.delivery import DeliveryReport, Kind
from pledge.jobs import deliver
from pledge.jobs.procrastinate_app import WorkerThread, ensure_schema
from pledge.settings import Settings
from pledge.startup import settle_data, upgrade_schema
from pledge.web.app import create_app
from tests.delivery.conftest import delivery, queue, queue_webhook
from tests.faults.conftest import Receiver, audit_count, child_environment
from tests.faults.own_postgres import OwnPostgres, find_binaries, has_user
from tests.integration.smtp_server import SmtpServer
from tests.service_data.conftest import make_client
from tests.web.conftest import auth

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BATCH = 300


@pytest.fixture(scope="module")
def server() -> Iterator[OwnPostgres]:
    binaries = find_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl) to run a throwaway server")
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not has_user("postgres")):
        pytest.skip("as root, a throwaway PostgreSQL needs runuser and a postgres user")
    instance = OwnPostgres(binaries)
    try:
        yield instance
    finally:
        instance.remove()


@pytest.fixture(scope="module")
def master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def restartable(server: OwnPostgres, master_key: str) -> Iterator[Pledge]:
    """A migrated, empty Pledge on the throwaway server (started if a test left it down)."""
    if not server.running():
        server.start()
    settings = Settings(database_url=server.url, master_key=master_key, smtp_url=None)
    pledge = Pledge(settings)
    upgrade_schema(pledge)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with pledge.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    settle_data(pledge)
    yield pledge
    pledge.dispose()


def count(pledge: Pledge, model: Any) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def assert_unavailable(answer: Any) -> None:
    """A clean refusal: JSON, says to come back, shows nothing of the inside."""
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"]["code"] == "unavailable"
    assert "Traceback" not in answer.text
    assert "psycopg" not in answer.text
    assert answer.headers.get("retry-after")


def record(n: int) -> dict[str, Any]:
    email = f"batch.{n}@example.org"
    return {
        "subject": {"email": email, "name": f"Person {n}", "country": "FR"},
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "web_form:contact_us",
        "data": {"name": f"Person {n}", "email": email},
    }


def test_a_records_batch_cut_by_a_restart_is_refused_whole_then_accepted(
    restartable: Pledge, server: OwnPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = create_api_key(restartable, name="faults", role="system")[1]
    batch = {"records": [record(n) for n in range(BATCH)]}
    original = records_service.bulk_insert

    def copy_then_crash(session: Any, table: Any, rows: Any) -> None:
        original(session, table, rows)
        if table.name == "records":  # the records are in, the audit entries not yet
            server.stop()

    audit_before = count(restartable, AuditEntry)
    with TestClient(create_app(restartable), raise_server_exceptions=False) as web:
        monkeypatch.setattr(records_service, "bulk_insert", copy_then_crash)
        assert_unavailable(web.post("/api/v1/records", json=batch, headers=auth(key)))
        monkeypatch.setattr(records_service, "bulk_insert", original)
        assert_unavailable(web.post("/api/v1/records", json=batch, headers=auth(key)))
        server.start()
        assert (count(restartable, Record), count(restartable, Subject)) == (0, 0)
        assert count(restartable, AuditEntry) == audit_before, "nothing half-written"

        answer = web.post("/api/v1/records", json=batch, headers=auth(key))
        assert answer.status_code == 201, answer.text
        assert len(answer.json()["records"]) == BATCH
    assert (count(restartable, Record), count(restartable, Subject)) == (BATCH, BATCH)
    assert restartable.verify_audit().ok


def consent(n: int) -> dict[str, Any]:
    return {
        "subject": {"email": f"consent.{n}@example.org", "country": "FR"},
        "purpose": "marketing",
        "channel": "email",
        "granted": True,
        "method": "web_form",
    }


def test_the_consent_writer_refuses_cleanly_while_down_and_reconnects_after(
    restartable: Pledge, server: OwnPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = create_api_key(restartable, name="faults", role="system")[1]
    original = pg_batches.record_acts

    def crash_then_write(pledge: Pledge, raw: Any, pending: Any) -> Any:
        server.stop()  # the writer has its batch and its connection; the server goes
        return original(pledge, raw, pending)

    with TestClient(create_app(restartable), raise_server_exceptions=False) as web:

        def give(n: int) -> Any:
            return web.post("/api/v1/consents", json=consent(n), headers=auth(key))

        assert give(0).status_code == 201  # the writer now holds a connection of its own
        server.restart()
        assert give(1).status_code == 201, "the writer's dead connection is replaced"

        monkeypatch.setattr(pg_batches, "record_acts", crash_then_write)
        assert_unavailable(give(2))
        monkeypatch.setattr(pg_batches, "record_acts", original)
        assert_unavailable(give(3))
        server.start()
        assert give(2).status_code == 201
        assert give(3).status_code == 201
        for n in range(4):
            history = web.get(
                "/api/v1/consents", params={"email": f"consent.{n}@example.org"}, headers=auth(key)
            )
            assert history.status_code == 200, history.text
            assert len(history.json()["events"]) == 1, f"person {n}: one act, written once"
    assert count(restartable, ConsentEvent) == 4
    assert restartable.verify_audit().ok


def test_a_delivery_pass_cut_by_a_restart_loses_nothing(
    restartable: Pledge, server: OwnPostgres, receiver: Receiver
) -> None:
    restartable.settings.delivery_lease_seconds = 8  # outlasts the server's start
    restartable.settings.webhook_deadline_seconds = 2
    acme = make_client(restartable, "Acme", receiver.url)
    ids = [queue_webhook(restartable, acme.id, n) for n in range(6)]
    receiver.on_post = lambda number: server.stop() if number == 3 else None

    with pytest.raises(OperationalError):  # the pass stops at its next claim
        deliver(restartable, [Kind.CLIENT_WEBHOOK])
    server.start()
    acknowledged = receiver.acknowledged()
    assert acknowledged == ids[:3], "sent before the stop"
    third = delivery(restartable, ids[2])
    assert (third.status, third.attempts) == ("pending", 1), "its outcome was never saved"
    assert deliver(restartable, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=3)
    assert third.lease_until is not None, "still leased by the pass that was cut"
    time.sleep(max((third.lease_until - utcnow()).total_seconds(), 0) + 0.2)
    assert deliver(restartable, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=1)

    acknowledged = receiver.acknowledged()
    assert sorted(set(acknowledged)) == sorted(ids), "every delivery arrived"
    assert acknowledged.count(ids[2]) == 2, "the one cut between send and record, twice, same id"
    with restartable.sessions() as session:
        assert set(session.scalars(select(Delivery.status))) == {"sent"}
    assert all(audit_count(restartable, "service.webhook_delivered", i) == 1 for i in ids)
    assert restartable.verify_audit().ok


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def sent(pledge: Pledge, delivery_id: str) -> bool:
    return delivery(pledge, delivery_id).status == "sent"


def test_a_pledge_worker_lives_through_a_restart_and_goes_on_sending(
    restartable: Pledge, server: OwnPostgres, smtp: SmtpServer
) -> None:
    restartable.settings.smtp_url = smtp.url
    environ = child_environment(restartable)
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "pledge"), "worker"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = queue(restartable, to="before@example.org")
        # Wait for the outcome to be saved, not only for the mail to arrive: a restart
        # between the two leaves it pending until its lease ends (the pass test above).
        wait_for(lambda: sent(restartable, first), 30, "the mail queued before the restart")
        server.restart()
        time.sleep(2)  # the worker notices its connections are gone
        assert worker.poll() is None, "the worker is still running"
        second = queue(restartable, to="after@example.org")
        wait_for(lambda: sent(restartable, second), 60, "the mail queued after the restart")
        assert len(smtp.received) == 2, "each mail once"
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            _, errors = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            _, errors = worker.communicate()
    assert [delivery(restartable, i).status for i in (first, second)] == ["sent", "sent"]
    assert "the job worker stopped" in errors, "procrastinate stopped it; Pledge started it again"
    assert "starting it again" in errors


def test_the_worker_inside_pledge_serve_lives_through_a_restart(
    restartable: Pledge, server: OwnPostgres, smtp: SmtpServer
) -> None:
    """``pledge serve`` without ``--no-worker`` runs the same worker on a thread."""
    restartable.settings.smtp_url = smtp.url
    ensure_schema(restartable)
    worker = WorkerThread(restartable)
    worker.start()
    try:
        first = queue(restartable, to="before@example.org")
        wait_for(lambda: sent(restartable, first), 30, "the mail queued before the restart")
        server.restart()
        queue(restartable, to="after@example.org")
        wait_for(lambda: len(smtp.received) == 2, 60, "the mail queued after the restart")
    finally:
        worker.stop()
    assert not worker._thread.is_alive(), "and it still stops when asked"
