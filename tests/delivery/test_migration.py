"""Migration 0011 on both databases: old mail and Client webhook rows join the one outbox."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import inspect, select

from pledge.core import Pledge
from pledge.db.base import UTCDateTime, utcnow
from pledge.db.migrate import downgrade, upgrade
from pledge.db.models import Delivery, WebhookDelivery
from pledge.delivery import DeliveryReport, Kind, MailContent
from pledge.jobs import deliver
from pledge.mail import read_mail
from tests.delivery.conftest import TO, Hook, queue, queue_webhook
from tests.service_data.conftest import make_client

OLD_OUTBOX = sa.table(
    "outbox",
    *(sa.column(name) for name in ("id", "kind", "template", "status", "attempts")),
    sa.column("payload", sa.LargeBinary()),
    sa.column("last_error"),
    *(sa.column(name, UTCDateTime()) for name in ("next_attempt_at", "created_at", "sent_at")),
)
OLD_WEBHOOKS = sa.table(
    "webhook_deliveries",
    *(sa.column(name) for name in ("id", "client_id", "conversation_id", "customer_id")),
    *(sa.column(name) for name in ("status", "attempts", "last_status")),
    sa.column("payload", sa.LargeBinary()),
    *(sa.column(name, UTCDateTime()) for name in ("next_attempt_at", "created_at")),
    sa.column("delivered_at", UTCDateTime()),
)
BODY = '{"collected":{"account_number":"A1234"},"event":"conversation.collected"}'


def test_0011_moves_webhook_deliveries_into_the_outbox(pledge: Pledge, hook: Hook) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    downgrade(pledge.engine, "0010")
    keys, now = pledge.keys, utcnow()
    mail = MailContent(to=TO, subject="Code", body="Your code is 123456")
    with pledge.engine.begin() as conn:
        for message_id, status in (("m-pending", "pending"), ("m-failed", "failed")):
            conn.execute(
                OLD_OUTBOX.insert().values(
                    id=message_id,
                    kind="email",
                    template="verification_code",
                    status=status,
                    attempts=1 if status == "failed" else 0,
                    payload=keys.encrypt_system(mail.to_json(), f"outbox:{message_id}"),
                    last_error="recipient refused: server replied 550"
                    if status == "failed"
                    else None,
                    next_attempt_at=now,
                    created_at=now,
                    sent_at=None,
                )
            )
        for webhook_id, status in (("w-pending", "pending"), ("w-delivered", "delivered")):
            pending = status == "pending"
            conn.execute(
                OLD_WEBHOOKS.insert().values(
                    id=webhook_id,
                    client_id=acme.id,
                    conversation_id="c-1",
                    customer_id="cu-1",
                    status=status,
                    attempts=2 if pending else 1,
                    last_status="503" if pending else "204",
                    payload=keys.encrypt_system(BODY, f"webhook:{webhook_id}") if pending else None,
                    next_attempt_at=now - timedelta(seconds=1),
                    created_at=now,
                    delivered_at=None if pending else now,
                )
            )
    upgrade(pledge.engine)

    columns = {c["name"] for c in inspect(pledge.engine).get_columns("webhook_deliveries")}
    assert "payload" not in columns, "the body lives in the outbox only"
    with pledge.sessions() as session:
        rows = {row.id: row for row in session.scalars(select(Delivery))}
    assert {i: (r.kind, r.status) for i, r in rows.items()} == {
        "m-pending": ("email", "pending"),
        "m-failed": ("email", "dead"),
        "w-pending": ("client_webhook", "pending"),
        "w-delivered": ("client_webhook", "sent"),
    }
    assert read_mail(keys, rows["m-pending"]).to == TO, "old mail still opens"
    moved = rows["w-pending"]
    assert (moved.target, moved.attempts, moved.last_error) == (acme.id, 2, "503")
    assert rows["w-delivered"].payload is None

    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=1)
    (post,) = hook.posts
    assert post["body"] == BODY.encode(), "the very body queued before the upgrade"
    assert post["headers"]["x-pledge-delivery"] == "w-pending"
    with pledge.sessions() as session:
        view = session.get(WebhookDelivery, "w-pending")
    assert view is not None
    assert (view.status, view.attempts) == ("delivered", 3)


def test_0011_downgrades_and_upgrades_again(pledge: Pledge, hook: Hook) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    queue(pledge)
    webhook_id = queue_webhook(pledge, acme.id)
    downgrade(pledge.engine, "0010")
    with pledge.engine.connect() as conn:
        payload = conn.execute(
            sa.text("SELECT payload FROM webhook_deliveries WHERE id = :id"), {"id": webhook_id}
        ).scalar_one()
        kinds = conn.execute(sa.text("SELECT kind FROM outbox")).scalars().all()
    assert payload is not None, "the body goes back where the old code looks for it"
    assert kinds == ["email"]
    upgrade(pledge.engine)
    with pledge.sessions() as session:
        assert {r.kind for r in session.scalars(select(Delivery))} == {"email", "client_webhook"}
