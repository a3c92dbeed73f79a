"""A webhook receiver that fails every other request: everything arrives, the books agree.

One receiver stands for a Client's webhook and for a recipient's notice
endpoint. It fails every other POST, starting with the first: either with a
503, or by reading the POST and dropping the connection without an answer
(the receiver saw it, Pledge cannot know). Conversations are ingested and
erasures fulfilled through the API meanwhile, and delivery passes run until
nothing is pending.

What it proves: every delivery is acknowledged (2xx) exactly once; the only
repeats a receiver sees are of a delivery it never acknowledged, under the
same ``X-Pledge-Delivery`` id; the engine's attempt count equals the POSTs
the receiver saw; and the outbox, the Client's view, the notices, the
request timelines and the audit trail all say the same thing.
"""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.access import create_api_key
from pledge.core import Pledge
from pledge.db.models import Delivery, RecipientNotice, RequestEvent, WebhookDelivery
from pledge.delivery import Kind
from pledge.jobs import deliver
from pledge.web.app import create_app
from tests.delivery.conftest import make_due
from tests.faults.conftest import HOOKED, Receiver, audit_count
from tests.faults.people import prepare
from tests.integration.smtp_server import SmtpServer
from tests.service_data.conftest import conversation, make_client
from tests.web.conftest import auth

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONVERSATIONS = 20
ERASURES = 4
HOOKS = [Kind.CLIENT_WEBHOOK, Kind.RECIPIENT_NOTICE]


def hook_deliveries(pledge: Pledge) -> list[Delivery]:
    with pledge.sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind.in_(HOOKS))))


@pytest.mark.parametrize("failure", ["503", "drop"])
def test_a_flapping_webhook_gets_everything_once_and_the_states_agree(
    hooked: Pledge, smtp: SmtpServer, receiver: Receiver, failure: str
) -> None:
    hooked.settings.webhook_deadline_seconds = 5
    receiver.flapping = failure
    acme = make_client(hooked, "Acme", receiver.url)
    key = create_api_key(hooked, name="faults", role="system")[1]
    passes = 0
    with TestClient(create_app(hooked), raise_server_exceptions=False) as web:
        for n in range(CONVERSATIONS):
            answer = web.post(
                "/api/v1/service/conversations",
                json=conversation(f"customer-{n}"),
                headers=auth(acme.key),
            )
            assert answer.status_code == 201, answer.text
            if n % (CONVERSATIONS // ERASURES) == 0:  # erasures arrive while the receiver flaps
                erasure = prepare(web, hooked, smtp, key, n)
                done = web.post(
                    f"/api/v1/requests/{erasure.request_id}/verify",
                    json={"code": erasure.code},
                    headers=auth(erasure.token),
                )
                assert done.json()["status"] == "completed", done.text
            report = deliver(hooked, HOOKS)
            assert (report.dead, report.lost) == (0, 0), report
            passes += 1
        while any(row.status == "pending" for row in hook_deliveries(hooked)):
            assert passes < 40, "a flapping receiver still gets everything in a few passes"
            make_due(hooked)  # the back-off, waited out
            report = deliver(hooked, HOOKS)
            assert (report.dead, report.lost) == (0, 0), report
            passes += 1

    rows = hook_deliveries(hooked)
    ids = {row.id for row in rows}
    kinds = Counter(row.kind for row in rows)
    assert kinds == {Kind.CLIENT_WEBHOOK: CONVERSATIONS, Kind.RECIPIENT_NOTICE: ERASURES}
    assert {row.status for row in rows} == {"sent"}
    acknowledged = Counter(receiver.acknowledged())
    assert set(acknowledged) == ids, "every delivery arrived"
    assert set(acknowledged.values()) == {1}, "and was acknowledged once"
    seen = Counter(receiver.all_ids())
    assert all(row.attempts == seen[row.id] for row in rows), "attempts = POSTs received"
    assert any(row.attempts > 1 for row in rows), "the receiver did flap"

    with hooked.sessions() as session:
        views = {v.id: v for v in session.scalars(select(WebhookDelivery))}
        notices = {n.id: n for n in session.scalars(select(RecipientNotice))}
        told = Counter(
            session.scalars(
                select(RequestEvent.request_id).where(RequestEvent.event == "recipient_notified")
            )
        )
    for row in rows:
        if row.kind == Kind.CLIENT_WEBHOOK:
            view = views[row.id]
            assert (view.status, view.attempts, view.last_status) == (
                "delivered",
                row.attempts,
                "204",
            )
            assert audit_count(hooked, "service.webhook_delivered", row.id) == 1
        else:
            notice = notices[row.id]
            assert (notice.status, notice.attempts) == ("sent", row.attempts)
            assert notice.recipient_id == HOOKED
            assert told[notice.request_id] == 1, "one recipient_notified step per request"
    assert audit_count(hooked, "service.webhook_failed") == 0
    assert hooked.verify_audit().ok
