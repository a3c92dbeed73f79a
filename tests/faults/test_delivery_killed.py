"""A worker SIGKILLed sending a mail, a Client webhook or a notice: never lost, at most resent.

The child process runs one delivery pass and is killed once it has claimed
the delivery (lease committed, nothing sent), once the receiver has
acknowledged it but before the outcome is recorded, inside the recording
transaction before its COMMIT, and once the outcome is committed. The parent
then waits out the dead worker's lease and runs a pass of its own. In every
case the delivery ends ``sent``, its audit entry is written once, and a
receiver that got it twice (killed after sending) got the same delivery id
both times: the SMTP ``Message-ID`` or the ``X-Pledge-Delivery`` header.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.access import create_api_key
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import RecipientNotice, RequestEvent, WebhookDelivery
from pledge.delivery import DeliveryReport, Kind
from pledge.jobs import deliver
from pledge.web.app import create_app
from tests.delivery.conftest import delivery, queue, queue_webhook
from tests.faults.conftest import HOOKED, Receiver, audit_count, run_child
from tests.faults.people import prepare
from tests.integration.smtp_server import SmtpServer
from tests.service_data.conftest import make_client
from tests.web.conftest import auth

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

POINTS = ["deliver:claimed", "deliver:sent", "deliver:recording", "deliver:recorded"]
SENT_BEFORE_THE_KILL = {"deliver:sent", "deliver:recording", "deliver:recorded"}
SENT_AUDIT = {Kind.EMAIL: "mail.sent", Kind.CLIENT_WEBHOOK: "service.webhook_delivered"}


def received_ids(kind: str, smtp: SmtpServer, receiver: Receiver) -> list[str]:
    """The delivery id of everything the receiver accepted, duplicates included."""
    if kind == Kind.EMAIL:
        with smtp.lock:
            return [m.message["Message-ID"].strip("<>").split("@")[0] for m in smtp.received]
    return receiver.acknowledged()


def wait_out_the_lease(pledge: Pledge, delivery_id: str) -> None:
    row = delivery(pledge, delivery_id)
    assert row.lease_until is not None, "the dead worker's lease is still on the delivery"
    time.sleep(max((row.lease_until - utcnow()).total_seconds(), 0) + 0.1)


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("kind", [Kind.EMAIL, Kind.CLIENT_WEBHOOK])
def test_a_delivery_whose_worker_is_killed_is_delivered_never_lost(
    mailer: Pledge, smtp: SmtpServer, receiver: Receiver, kind: str, point: str
) -> None:
    mailer.settings.delivery_lease_seconds = 4  # outlasts the parent's first look, when loaded
    mailer.settings.webhook_deadline_seconds = 1
    if kind == Kind.EMAIL:
        delivery_id = queue(mailer)
    else:
        delivery_id = queue_webhook(mailer, make_client(mailer, "Acme", receiver.url).id)

    run = run_child(mailer, "deliver", kind, kill=point)
    assert run.killed, f"the worker was not killed: {run.returncode} {run.stderr}"
    before = received_ids(kind, smtp, receiver)
    assert before == ([delivery_id] if point in SENT_BEFORE_THE_KILL else [])

    row = delivery(mailer, delivery_id)
    if point == "deliver:recorded":
        assert (row.status, row.attempts) == ("sent", 1)
        assert deliver(mailer, [kind]) == DeliveryReport()
    else:
        # The claim counted an attempt; nothing after it was committed.
        assert (row.status, row.attempts) == ("pending", 1)
        assert deliver(mailer, [kind]) == DeliveryReport(), "still leased by the dead worker"
        wait_out_the_lease(mailer, delivery_id)
        assert deliver(mailer, [kind]) == DeliveryReport(sent=1)

    after = received_ids(kind, smtp, receiver)
    assert set(after) == {delivery_id}, "the same id every time"
    expected = 1 if point in ("deliver:claimed", "deliver:recorded") else 2
    assert len(after) == expected, after
    row = delivery(mailer, delivery_id)
    assert (row.status, row.lease_token) == ("sent", None)
    assert audit_count(mailer, SENT_AUDIT[kind], delivery_id) == 1
    if kind == Kind.CLIENT_WEBHOOK:
        with mailer.sessions() as session:
            view = session.get(WebhookDelivery, delivery_id)
        assert view is not None
        assert view.status == "delivered"
    assert deliver(mailer, [kind]) == DeliveryReport(), "nothing left to send"
    assert mailer.verify_audit().ok


@pytest.mark.parametrize("point", POINTS)
def test_a_recipient_notice_whose_worker_is_killed_is_told_once_on_the_timeline(
    hooked: Pledge, smtp: SmtpServer, receiver: Receiver, point: str
) -> None:
    """The notice's callback writes the request's timeline in the recording transaction."""
    hooked.settings.delivery_lease_seconds = 4
    hooked.settings.webhook_deadline_seconds = 1
    key = create_api_key(hooked, name="faults", role="system")[1]
    with TestClient(create_app(hooked), raise_server_exceptions=False) as web:
        erasure = prepare(web, hooked, smtp, key, 1)
        done = web.post(
            f"/api/v1/requests/{erasure.request_id}/verify",
            json={"code": erasure.code},
            headers=auth(erasure.token),
        )
        assert done.json()["status"] == "completed", done.text
    with hooked.sessions() as session:
        (notice_id,) = session.scalars(
            select(RecipientNotice.id).where(
                RecipientNotice.request_id == erasure.request_id,
                RecipientNotice.recipient_id == HOOKED,
            )
        )

    run = run_child(hooked, "deliver", Kind.RECIPIENT_NOTICE, kill=point)
    assert run.killed, f"the worker was not killed: {run.returncode} {run.stderr}"
    if point != "deliver:recorded":
        wait_out_the_lease(hooked, notice_id)
    deliver(hooked, [Kind.RECIPIENT_NOTICE])

    acknowledged = receiver.acknowledged()
    assert set(acknowledged) == {notice_id}
    assert len(acknowledged) == (1 if point in ("deliver:claimed", "deliver:recorded") else 2)
    with hooked.sessions() as session:
        notice = session.get(RecipientNotice, notice_id)
        told = session.scalars(
            select(RequestEvent.event).where(
                RequestEvent.request_id == erasure.request_id,
                RequestEvent.event == "recipient_notified",
            )
        ).all()
    assert notice is not None
    assert notice.status == "sent"
    assert delivery(hooked, notice_id).status == "sent"
    assert len(told) == 1, "the timeline says it once"
    assert hooked.verify_audit().ok
