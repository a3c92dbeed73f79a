"""Customer ids are the Client's, indexed verbatim; restrictions hold for customers not yet seen.

Issue #11, item 8: ``C-1001`` and ``c-1001 `` were folded into one customer, so
access returned the other's data and erasure destroyed it. Item 13: restricting an
unknown or erased customer answered ``restricted: true`` and stored nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.core import Pledge
from pledge.db.migrate import downgrade, upgrade
from pledge.db.models import ServiceCustomer
from pledge.jobs import deliver
from pledge.service_data.customers import customer_index, legacy_customer_index
from tests.service_data.conftest import Receiver, conversation, make_client
from tests.web.conftest import auth


def _post(client: TestClient, key: str, customer: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/service/conversations", json=conversation(customer), headers=auth(key)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _request(client: TestClient, key: str, kind: str, customer: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/service/requests",
        json={"type": kind, "customer": {"id": customer}},
        headers=auth(key),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_ids_differing_in_case_or_spaces_are_two_customers(
    pledge: Pledge, client: TestClient
) -> None:
    acme = make_client(pledge, "Acme")
    upper = _post(client, acme.key, "C-1001")["id"]
    lower = _post(client, acme.key, "c-1001 ")["id"]
    seen = _request(client, acme.key, "access", "C-1001")["conversations"]
    assert [c["id"] for c in seen] == [upper]
    erased = _request(client, acme.key, "erasure", "c-1001 ")
    assert erased["conversations_deleted"] == 1
    assert [c["id"] for c in _request(client, acme.key, "access", "C-1001")["conversations"]] == [
        upper
    ]
    assert (
        client.get(f"/api/v1/service/conversations/{lower}", headers=auth(acme.key)).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/service/conversations/{upper}", headers=auth(acme.key)).status_code
        == 200
    )


def _make_legacy(pledge: Pledge, client_id: str, customer: str) -> str:
    """Turn the customer's row into one indexed the way it was before migration 0013."""
    keys = pledge.keys
    with pledge.transaction() as session:
        row = session.scalars(
            select(ServiceCustomer).where(
                ServiceCustomer.customer_index == customer_index(keys, client_id, customer)
            )
        ).one()
        row.customer_index = legacy_customer_index(keys, client_id, customer)
        row.legacy_index = True
        return row.id


def test_legacy_rows_keep_their_folded_index_and_take_no_new_conversations(
    pledge: Pledge, client: TestClient
) -> None:
    acme = make_client(pledge, "Acme")
    old = _post(client, acme.key, "C-2002")["id"]
    legacy_id = _make_legacy(pledge, acme.id, "C-2002")
    new = _post(client, acme.key, "c-2002 ")["id"]  # a different spelling after the upgrade
    with pledge.sessions() as session:
        rows = session.scalars(
            select(ServiceCustomer).where(ServiceCustomer.client_id == acme.id)
        ).all()
    assert len(rows) == 2, "the new spelling got a row of its own, not the legacy one"
    # Before the upgrade both spellings reached the legacy row; they still reach what
    # was stored then, but each reaches only its own new conversations.
    seen = {c["id"] for c in _request(client, acme.key, "access", "C-2002")["conversations"]}
    assert seen == {old}
    seen = {c["id"] for c in _request(client, acme.key, "access", "c-2002 ")["conversations"]}
    assert seen == {old, new}
    erased = _request(client, acme.key, "erasure", "C-2002")
    assert erased["conversations_deleted"] == 1
    with pledge.sessions() as session:
        legacy = session.get(ServiceCustomer, legacy_id)
    assert legacy is not None
    assert legacy.wrapped_key is None
    assert [c["id"] for c in _request(client, acme.key, "access", "c-2002 ")["conversations"]] == [
        new
    ]


def test_a_restricted_legacy_row_restricts_the_new_row(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url)
    _post(client, acme.key, "C-3003")
    _make_legacy(pledge, acme.id, "C-3003")
    with pledge.transaction() as session:
        session.execute(update(ServiceCustomer).values(restricted_at=ServiceCustomer.created_at))
    later = _post(client, acme.key, "c-3003")
    assert later["restricted"] is True
    assert later["forwarded"] is False


def test_migration_0013_marks_existing_customers_legacy(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme")
    _post(client, acme.key, "before-upgrade")
    downgrade(pledge.engine, "0011")
    upgrade(pledge.engine)
    with pledge.sessions() as session:
        flags = session.scalars(select(ServiceCustomer.legacy_index)).all()
    assert flags == [True]
    after = _post(client, acme.key, "after-upgrade")
    assert after["id"]
    with pledge.sessions() as session:
        flags = session.scalars(
            select(ServiceCustomer.legacy_index).order_by(ServiceCustomer.created_at)
        ).all()
    assert flags == [True, False]


def test_restricting_an_unknown_customer_holds_their_later_conversations(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url)
    answer = _request(client, acme.key, "restriction", "never-seen")
    assert answer["restricted"] is True
    assert answer["known"] is False
    later = _post(client, acme.key, "never-seen")
    assert later["restricted"] is True
    assert later["forwarded"] is False
    assert deliver(pledge).sent == 0
    assert receiver.received == []
    again = _request(client, acme.key, "restriction", "never-seen")
    assert again["known"] is True
    other = _post(client, acme.key, "someone-else")
    assert other["forwarded"] is True


def test_restricting_an_erased_customer_holds_their_return(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url)
    _post(client, acme.key, "gone-1")
    erased = _request(client, acme.key, "erasure", "gone-1")
    assert erased["known"] is True
    assert _request(client, acme.key, "restriction", "gone-1")["known"] is False
    back = _post(client, acme.key, "gone-1")
    assert back["forwarded"] is False
    assert back["restricted"] is True
    assert pledge.verify_audit().ok
