"""Collected fields reach the Client's webhook, signed, retried until acknowledged."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Delivery
from pledge.delivery import DeliveryReport, Kind
from pledge.jobs import deliver
from tests.service_data.conftest import SECRET, Receiver, body_json, conversation, make_client
from tests.web.conftest import auth


def _make_due(pledge: Pledge) -> None:
    with pledge.transaction() as session:
        session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def deliver_webhooks(pledge: Pledge) -> DeliveryReport:
    return deliver(pledge, [Kind.CLIENT_WEBHOOK])


def test_delivery_is_signed_and_carries_only_collected_fields(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url)
    posted = client.post(
        "/api/v1/service/conversations", json=conversation("c-9"), headers=auth(acme.key)
    ).json()
    assert posted["forwarded"] is True
    assert deliver_webhooks(pledge).sent == 1
    (post,) = receiver.received
    headers = post["headers"]
    expected = hmac.new(
        SECRET.encode(), f"{headers['x-pledge-timestamp']}.".encode() + post["body"], hashlib.sha256
    ).hexdigest()
    assert headers["x-pledge-signature"] == f"sha256={expected}"
    body = body_json(post)
    assert body["collected"] == posted["collected"]
    assert body["customer"] == {"id": "c-9"}
    assert "turns" not in body
    listed = client.get("/api/v1/service/deliveries", headers=auth(acme.key)).json()["deliveries"]
    assert [d["status"] for d in listed] == ["delivered"]


def test_failing_client_gets_it_later_exactly_once(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    acme = make_client(pledge, "Acme", receiver.url)
    client.post("/api/v1/service/conversations", json=conversation(), headers=auth(acme.key))
    assert deliver_webhooks(pledge).retried == 1
    assert deliver_webhooks(pledge).sent == 0  # not due yet: backoff
    _make_due(pledge)
    assert deliver_webhooks(pledge).retried == 1
    _make_due(pledge)
    assert deliver_webhooks(pledge).sent == 1
    _make_due(pledge)
    assert deliver_webhooks(pledge).sent == 0
    assert len(receiver.received) == 1
    (row,) = client.get("/api/v1/service/deliveries", headers=auth(acme.key)).json()["deliveries"]
    assert row["attempts"] == 3
    assert row["status"] == "delivered"


def test_unreachable_client_keeps_the_delivery(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme", "http://127.0.0.1:9/unreachable")
    client.post("/api/v1/service/conversations", json=conversation(), headers=auth(acme.key))
    report = deliver_webhooks(pledge)
    assert report.retried == 1
    (row,) = client.get("/api/v1/service/deliveries", headers=auth(acme.key)).json()["deliveries"]
    assert row["status"] == "retrying"
    assert row["attempts"] == 1
    assert "last_status" not in row, "the Client never reads what its endpoint answered"


def test_restriction_stops_forwarding(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url)
    client.post("/api/v1/service/conversations", json=conversation("r-1"), headers=auth(acme.key))
    restrict = {"type": "restriction", "customer": {"id": "r-1"}}
    result = client.post("/api/v1/service/requests", json=restrict, headers=auth(acme.key)).json()
    assert result["deliveries_cancelled"] == 1
    again = client.post(
        "/api/v1/service/conversations", json=conversation("r-1"), headers=auth(acme.key)
    ).json()
    assert again["forwarded"] is False
    assert again["restricted"] is True
    assert deliver_webhooks(pledge).sent == 0
    assert receiver.received == []


def test_erasure_deletes_everything_of_the_customer(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url)
    first = client.post(
        "/api/v1/service/conversations", json=conversation("e-1"), headers=auth(acme.key)
    ).json()
    erase = {"type": "erasure", "customer": {"id": "e-1"}}
    result = client.post("/api/v1/service/requests", json=erase, headers=auth(acme.key)).json()
    assert result["status"] == "completed"
    assert result["conversations_deleted"] == 1
    assert result["deliveries_cancelled"] == 1
    url = f"/api/v1/service/conversations/{first['id']}"
    assert client.get(url, headers=auth(acme.key)).status_code == 404
    access = {"type": "access", "customer": {"id": "e-1"}}
    assert (
        client.post("/api/v1/service/requests", json=access, headers=auth(acme.key)).json()[
            "conversations"
        ]
        == []
    )
    # The same customer may come back later: a new, unlinked record.
    back = client.post(
        "/api/v1/service/conversations", json=conversation("e-1"), headers=auth(acme.key)
    )
    assert back.status_code == 201
    assert pledge.verify_audit().ok
