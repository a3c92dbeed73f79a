"""Mail through the outbox and the delivery engine to a real SMTP server, on both databases."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, OutboxMessage
from pledge.delivery.smtp import parse_smtp_url
from pledge.errors import ConfigurationError
from pledge.jobs import DeliveryReport, deliver_outbox
from pledge.mail import queue_mail, read_mail
from tests.integration.smtp_server import SmtpServer

TO = "wilhelmina.quartermaine@example.org"
SUBJECT = "Your verification code"
BODY = "Your code is 482917. It expires in 30 minutes."


def queue(pledge: Pledge, to: str = TO, template: str = "verification_code") -> str:
    with pledge.transaction() as session:
        message = queue_mail(
            session, pledge.keys, to=to, subject=SUBJECT, body=BODY, template=template
        )
    return message.id


def outbox_row(pledge: Pledge, message_id: str) -> OutboxMessage:
    with pledge.sessions() as session:
        row = session.get(OutboxMessage, message_id)
    assert row is not None
    return row


def make_due(pledge: Pledge) -> None:
    with pledge.transaction() as session:
        session.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def audit_actions(pledge: Pledge, message_id: str) -> list[str]:
    with pledge.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_id == message_id)
                .order_by(AuditEntry.id)
            )
        )


def test_mail_of_a_rolled_back_transaction_is_never_sent(mailer: Pledge, smtp: SmtpServer) -> None:
    def change_that_fails() -> None:
        with mailer.transaction() as session:
            queue_mail(session, mailer.keys, to=TO, subject=SUBJECT, body=BODY, template="t")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert deliver_outbox(mailer) == DeliveryReport()
    with mailer.sessions() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
    assert smtp.received == []


def test_committed_mail_is_delivered(mailer: Pledge, smtp: SmtpServer) -> None:
    message_id = queue(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(sent=1)
    (received,) = smtp.wait_for(1)
    assert received.rcpt_tos == [TO]
    assert received.message["To"] == TO
    assert received.message["Subject"] == SUBJECT
    assert received.message["From"] == "Privacy Team <privacy@pledge.example>"
    assert received.message["Message-ID"] == f"<{message_id}@pledge.example>"
    assert received.body.strip() == BODY
    row = outbox_row(mailer, message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert row.sent_at is not None
    assert audit_actions(mailer, message_id) == ["mail.queued", "mail.sent"]
    assert deliver_outbox(mailer) == DeliveryReport()
    assert len(smtp.received) == 1


def test_html_alternative_and_extra_headers(mailer: Pledge, smtp: SmtpServer) -> None:
    with mailer.transaction() as session:
        queue_mail(
            session,
            mailer.keys,
            to=TO,
            subject=SUBJECT,
            body=BODY,
            html="<p>Your code is <b>482917</b></p>",
            headers={"Reply-To": "dpo@pledge.example"},
            template="verification_code",
        )
    deliver_outbox(mailer)
    (received,) = smtp.wait_for(1)
    assert received.message["Reply-To"] == "dpo@pledge.example"
    html = received.message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<b>482917</b>" in str(html.get_content())


def test_server_down_delays_mail_and_it_goes_out_once_when_back(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    smtp.stop()
    message_id = queue(mailer)
    before = utcnow()
    assert deliver_outbox(mailer) == DeliveryReport(retried=1)
    row = outbox_row(mailer, message_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at >= before + timedelta(seconds=14), "30 s less up to half: jitter"
    assert row.last_error is not None
    assert TO not in row.last_error

    smtp.start()
    assert deliver_outbox(mailer) == DeliveryReport(), "not due yet: backoff is respected"
    make_due(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(sent=1)
    assert deliver_outbox(mailer) == DeliveryReport()
    assert len(smtp.wait_for(1)) == 1
    row = outbox_row(mailer, message_id)
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_down_server_stops_the_pass_after_one_attempt(mailer: Pledge, smtp: SmtpServer) -> None:
    smtp.stop()
    ids = [queue(mailer) for _ in range(3)]
    assert deliver_outbox(mailer) == DeliveryReport(retried=1)
    attempts = sorted(outbox_row(mailer, message_id).attempts for message_id in ids)
    assert attempts == [0, 0, 1]


def test_refused_recipient_goes_dead_at_once(mailer: Pledge, smtp: SmtpServer) -> None:
    smtp.refused.add(TO)
    message_id = queue(mailer)
    assert deliver_outbox(mailer) == DeliveryReport(dead=1)
    row = outbox_row(mailer, message_id)
    assert (row.status, row.attempts) == ("dead", 1)
    assert row.last_error is not None
    assert "550" in row.last_error
    assert TO not in row.last_error
    assert audit_actions(mailer, message_id) == ["mail.queued", "mail.failed"]
    make_due(mailer)
    assert deliver_outbox(mailer) == DeliveryReport()


def test_without_smtp_url_mail_stays_in_the_outbox(
    pledge: Pledge, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pledge")
    message_id = queue(pledge)
    assert deliver_outbox(pledge) == DeliveryReport(held=1)
    assert deliver_outbox(pledge) == DeliveryReport(held=1)
    row = outbox_row(pledge, message_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert caplog.text.count(message_id) == 1, "each held message is logged once"
    assert TO not in caplog.text

    pledge.settings.smtp_url = smtp.url
    assert deliver_outbox(pledge) == DeliveryReport(sent=1)
    assert smtp.wait_for(1)[0].rcpt_tos == [TO]


def test_payload_is_encrypted_at_rest(pledge: Pledge) -> None:
    message_id = queue(pledge)
    with pledge.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT payload FROM outbox WHERE id = :id"), {"id": message_id}
        ).scalar_one()
    blob = bytes(raw)
    for secret in (TO, "482917", SUBJECT):
        assert secret.encode() not in blob
    content = read_mail(pledge.keys, outbox_row(pledge, message_id))
    assert (content.to, content.subject, content.body) == (TO, SUBJECT, BODY)


def test_logs_hold_no_personal_data(
    mailer: Pledge, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    refused = "refused.person@example.org"
    smtp.refused.add(refused)
    queue(mailer)
    queue(mailer, to=refused)
    deliver_outbox(mailer)
    smtp.stop()
    queue(mailer)
    deliver_outbox(mailer)
    mailer.settings.smtp_url = None
    deliver_outbox(mailer)
    # Every logger but the test SMTP server's own ("mail.log"), which sees the addresses.
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r}"
        for record in caplog.records
        if not record.name.startswith("mail.log")
    )
    assert "kept in the outbox" in logged
    for secret in (TO, refused, "482917", BODY, SUBJECT):
        assert secret not in logged


@pytest.mark.postgres
def test_concurrent_deliveries_send_each_mail_once(mailer: Pledge, smtp: SmtpServer) -> None:
    if mailer.settings.is_sqlite:
        pytest.skip("SKIP LOCKED leases are PostgreSQL's; SQLite runs one in-process worker")
    ids = {queue(mailer, to=f"person{i}@example.org") for i in range(30)}
    barrier = threading.Barrier(3)
    reports: list[DeliveryReport] = []

    def deliver() -> None:
        barrier.wait()
        reports.append(deliver_outbox(mailer))

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(report.sent for report in reports) == 30
    received = smtp.wait_for(30)
    assert sorted(r.message["Message-ID"].split("@")[0].strip("<") for r in received) == sorted(ids)
    assert len(reports) == 3


def test_parse_smtp_url() -> None:
    plain = parse_smtp_url("smtp://127.0.0.1:2525")
    assert (plain.scheme, plain.host, plain.port, plain.username) == (
        "smtp",
        "127.0.0.1",
        2525,
        None,
    )
    secure = parse_smtp_url("smtps://user%40x:p%2Fw@mail.example")
    assert (secure.port, secure.username, secure.password) == (465, "user@x", "p/w")
    assert parse_smtp_url("smtp+starttls://mail.example").port == 587
    with pytest.raises(ConfigurationError):
        parse_smtp_url("http://mail.example")
