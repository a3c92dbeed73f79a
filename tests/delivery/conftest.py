"""A webhook receiver that can refuse, hold a connection, or drip its answer; and queue helpers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from sqlalchemy import update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Delivery
from pledge.mail import queue_mail
from pledge.service_data.forwarding import queue_forwarding
from tests.integration.http_server import running_http_server

TO = "ottoline.fairweather@example.org"
DRIP_INTERVAL = 0.25


@dataclass
class Hook:
    """Records acknowledged POSTs; ``statuses`` answer in turn (204 once they run out).

    ``hold_next`` makes the next POST wait, unanswered, until ``release`` is set
    (``holding`` says it arrived); a POST to ``/drip-headers`` or ``/drip-body``
    gets its answer one byte every :data:`DRIP_INTERVAL` seconds.
    """

    base: str
    statuses: list[int] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    hold_next: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    dripping: threading.Event = field(default_factory=threading.Event)
    """Set when a dripped answer starts; setting ``release`` ends the drip early."""
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"{self.base}/hook"

    def delivery_ids(self) -> list[str]:
        with self.lock:
            return [post["headers"]["x-pledge-delivery"] for post in self.posts]


def _handler(hook: Hook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if self.path.startswith("/drip"):
                self._drip(self.path == "/drip-headers")
                return
            with hook.lock:
                held, hook.hold_next = hook.hold_next, False
            if held:
                hook.holding.set()
                hook.release.wait(60)
                self.close_connection = True
                return
            with hook.lock:
                status = hook.statuses.pop(0) if hook.statuses else 204
                if 200 <= status < 300:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    hook.posts.append({"path": self.path, "headers": headers, "body": body})
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def _drip(self, in_headers: bool) -> None:
            head = b"HTTP/1.1 200 OK\r\ncontent-length: 400\r\n\r\n"
            answer = head + b"." * 400
            start = 0 if in_headers else len(head)
            hook.dripping.set()
            try:
                self.wfile.write(answer[:start])
                for index in range(start, len(answer)):
                    if hook.release.is_set():
                        break
                    self.wfile.write(answer[index : index + 1])
                    self.wfile.flush()
                    time.sleep(DRIP_INTERVAL)
            except OSError:
                pass  # the client gave up: that is the point
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def hook() -> Iterator[Hook]:
    with running_http_server() as (server, base):
        server.daemon_threads = True
        receiver = Hook(base)
        server.RequestHandlerClass = _handler(receiver)
        yield receiver
        receiver.release.set()


def queue(pledge: Pledge, to: str = TO, template: str = "test") -> str:
    with pledge.transaction() as session:
        message = queue_mail(
            session, pledge.keys, to=to, subject="Hi", body="Body", template=template
        )
    return message.id


def queue_webhook(pledge: Pledge, client_id: str, n: int = 0) -> str:
    """A Client webhook delivery as ingestion queues one (made-up conversation and customer)."""
    with pledge.transaction() as session:
        return queue_forwarding(
            pledge,
            session,
            client_id=client_id,
            conversation_id=f"conversation-{n}",
            customer_id=f"customer-{n}",
            body={"event": "conversation.collected", "n": n},
            now=utcnow(),
        )


def make_due(pledge: Pledge) -> None:
    with pledge.transaction() as session:
        session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def delivery(pledge: Pledge, delivery_id: str) -> Delivery:
    with pledge.sessions() as session:
        row = session.get(Delivery, delivery_id)
    assert row is not None
    return row
