"""Clients, their keys, and a real HTTP server standing in for a Client's webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from pledge.core import Pledge
from pledge.service_data.clients import create_client
from pledge.service_data.instructions import Instructions
from tests.integration.http_server import running_http_server

SECRET = "webhook-secret-for-tests-0123456789abcdef"
LOCAL_HOSTS = "127.0.0.1"
"""Receivers in tests listen on loopback over plain http: PLEDGE_WEBHOOK_ALLOW_HOSTS."""


@dataclass
class Receiver:
    """Collects webhook posts; answers ``fail_next`` times with 500 before accepting."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                failing = receiver.fail_next > 0
                receiver.fail_next -= 1 if failing else 0
                if not failing:
                    receiver.received.append(
                        {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                    )
            self.send_response(500 if failing else 204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_http_server() as (server, base):
        receiver = Receiver(url=f"{base}/pledge")
        server.RequestHandlerClass = _handler(receiver)
        yield receiver


def instructions(webhook_url: str | None = None, **extra: Any) -> Instructions:
    data: dict[str, Any] = {
        "collect": [
            {"field": "account_number", "kind": "ACCOUNT_ID", "pattern": r"[A-Z0-9]{4,16}"},
            {"field": "callback_phone", "kind": "PHONE"},
        ],
        "retention_days": 90,
        **extra,
    }
    if webhook_url:
        data |= {"webhook_url": webhook_url, "webhook_secret": SECRET}
    return Instructions.model_validate(data)


@dataclass(frozen=True)
class ClientKeys:
    id: str
    key: str


def make_client(
    pledge: Pledge, name: str, webhook_url: str | None = None, **extra: Any
) -> ClientKeys:
    """A Client with the test instructions; ``extra`` adds keys (``keep_transcript=True``)."""
    if webhook_url:
        pledge.settings.webhook_allow_hosts = LOCAL_HOSTS
    client_id, key = create_client(
        pledge, name=name, instructions=instructions(webhook_url, **extra), actor="test"
    )
    return ClientKeys(client_id, key)


def conversation(customer: str = "cust-1", **extra: Any) -> dict[str, Any]:
    return {
        "channel": "chat",
        "customer": {"id": customer},
        "turns": [
            {"speaker": "agent", "text": "Hi, thanks for contacting Contoso. How can I help?"},
            {
                "speaker": "customer",
                "text": "Hi, my name is Maria Gonzalez and I was double charged.",
            },
            {"speaker": "agent", "text": "Sorry to hear that. What is your account number?"},
            {"speaker": "customer", "text": "My account number is 4417 2290 81"},
            {"speaker": "agent", "text": "And a good callback number and email?"},
            {
                "speaker": "customer",
                "text": "Call me at (617) 555-0143 or write to maria.gonzalez@example.net. "
                "The card was 4111 1111 1111 1111.",
            },
        ],
        **extra,
    }


def body_json(post: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(post["body"])
    return result
