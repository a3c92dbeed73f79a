"""The delivery engine against a real SMTP server and real HTTP receivers, on both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, Delivery, WebhookDelivery
from pledge.delivery import DeliveryReport, Kind, Outcome, cancel, mail_channel, retry_policy
from pledge.delivery.lease import claim, record
from pledge.jobs import deliver, deliver_outbox, retry_delivery
from pledge.jobs.delivery import channels
from pledge.service_data.forwarding import cancel_deliveries
from tests.delivery.conftest import Hook, delivery, make_due, queue, queue_webhook
from tests.integration.smtp_server import SmtpServer
from tests.service_data.conftest import make_client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def audit_actions(pledge: Pledge, object_id: str) -> list[str]:
    with pledge.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_id == object_id)
                .order_by(AuditEntry.id)
            )
        )


def client_view(pledge: Pledge, delivery_id: str) -> WebhookDelivery:
    with pledge.sessions() as session:
        row = session.get(WebhookDelivery, delivery_id)
    assert row is not None
    return row


def deliver_webhooks(pledge: Pledge) -> DeliveryReport:
    return deliver(pledge, [Kind.CLIENT_WEBHOOK])


# Dead letters


def test_mail_goes_dead_after_its_attempts_and_retry_revives_it(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    mailer.settings.delivery_max_attempts = {Kind.EMAIL: 3}
    smtp.stop()
    message_id = queue(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(retried=1)
    make_due(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(retried=1)
    make_due(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(dead=1)
    row = delivery(mailer, message_id)
    assert (row.status, row.attempts) == ("dead", 3)
    assert row.last_error == "cannot reach the SMTP server: ConnectionRefusedError"
    assert audit_actions(mailer, message_id) == ["mail.queued", "mail.failed"]
    make_due(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(), "a dead letter is never retried by itself"

    smtp.start()
    retry_delivery(mailer, message_id, actor="test")
    assert (delivery(mailer, message_id).status, delivery(mailer, message_id).attempts) == (
        "pending",
        0,
    )
    assert deliver_outbox(mailer) == DeliveryReport(sent=1)
    assert len(smtp.wait_for(1)) == 1
    assert audit_actions(mailer, message_id)[-2:] == ["delivery.retried", "mail.sent"]


def test_a_worker_that_died_on_the_last_attempt_leaves_a_dead_letter(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    mailer.settings.delivery_max_attempts = {Kind.EMAIL: 1}
    message_id = queue(mailer)
    assert claim(mailer, Kind.EMAIL, lease=timedelta(minutes=5), max_attempts=1) is not None
    with mailer.transaction() as session:  # the worker died; its lease runs out
        session.execute(update(Delivery).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert deliver_outbox(mailer) == DeliveryReport(dead=1)
    row = delivery(mailer, message_id)
    assert (row.status, row.attempts, row.last_error) == (
        "dead",
        1,
        "a worker stopped during the last attempt",
    )
    assert smtp.received == []


# Permanent failures


def test_a_4xx_refusal_kills_a_client_webhook_at_once(pledge: Pledge, hook: Hook) -> None:
    hook.statuses = [400]
    acme = make_client(pledge, "Acme", hook.url)
    delivery_id = queue_webhook(pledge, acme.id)
    assert deliver_webhooks(pledge) == DeliveryReport(dead=1)
    row = delivery(pledge, delivery_id)
    assert (row.status, row.attempts, row.last_error) == ("dead", 1, "receiver refused: HTTP 400")
    assert row.payload is not None, "kept, so that it can be retried"
    view = client_view(pledge, delivery_id)
    assert (view.status, view.attempts, view.last_status) == ("dead", 1, "400")
    assert audit_actions(pledge, delivery_id) == ["service.webhook_failed"]

    retry_delivery(pledge, delivery_id, actor="test")
    assert client_view(pledge, delivery_id).status == "pending"
    assert deliver_webhooks(pledge) == DeliveryReport(sent=1)
    view = client_view(pledge, delivery_id)
    assert (view.status, view.attempts, view.last_status) == ("delivered", 2, "204")
    assert delivery(pledge, delivery_id).payload is None, "a sent webhook keeps no body"
    assert hook.delivery_ids() == [delivery_id]


def test_408_and_429_ask_to_come_back_later(pledge: Pledge, hook: Hook) -> None:
    hook.statuses = [429, 408]
    acme = make_client(pledge, "Acme", hook.url)
    delivery_id = queue_webhook(pledge, acme.id)
    assert deliver_webhooks(pledge) == DeliveryReport(retried=1)
    make_due(pledge)
    assert deliver_webhooks(pledge) == DeliveryReport(retried=1)
    make_due(pledge)
    assert deliver_webhooks(pledge) == DeliveryReport(sent=1)
    assert delivery(pledge, delivery_id).attempts == 3


def test_a_cancelled_delivery_drops_its_body_and_is_never_sent(pledge: Pledge, hook: Hook) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    delivery_id = queue_webhook(pledge, acme.id)
    with pledge.transaction() as session:
        assert cancel(session, [delivery_id]) == 1
    row = delivery(pledge, delivery_id)
    assert (row.status, row.payload) == ("cancelled", None)
    assert deliver_webhooks(pledge) == DeliveryReport()
    assert hook.posts == []


# Leases


def test_an_outcome_is_not_recorded_once_the_lease_is_lost(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    message_id = queue(mailer)
    policy = retry_policy(mailer.settings, Kind.EMAIL)
    channel = mail_channel(mailer.settings)
    first = claim(mailer, Kind.EMAIL, lease=timedelta(milliseconds=1), max_attempts=10)
    assert first is not None
    time.sleep(0.05)  # the first worker is too slow: its lease runs out
    second = claim(mailer, Kind.EMAIL, lease=timedelta(minutes=5), max_attempts=10)
    assert second is not None
    assert second[0].id == first[0].id == message_id
    assert second[0].lease_token != first[0].lease_token
    assert second[0].attempts == 2

    assert record(mailer, channel, first[0], Outcome.sent(), policy) is None
    row = delivery(mailer, message_id)
    assert (row.status, row.lease_token) == ("pending", second[0].lease_token)
    assert audit_actions(mailer, message_id) == ["mail.queued"]

    finished = record(mailer, channel, second[0], Outcome.sent(), policy)
    assert finished is not None
    assert finished.status == "sent"
    assert audit_actions(mailer, message_id) == ["mail.queued", "mail.sent"]


def test_a_delivery_cancelled_while_sending_keeps_its_cancellation(
    pledge: Pledge, hook: Hook
) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    delivery_id = queue_webhook(pledge, acme.id, 7)
    claimed = claim(pledge, Kind.CLIENT_WEBHOOK, lease=timedelta(minutes=5), max_attempts=10)
    assert claimed is not None
    with pledge.transaction() as session:  # the customer's erasure, while the POST is under way
        assert cancel_deliveries(session, "customer-7") == 1
    (webhooks,) = channels(pledge, [Kind.CLIENT_WEBHOOK])
    policy = retry_policy(pledge.settings, Kind.CLIENT_WEBHOOK)
    assert record(pledge, webhooks, claimed[0], Outcome.sent(), policy) is None
    assert delivery(pledge, delivery_id).status == "cancelled"
    assert client_view(pledge, delivery_id).status == "cancelled"


def test_a_leased_delivery_is_not_claimed_again(pledge: Pledge, hook: Hook) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    queue_webhook(pledge, acme.id)
    assert claim(pledge, Kind.CLIENT_WEBHOOK, lease=timedelta(minutes=5), max_attempts=10)
    assert claim(pledge, Kind.CLIENT_WEBHOOK, lease=timedelta(minutes=5), max_attempts=10) is None
    assert deliver_webhooks(pledge) == DeliveryReport()


# A slow receiver


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_dripping_webhook_is_cut_off_at_the_deadline_and_mail_still_goes(
    mailer: Pledge, smtp: SmtpServer, hook: Hook, where: str
) -> None:
    deadline = 2.0
    mailer.settings.webhook_deadline_seconds = deadline
    slow = make_client(mailer, "Slow", f"{hook.base}/drip-{where}")
    webhook_id = queue_webhook(mailer, slow.id)
    queue(mailer, to="first@example.org")
    queue(mailer, to="second@example.org")
    started = time.monotonic()
    report = deliver(mailer)
    elapsed = time.monotonic() - started
    assert elapsed < deadline + 2.5, f"the pass took {elapsed:.1f} s"
    assert report == DeliveryReport(sent=2, retried=1)
    assert len(smtp.wait_for(2)) == 2
    row = delivery(mailer, webhook_id)
    assert row.status == "pending"
    assert row.last_error == "not delivered: ReadTimeout"


# Several workers


@pytest.mark.postgres
def test_two_workers_deliver_fifty_mixed_deliveries_each_exactly_once(
    mailer: Pledge, smtp: SmtpServer, hook: Hook
) -> None:
    if mailer.settings.is_sqlite:
        pytest.skip("two workers share PostgreSQL; SQLite runs one in-process worker")
    acme = make_client(mailer, "Acme", hook.url)
    mail_ids = {queue(mailer, to=f"person{n}@example.org") for n in range(25)}
    webhook_ids = {queue_webhook(mailer, acme.id, n) for n in range(25)}
    workers = [Pledge(mailer.settings, policy=mailer.policy) for _ in range(2)]
    barrier = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    def work(worker: Pledge) -> None:
        barrier.wait()
        while True:
            report = deliver(worker)
            reports.append(report)
            if report == DeliveryReport():
                return

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for worker in workers:
        worker.dispose()
    assert sum(r.sent for r in reports) == 50
    assert sum(r.lost + r.retried + r.dead for r in reports) == 0
    received = smtp.wait_for(25)
    assert sorted(r.message["Message-ID"].split("@")[0].strip("<") for r in received) == sorted(
        mail_ids
    )
    assert sorted(hook.delivery_ids()) == sorted(webhook_ids)
    with mailer.sessions() as session:
        statuses = set(session.scalars(select(Delivery.status)))
    assert statuses == {"sent"}


# A worker killed mid-delivery

_PASS = "from pledge.core import Pledge; from pledge.jobs import deliver; deliver(Pledge())"


def test_a_worker_killed_mid_delivery_leaves_it_to_the_next_after_the_lease(
    pledge: Pledge, hook: Hook
) -> None:
    hook.hold_next = True
    acme = make_client(pledge, "Acme", hook.url)
    delivery_id = queue_webhook(pledge, acme.id)
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PLEDGE_")} | {
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
        "PLEDGE_DELIVERY_LEASE_SECONDS": "2",
        "PLEDGE_WEBHOOK_DEADLINE_SECONDS": "1",
        "PLEDGE_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",  # the hook listens on loopback
    }
    worker = subprocess.Popen([sys.executable, "-c", _PASS], env=environ, cwd=ROOT)
    try:
        assert hook.holding.wait(60), "the worker never reached the receiver"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    hook.release.set()
    row = delivery(pledge, delivery_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.lease_until is not None
    assert deliver_webhooks(pledge) == DeliveryReport(), "still leased by the dead worker"

    time.sleep(max((row.lease_until - utcnow()).total_seconds(), 0) + 0.2)
    assert deliver_webhooks(pledge) == DeliveryReport(sent=1)
    assert hook.delivery_ids() == [delivery_id]
    row = delivery(pledge, delivery_id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert client_view(pledge, delivery_id).status == "delivered"


def test_attempts_counted_before_a_budget_existed_still_get_a_try(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    """Rows that retried for ever before the engine (or a budget lowered later) are not buried
    unsent: only a claim that died without recording its outcome uses up the last attempt."""
    mailer.settings.delivery_max_attempts = {Kind.EMAIL: 3}
    message_id = queue(mailer)
    with mailer.transaction() as session:
        session.execute(update(Delivery).where(Delivery.id == message_id).values(attempts=45))
    assert deliver_outbox(mailer) == DeliveryReport(sent=1)
    assert len(smtp.wait_for(1)) == 1


def test_a_retry_audits_the_attempts_it_gave_up_and_happens_once(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    mailer.settings.delivery_max_attempts = {Kind.EMAIL: 1}
    smtp.stop()
    message_id = queue(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(dead=1)
    smtp.start()
    retry_delivery(mailer, message_id, actor="test")
    with mailer.sessions() as session:
        details = session.scalars(
            select(AuditEntry.details).where(
                AuditEntry.object_id == message_id, AuditEntry.action == "delivery.retried"
            )
        ).all()
    assert [d["attempts"] for d in details] == [1]
