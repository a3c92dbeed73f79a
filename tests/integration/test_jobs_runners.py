"""Both job runners: the in-process thread and procrastinate workers on PostgreSQL."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from pledge.cli.worker import SQLITE_REFUSAL, worker_command
from pledge.core import Pledge
from pledge.db.base import Base
from pledge.db.models import AuditEntry, OutboxMessage
from pledge.db.wakeups import Work
from pledge.errors import ConfigurationError
from pledge.jobs import PERIODIC_TASKS, connect_jobs, deliver_soon, procrastinate_app
from pledge.jobs.embedded import embedded_worker
from pledge.jobs.inprocess import InProcessRunner, registered_runner
from pledge.jobs.procrastinate_app import (
    QUEUE_SCHEMA,
    WorkerThread,
    defer_delivery,
    ensure_schema,
    interval_to_cron,
    libpq_conninfo,
    run_worker,
)
from pledge.jobs.tasks import PeriodicTask
from pledge.mail import queue_mail
from pledge.settings import Settings
from tests.integration.smtp_server import SmtpServer

TO = "ottoline.fairweather@example.org"
JOBS = f"{QUEUE_SCHEMA}.procrastinate_jobs"


@pytest.fixture
def pg_mailer(mailer: Pledge) -> Pledge:
    """A PostgreSQL Pledge with procrastinate's schema and an empty job queue."""
    if mailer.settings.is_sqlite:
        pytest.skip("procrastinate runs on PostgreSQL only")
    ensure_schema(mailer)
    with mailer.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {JOBS}, {QUEUE_SCHEMA}.procrastinate_workers CASCADE"))
    return mailer


def queue(pledge: Pledge, to: str = TO) -> str:
    with pledge.transaction() as session:
        message = queue_mail(
            session, pledge.keys, to=to, subject="Hello", body="Body", template="test"
        )
    return message.id


def status_of(pledge: Pledge, message_id: str) -> str:
    with pledge.sessions() as session:
        row = session.get(OutboxMessage, message_id)
    assert row is not None
    return row.status


def jobs_waiting(pledge: Pledge) -> int:
    with pledge.engine.connect() as conn:
        return int(
            conn.scalar(
                text(
                    "SELECT count(*) FROM procrastinate.procrastinate_jobs"
                    " WHERE status = 'todo' AND task_name = 'pledge.deliver'"
                )
            )
            or 0
        )


