"""Clients never see each other's data: every route, one by one (both databases)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.service_data.conftest import conversation, make_client
from tests.web.conftest import auth
from tests.web.test_records_api import contact_record


@pytest.fixture
def two_clients(pledge: Pledge, client: TestClient) -> tuple[str, str, str]:
    acme = make_client(pledge, "Acme")
    globex = make_client(pledge, "Globex")
    posted = client.post(
        "/api/v1/service/conversations", json=conversation("shared-id"), headers=auth(acme.key)
    )
    return acme.key, globex.key, posted.json()["id"]


def test_get_conversation_is_404_for_another_client(
    client: TestClient, two_clients: tuple[str, str, str]
) -> None:
    acme, globex, conversation_id = two_clients
    url = f"/api/v1/service/conversations/{conversation_id}"
    assert client.get(url, headers=auth(acme)).status_code == 200
    other = client.get(url, headers=auth(globex))
    assert other.status_code == 404
    unknown = client.get("/api/v1/service/conversations/nope", headers=auth(globex))
    assert other.json() == unknown.json()


def test_requests_reach_only_the_callers_customers(
    client: TestClient, two_clients: tuple[str, str, str]
) -> None:
    acme, globex, conversation_id = two_clients
    body = {"type": "access", "customer": {"id": "shared-id"}}
    assert (
        client.post("/api/v1/service/requests", json=body, headers=auth(globex)).json()[
            "conversations"
        ]
        == []
    )
    erase = {"type": "erasure", "customer": {"id": "shared-id"}}
    result = client.post("/api/v1/service/requests", json=erase, headers=auth(globex)).json()
    assert result["conversations_deleted"] == 0
    url = f"/api/v1/service/conversations/{conversation_id}"
    assert client.get(url, headers=auth(acme)).status_code == 200
    mine = client.post("/api/v1/service/requests", json=body, headers=auth(acme)).json()
    assert [c["id"] for c in mine["conversations"]] == [conversation_id]


def test_deliveries_list_only_the_callers(
    pledge: Pledge, client: TestClient, two_clients: tuple[str, str, str]
) -> None:
    _acme, globex, _ = two_clients
    assert client.get("/api/v1/service/deliveries", headers=auth(globex)).json() == {
        "deliveries": []
    }


def test_client_keys_reach_only_service_routes(
    client: TestClient, two_clients: tuple[str, str, str]
) -> None:
    acme, _globex, _ = two_clients
    assert (
        client.post("/api/v1/records", json=contact_record(), headers=auth(acme)).status_code == 403
    )
    assert client.get("/api/v1/admin/clients", headers=auth(acme)).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/service/conversations"),
        ("get", "/api/v1/service/conversations/x"),
        ("post", "/api/v1/service/requests"),
        ("get", "/api/v1/service/deliveries"),
    ],
)
def test_service_routes_need_a_client_key(
    client: TestClient, system_key: str, admin_key: str, method: str, path: str
) -> None:
    kwargs = {"json": conversation()} if method == "post" else {}
    assert getattr(client, method)(path, **kwargs).status_code == 401
    for key in (system_key, admin_key):
        assert getattr(client, method)(path, headers=auth(key), **kwargs).status_code == 403
