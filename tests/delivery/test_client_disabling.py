"""Disabling a Client withdraws its undelivered webhooks, and none is sent after it.

Issue #11 leftover: a disabled Client's queued webhooks (its customers' collected fields)
still went out once its endpoint answered, and a worker that had already taken one posted
it. Both databases (the ``pledge`` fixture), a real HTTP receiver.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.access import enable_client
from pledge.core import Pledge
from pledge.db.models import AuditEntry, Delivery, WebhookDelivery
from pledge.delivery import DeliveryReport, Kind, retry_policy
from pledge.delivery.lease import claim, record
from pledge.delivery.run import attempt
from pledge.jobs import deliver, retry_delivery
from pledge.jobs.delivery import channels
from pledge.service_data.client_state import disable_client
from tests.delivery.conftest import Hook, delivery, queue_webhook
from tests.service_data.conftest import make_client
from tests.web.conftest import auth


def _posted_clients(hook: Hook, pledge: Pledge) -> list[str]:
    with pledge.sessions() as session:
        return [
            session.get(WebhookDelivery, delivery_id).client_id  # type: ignore[union-attr]
            for delivery_id in hook.delivery_ids()
        ]


def _disabled_audit(pledge: Pledge, client_id: str) -> dict[str, object]:
    with pledge.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "client.disabled", AuditEntry.object_id == client_id
            )
        ).one()
    return dict(entry.details or {})


def test_disabling_cancels_queued_and_dead_webhooks_with_a_reason_and_a_count(
    pledge: Pledge, hook: Hook
) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    other = make_client(pledge, "Other", hook.url)
    sent = queue_webhook(pledge, acme.id, 0)
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=1)
    queued = [queue_webhook(pledge, acme.id, n) for n in (1, 2)]
    dead = queue_webhook(pledge, acme.id, 3)
    with pledge.transaction() as session:
        session.execute(update(Delivery).where(Delivery.id == dead).values(status="dead"))
    kept = queue_webhook(pledge, other.id, 4)

    assert disable_client(pledge, acme.id, actor="test") == 3

    for delivery_id in [*queued, dead]:
        row = delivery(pledge, delivery_id)
        assert (row.status, row.payload, row.last_error) == ("cancelled", None, "client_disabled")
        with pledge.sessions() as session:
            view = session.get(WebhookDelivery, delivery_id)
        assert view is not None
        assert (view.status, view.last_status) == ("cancelled", "client_disabled")
    assert delivery(pledge, sent).status == "sent"
    assert delivery(pledge, kept).status == "pending"
    assert _disabled_audit(pledge, acme.id) == {"webhooks_cancelled": 3}

    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(sent=1)
    assert _posted_clients(hook, pledge) == [acme.id, other.id]  # the one sent before, then Other

    enable_client(pledge, acme.id, actor="test")
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(), "nothing comes back"
    assert delivery(pledge, queued[0]).status == "cancelled"


def test_a_webhook_a_worker_already_took_is_not_sent_after_the_client_is_disabled(
    pledge: Pledge, hook: Hook
) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    delivery_id = queue_webhook(pledge, acme.id)
    claimed = claim(pledge, Kind.CLIENT_WEBHOOK, lease=timedelta(minutes=5), max_attempts=10)
    assert claimed is not None
    taken, payload = claimed
    assert taken.id == delivery_id

    assert disable_client(pledge, acme.id, actor="test") == 1  # the leased one too

    (webhooks,) = channels(pledge, [Kind.CLIENT_WEBHOOK])
    outcome = attempt(pledge, webhooks, taken, payload)  # the worker carries on
    assert (outcome.result, outcome.code) == ("dead", "client_disabled")
    assert hook.posts == []
    policy = retry_policy(pledge.settings, Kind.CLIENT_WEBHOOK)
    assert record(pledge, webhooks, taken, outcome, policy) is None, "its lease is gone"
    row = delivery(pledge, delivery_id)
    assert (row.status, row.last_error) == ("cancelled", "client_disabled")


def test_a_webhook_queued_for_a_disabled_client_is_refused_at_sending(
    pledge: Pledge, hook: Hook
) -> None:
    """Queued after the disabling (another process still trusting the key from its cache,
    or a dead letter revived by hand): the worker refuses it, as a dead letter with a reason."""
    acme = make_client(pledge, "Acme", hook.url)
    disable_client(pledge, acme.id, actor="test")
    late = queue_webhook(pledge, acme.id, 1)
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(dead=1)
    assert hook.posts == []
    row = delivery(pledge, late)
    assert row.status == "dead"
    assert row.last_error is not None
    assert "disabled" in row.last_error
    retry_delivery(pledge, late, actor="test")
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]) == DeliveryReport(dead=1)
    assert hook.posts == []


def test_the_admin_api_says_how_many_were_cancelled(
    pledge: Pledge, client: TestClient, admin_key: str, hook: Hook
) -> None:
    acme = make_client(pledge, "Acme", hook.url)
    for n in range(2):
        queue_webhook(pledge, acme.id, n)
    response = client.post(f"/api/v1/admin/clients/{acme.id}/disable", headers=auth(admin_key))
    assert response.status_code == 200
    assert response.json() == {"id": acme.id, "state": "disabled", "webhooks_cancelled": 2}