def wait_until(condition: object, timeout: float = 15.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


# The in-process runner (SQLite, and `pledge serve` generally)


def test_in_process_runner_is_woken_by_the_commit_that_queued_mail(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    runner = InProcessRunner(mailer)
    runner.start()
    try:
        assert registered_runner(mailer) is runner
        time.sleep(0.3)  # let the start-up pass find an empty outbox
        started = time.monotonic()
        message_id = queue(mailer)  # the commit wakes the runner: nobody calls it by hand
        smtp.wait_for(1, timeout=4)
        assert time.monotonic() - started < 4, "woken, not waiting for the 5 s tick"
    finally:
        runner.stop()
    assert not runner.running
    assert registered_runner(mailer) is None
    assert status_of(mailer, message_id) == "sent"


def test_in_process_runner_survives_failing_tasks(
    pledge: Pledge, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def boom(_pledge: Pledge) -> None:
        calls.append("boom")
        raise ValueError("secret.address@example.org")

    def count(_pledge: Pledge) -> None:
        calls.append("count")

    runner = InProcessRunner(
        pledge, [PeriodicTask("boom", boom, 1), PeriodicTask("count", count, 1)]
    )
    runner.start()
    try:
        wait_until(lambda: calls.count("count") >= 2, timeout=10)
    finally:
        runner.stop()
    assert calls.count("boom") >= 2
    assert "boom failed: ValueError" in caplog.text
    assert "secret.address@example.org" not in caplog.text


def test_run_once_runs_every_task(pledge: Pledge, smtp: SmtpServer) -> None:
    pledge.settings.smtp_url = smtp.url
    queue(pledge)
    InProcessRunner(pledge).run_once()
    assert len(smtp.wait_for(1)) == 1
    with pledge.sessions() as session:
        unsealed = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_(None))
        )
    assert unsealed == 0


def test_periodic_tasks_are_registered_once_each() -> None:
    names = [task.name for task in PERIODIC_TASKS]
    assert {"deliver", "deliver_webhooks", "seal_audit"} <= set(names)
    assert not {"deliver_outbox", "deliver_recipient_notices"} & set(names)
    queues = {task.name: task.queue for task in PERIODIC_TASKS}
    assert queues["deliver_webhooks"] != queues["deliver"] == queues["seal_audit"]
    assert len(names) == len(set(names))
    for task in PERIODIC_TASKS:
        interval_to_cron(task.interval)


def test_notify_without_a_runner_is_harmless_on_sqlite(pledge: Pledge) -> None:
    if not pledge.settings.is_sqlite:
        pytest.skip("SQLite behaviour")
    queue(pledge)
    deliver_soon(pledge)


def test_embedded_worker_on_sqlite_uses_the_in_process_runner(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    if not mailer.settings.is_sqlite:
        pytest.skip("SQLite behaviour")
    with embedded_worker(mailer):
        queue(mailer)
        smtp.wait_for(1, timeout=5)
    assert registered_runner(mailer) is None


def test_worker_command_refuses_sqlite(pledge: Pledge) -> None:
    if not pledge.settings.is_sqlite:
        pytest.skip("SQLite behaviour")
    with pytest.raises(ConfigurationError, match="needs PostgreSQL") as caught:
        worker_command(pledge, 1)
    assert caught.value.message == SQLITE_REFUSAL


# procrastinate on PostgreSQL


def test_interval_to_cron() -> None:
    assert interval_to_cron(5) == "* * * * * */5"
    assert interval_to_cron(300) == "*/5 * * * *"
    assert interval_to_cron(86400) == "0 */24 * * *"
    with pytest.raises(ValueError, match="does not divide"):
        interval_to_cron(7)


def test_libpq_conninfo() -> None:
    assert (
        libpq_conninfo("postgresql+psycopg://postgres:pw@127.0.0.1:5432/pledge")
        == "postgresql://postgres:pw@127.0.0.1:5432/pledge"
    )
    with pytest.raises(ConfigurationError):
        libpq_conninfo("sqlite:///x.db")


def test_ensure_schema_is_idempotent_and_safe_concurrently(pg_mailer: Pledge) -> None:
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(ensure_schema(pg_mailer))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [False, False, False]


def test_deferred_delivery_is_processed_by_a_worker(pg_mailer: Pledge, smtp: SmtpServer) -> None:
    message_id = queue(pg_mailer)
    assert defer_delivery(pg_mailer) is True
    assert defer_delivery(pg_mailer) is False, "the queueing lock keeps one job waiting"
    run_worker(pg_mailer, wait=False, install_signal_handlers=False)
    assert len(smtp.wait_for(1)) == 1
    assert status_of(pg_mailer, message_id) == "sent"
    assert jobs_waiting(pg_mailer) == 0


def test_worker_thread_delivers_after_the_commit(pg_mailer: Pledge, smtp: SmtpServer) -> None:
    connect_jobs(pg_mailer)
    worker = WorkerThread(pg_mailer, concurrency=2)
    worker.start()
    try:
        message_id = queue(pg_mailer)
        smtp.wait_for(1, timeout=15)
        wait_until(lambda: status_of(pg_mailer, message_id) == "sent")
    finally:
        worker.stop()
    assert len(smtp.received) == 1


def test_worker_thread_runs_periodic_delivery(pg_mailer: Pledge, smtp: SmtpServer) -> None:
    worker = WorkerThread(pg_mailer)
    worker.start()
    try:
        time.sleep(1)  # past the start-up run: only a later 5 s tick can find the mail
        message_id = queue(pg_mailer)  # and no notify_outbox
        smtp.wait_for(1, timeout=20)
        wait_until(lambda: status_of(pg_mailer, message_id) == "sent")
    finally:
        worker.stop()


def test_two_workers_share_the_load_without_double_sends(
    pg_mailer: Pledge, smtp: SmtpServer
) -> None:
    ids = [queue(pg_mailer, to=f"person{i}@example.org") for i in range(20)]
    workers = [WorkerThread(pg_mailer), WorkerThread(pg_mailer)]
    for worker in workers:
        worker.start()
    try:
        deliver_soon(pg_mailer)
        smtp.wait_for(20, timeout=30)
        time.sleep(0.5)
    finally:
        for worker in workers:
            worker.stop()
    assert len(smtp.received) == 20
    assert all(status_of(pg_mailer, message_id) == "sent" for message_id in ids)


def test_a_commit_that_queued_mail_defers_a_job_on_postgresql(
    pg_mailer: Pledge, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    connect_jobs(pg_mailer)
    connect_jobs(pg_mailer)  # idempotent: one listener
    assert jobs_waiting(pg_mailer) == 0
    queue(pg_mailer)
    assert jobs_waiting(pg_mailer) == 1
    assert "could not defer" not in caplog.text


def test_a_rolled_back_transaction_wakes_nobody(pledge: Pledge) -> None:
    woken: list[frozenset[Work]] = []
    remove = pledge.on_wake(woken.append)

    class Rollback(Exception):
        pass

    def queue_then_fail() -> None:
        with pledge.transaction() as session:
            queue_mail(session, pledge.keys, to=TO, subject="Hi", body="B", template="test")
            raise Rollback

    with pytest.raises(Rollback):
        queue_then_fail()
    assert woken == []
    queue(pledge)
    assert woken == [frozenset({Work.DELIVERY})]  # mail; webhooks wake Work.WEBHOOK
    remove()
    queue(pledge)
    assert len(woken) == 1, "a removed listener is not told"


def test_two_pledges_never_share_state(pledge: Pledge) -> None:
    other = Pledge(pledge.settings, policy=pledge.policy)
    assert pledge.state(dict, dict) is pledge.state(dict, dict)
    assert other.state(dict, dict) is not pledge.state(dict, dict)


def test_queue_tables_stay_out_of_the_migrated_schema(pg_mailer: Pledge) -> None:
    with pg_mailer.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_procrastinate_sees_failures_without_their_message(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(_pledge: Pledge) -> None:
        raise ValueError("secret.address@example.org")

    monkeypatch.setattr(procrastinate_app, "PERIODIC_TASKS", [PeriodicTask("boom", boom, 5)])
    lazy = Pledge(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1/none"))
    task = procrastinate_app.build_app(lazy).tasks["pledge.boom"]
    with pytest.raises(procrastinate_app.TaskFailed, match="boom failed: ValueError") as caught:
        task(timestamp=0)
    assert "secret" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert "secret" not in caplog.text
