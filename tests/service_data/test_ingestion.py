"""Ingestion over HTTP: collect what was instructed, redact the rest, keep no raw text."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, Conversation
from pledge.service_data.retention import expire_conversations
from tests.service_data.conftest import conversation, make_client
from tests.web.conftest import auth

RAW_VALUES = ("Maria Gonzalez", "maria.gonzalez@example.net", "4111 1111 1111 1111", "555-0143")


def _database_bytes(pledge: Pledge) -> bytes:
    path = pledge.settings.sqlite_path()
    if path is not None:
        pledge.engine.dispose()
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    url = pledge.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run(["pg_dump", url], capture_output=True, check=True, timeout=120).stdout


def test_collects_instructed_fields_and_redacts_the_rest(
    pledge: Pledge, client: TestClient
) -> None:
    acme = make_client(pledge, "Acme")
    response = client.post(
        "/api/v1/service/conversations", json=conversation(), headers=auth(acme.key)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["collected"] == {"account_number": "4417229081", "callback_phone": "+16175550143"}
    text = " ".join(turn["text"] for turn in body["turns"])
    for value in RAW_VALUES:
        assert value not in text
    assert "[EMAIL]" in text
    assert "[CREDIT_CARD]" in text
    assert "[PERSON]" in text
    assert [t["speaker"] for t in body["turns"]][:2] == ["agent", "customer"]
    stored = client.get(f"/api/v1/service/conversations/{body['id']}", headers=auth(acme.key))
    assert stored.status_code == 200
    assert stored.json()["turns"] == []  # kept only with keep_transcript: true
    assert stored.json()["collected"] == body["collected"]
    assert set(stored.json()) == {
        "id",
        "channel",
        "created_at",
        "retain_until",
        "collected",
        "turns",
        "transcript_kept",
    }
    created = datetime.fromisoformat(stored.json()["created_at"])
    assert stored.json()["created_at"] == created.isoformat()  # "+00:00", as it always was


def test_raw_transcript_and_customer_id_are_never_stored(
    pledge: Pledge, client: TestClient
) -> None:
    acme = make_client(pledge, "Acme")
    client.post(
        "/api/v1/service/conversations",
        json=conversation("customer-id-zx81"),
        headers=auth(acme.key),
    )
    raw = _database_bytes(pledge)
    for value in (*RAW_VALUES, "customer-id-zx81", "4417 2290 81", "4417229081"):
        assert value.encode() not in raw


def test_invalid_conversations_are_refused_whole(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme")
    bad = conversation(channel="fax")
    response = client.post("/api/v1/service/conversations", json=bad, headers=auth(acme.key))
    assert response.status_code == 422
    assert "channel" in response.json()["error"]["fields"]
    missing = {"channel": "chat", "customer": {"id": "c"}, "turns": []}
    response = client.post("/api/v1/service/conversations", json=missing, headers=auth(acme.key))
    assert response.status_code == 422
    with pledge.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_a_field_failing_its_pattern_is_not_collected(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme")
    body = conversation()
    body["turns"][3]["text"] = "My account number is 12"
    response = client.post("/api/v1/service/conversations", json=body, headers=auth(acme.key))
    assert "account_number" not in response.json()["collected"]


def test_ingestion_is_audited_without_values(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme")
    client.post("/api/v1/service/conversations", json=conversation(), headers=auth(acme.key))
    with pledge.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "service.conversation_stored")
        ).one()
    assert entry.details["collected_fields"] == ["account_number", "callback_phone"]
    assert "4417" not in repr(entry.details)
    assert pledge.verify_audit().ok


def test_retention_deletes_expired_conversations(pledge: Pledge, client: TestClient) -> None:
    acme = make_client(pledge, "Acme")
    posted = client.post(
        "/api/v1/service/conversations", json=conversation(), headers=auth(acme.key)
    ).json()
    assert expire_conversations(pledge, now=utcnow() + timedelta(days=89)) == 0
    assert expire_conversations(pledge, now=utcnow() + timedelta(days=91)) == 1
    response = client.get(f"/api/v1/service/conversations/{posted['id']}", headers=auth(acme.key))
    assert response.status_code == 404
