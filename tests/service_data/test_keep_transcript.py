"""Service Data keeps less (issue #16, point 5): the redacted transcript only on request.

By default a Client's conversation is stored as its collected fields alone: no turn text,
redacted or not, in the conversation row, the queued webhook body or anywhere else. With
``keep_transcript: true`` the redacted turns are stored and forwarded as before. The POST
answer carries the redacted turns either way. Both databases.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, Client, Conversation, Delivery, ServiceCustomer
from pledge.delivery import Kind, read_payload
from pledge.jobs import deliver
from pledge.service_data.retention import expire_conversations
from pledge.settings import Settings
from tests.integration.test_cli import run
from tests.service_data.conftest import Receiver, body_json, conversation, make_client
from tests.web.conftest import auth

WORD = "zorblaxian"
"""A word no detector redacts: it survives in the redacted turns, so any copy of them shows."""
TABLES = ("conversations", "outbox", "webhook_deliveries", "audit_entries")


def _talk(customer: str = "cust-1") -> dict[str, Any]:
    body = conversation(customer)
    body["turns"].append(
        {"speaker": "customer", "text": f"Also the dishwasher makes a quiet {WORD} hum."}
    )
    return body


def _post(client: TestClient, key: str, customer: str = "cust-1") -> dict[str, Any]:
    response = client.post("/api/v1/service/conversations", json=_talk(customer), headers=auth(key))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    assert WORD in " ".join(turn["text"] for turn in answer["turns"])  # the answer has them
    return answer


def _sealed_content(pledge: Pledge, conversation_id: str) -> dict[str, Any]:
    """The conversation row's ciphertext column, opened with its customer's key."""
    with pledge.sessions() as session:
        row = session.get(Conversation, conversation_id)
        assert row is not None
        customer = session.get(ServiceCustomer, row.customer_id)
        assert customer is not None
        assert customer.wrapped_key is not None
        data_key = pledge.keys.unwrap(customer.wrapped_key, f"service-customer:{customer.id}")
        content: dict[str, Any] = pledge.keys.decrypt_json(
            data_key, row.ciphertext, f"conversation:{row.id}"
        )
    return content


def _queued_bodies(pledge: Pledge) -> list[dict[str, Any]]:
    """Every webhook body the outbox holds, opened."""
    with pledge.sessions() as session:
        rows = session.scalars(
            select(Delivery).where(
                Delivery.kind == Kind.CLIENT_WEBHOOK, Delivery.payload.is_not(None)
            )
        ).all()
        return [_as_json(read_payload(pledge.keys, row, session)) for row in rows]


def _as_json(content: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(content) if isinstance(content, str) else content
    return result


def _table_text(pledge: Pledge, tables: Iterable[str]) -> str:
    """Every column of every row of these tables, as text (bytes in hex too)."""
    parts: list[str] = []
    with pledge.sessions() as session:
        for table in tables:
            for row in session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        parts += [raw.decode("latin-1"), raw.hex()]
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


def test_by_default_no_turn_text_is_stored_or_queued(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url)
    answer = _post(client, acme.key)
    content = _sealed_content(pledge, answer["id"])
    assert content == {"collected": answer["collected"]}
    (queued,) = _queued_bodies(pledge)
    assert "turns" not in queued
    assert WORD not in str(queued)
    assert queued["collected"] == answer["collected"]
    assert WORD not in str(content)
    assert WORD not in _table_text(pledge, TABLES)
    assert WORD.encode().hex() not in _table_text(pledge, TABLES)
    assert _audited_kept(pledge) == [False]


def test_keep_transcript_stores_and_queues_the_redacted_turns(
    pledge: Pledge, client: TestClient, receiver: Receiver
) -> None:
    acme = make_client(pledge, "Acme", receiver.url, keep_transcript=True)
    answer = _post(client, acme.key)
    content = _sealed_content(pledge, answer["id"])
    assert content == {"collected": answer["collected"], "turns": answer["turns"]}
    assert "Maria Gonzalez" not in str(content)  # still redacted
    (queued,) = _queued_bodies(pledge)
    assert queued["turns"] == answer["turns"]
    assert _audited_kept(pledge) == [True]


def test_instructions_stored_before_the_key_keep_no_transcript(
    pledge: Pledge, client: TestClient
) -> None:
    """A Client registered before ``keep_transcript`` existed has no such key stored."""
    acme = make_client(pledge, "Acme")
    with pledge.transaction() as session:
        row = session.get(Client, acme.id)
        assert row is not None
        row.instructions = {k: v for k, v in row.instructions.items() if k != "keep_transcript"}
    answer = _post(client, acme.key)
    assert _sealed_content(pledge, answer["id"]) == {"collected": answer["collected"]}


def _audited_kept(pledge: Pledge) -> list[bool]:
    with pledge.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "service.conversation_stored")
        ).all()
    return [entry.details["transcript_kept"] for entry in entries]


def test_get_answers_empty_turns_when_not_kept(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme")
    answer = _post(client, acme.key)
    stored = client.get(f"/api/v1/service/conversations/{answer['id']}", headers=auth(acme.key))
    assert stored.status_code == 200
    shown = stored.json()
    assert shown["turns"] == []
    assert shown["transcript_kept"] is False
    assert shown["collected"] == answer["collected"]
    assert set(shown) == {
        "id",
        "channel",
        "created_at",
        "retain_until",
        "collected",
        "turns",
        "transcript_kept",
    }


def test_get_answers_the_redacted_turns_when_kept(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme", keep_transcript=True)
    answer = _post(client, acme.key)
    shown = client.get(
        f"/api/v1/service/conversations/{answer['id']}", headers=auth(acme.key)
    ).json()
    assert shown["turns"] == answer["turns"]
    assert shown["transcript_kept"] is True


@pytest.mark.parametrize("keep", [False, True])
def test_the_webhook_carries_turns_only_when_kept(
    pledge: Pledge, client: TestClient, receiver: Receiver, keep: bool
) -> None:
    acme = make_client(pledge, "Acme", receiver.url, keep_transcript=keep)
    answer = _post(client, acme.key, "c-9")
    assert deliver(pledge, [Kind.CLIENT_WEBHOOK]).sent == 1
    (post,) = receiver.received
    body = body_json(post)
    fields = {"event", "conversation_id", "customer", "channel", "collected", "created_at"}
    assert set(body) == (fields | {"turns"} if keep else fields)
    assert body["collected"] == answer["collected"]
    assert body["customer"] == {"id": "c-9"}
    if keep:
        assert body["turns"] == answer["turns"]
    else:
        assert "turns" not in body
        assert WORD.encode() not in post["body"]


@pytest.mark.parametrize("keep", [False, True])
def test_client_requests_work_in_both_modes(
    pledge: Pledge, client: TestClient, receiver: Receiver, keep: bool
) -> None:
    acme = make_client(pledge, "Acme", receiver.url, keep_transcript=keep)
    answer = _post(client, acme.key, "c-7")
    url = "/api/v1/service/requests"
    access = {"type": "access", "customer": {"id": "c-7"}}
    (held,) = client.post(url, json=access, headers=auth(acme.key)).json()["conversations"]
    assert held["id"] == answer["id"]
    assert held["collected"] == answer["collected"]
    assert held["transcript_kept"] is keep
    assert held["turns"] == (answer["turns"] if keep else [])
    restrict = {"type": "restriction", "customer": {"id": "c-7"}}
    restricted = client.post(url, json=restrict, headers=auth(acme.key)).json()
    assert restricted["deliveries_cancelled"] == 1
    later = client.post(
        "/api/v1/service/conversations", json=_talk("c-7"), headers=auth(acme.key)
    ).json()
    assert later["forwarded"] is False
    assert _sealed_content(pledge, later["id"]).keys() == (
        {"collected", "turns"} if keep else {"collected"}
    )
    erase = {"type": "erasure", "customer": {"id": "c-7"}}
    erased = client.post(url, json=erase, headers=auth(acme.key)).json()
    assert erased["conversations_deleted"] == 2
    gone = client.get(f"/api/v1/service/conversations/{answer['id']}", headers=auth(acme.key))
    assert gone.status_code == 404


@pytest.mark.parametrize("keep", [False, True])
def test_retention_expires_conversations_in_both_modes(
    pledge: Pledge, client: TestClient, keep: bool
) -> None:
    acme = make_client(pledge, "Acme", keep_transcript=keep)
    _post(client, acme.key)
    assert expire_conversations(pledge, now=utcnow() + timedelta(days=91)) == 1
    with pledge.sessions() as session:
        assert session.scalars(select(Conversation)).all() == []


@pytest.mark.parametrize("value", ["true", 1, "yes", None, [True]])
def test_the_admin_api_refuses_a_non_boolean_naming_the_field(
    client: TestClient, admin_key: str, value: Any
) -> None:
    body = {
        "name": "Initech",
        "instructions": {
            "collect": [{"field": "phone", "kind": "PHONE"}],
            "retention_days": 30,
            "keep_transcript": value,
        },
    }
    response = client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key))
    assert response.status_code == 422, response.text
    fields = response.json()["error"]["fields"]
    assert "valid boolean" in fields["instructions.keep_transcript"]


def test_the_admin_api_lists_keep_transcript(client: TestClient, admin_key: str) -> None:
    body = {
        "name": "Initech",
        "instructions": {
            "collect": [{"field": "phone", "kind": "PHONE"}],
            "retention_days": 30,
            "keep_transcript": True,
        },
    }
    assert client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key)).is_success
    (listed,) = client.get("/api/v1/admin/clients", headers=auth(admin_key)).json()["clients"]
    assert listed["instructions"]["keep_transcript"] is True


def test_the_cli_takes_true_and_refuses_a_non_boolean_naming_the_field(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "instructions.yaml"
    base = "collect:\n  - field: phone\n    kind: PHONE\nretention_days: 30\n"
    create = ("clients", "create", "--instructions", str(path), "--name")
    path.write_text(base + "keep_transcript: true\n")
    result = run(settings, *create, "Acme")
    assert result.returncode == 0, result.stderr
    for value in ('"sometimes"', "yes", "1"):
        path.write_text(base + f"keep_transcript: {value}\n")
        result = run(settings, *create, "Globex")
        assert result.returncode == 1, result.stdout
        assert f"{path}:5 keep_transcript" in result.stderr
        assert "valid boolean" in result.stderr
