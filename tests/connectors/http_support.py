"""The example processor (real HTTP, a real SQLite file) and stub servers, for the HTTP tests.

Stubs stand in only where the example processor is well behaved by design:
a processor that hangs, answers garbage, answers too much, or records what it
was sent.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from examples.processor import Processor, connect, make_server

from pledge.connectors.http import HttpConnector
from pledge.connectors.spec import SystemsFile, SystemSpec

SECRET = "s3cret-" + "x" * 40

CRM_YAML = """
systems:
  crm:
    kind: http
    url_env: CRM_URL
    secret_env: CRM_SECRET
    recipient: crm_vendor
    timeout_seconds: 5
    collections:
      contacts:
        primary_key: id
        identity: {email: email, phone: phone, crm_contact_id: id}
        fields:
          email: {category: identification}
          name: {category: identification}
          phone: {category: contact_details}
      notes:
        primary_key: id
        references: {contact_id: contacts.id}
        fields:
          text: {category: correspondence, erase: delete}
"""

ADA = {"email": frozenset({"ada@example.org"})}

CONTACTS = [
    (1, "ada@example.org", "Ada Lovelace", "+442071234567", "Engines Ltd"),
    (2, "grace@example.org", "Grace Hopper", "+12025550143", "Compilers Inc"),
    (3, "ada.work@example.org", "A. Lovelace", "+442071234567", "Engines Ltd"),
]
NOTES = [(1, 1, "prefers e-mail"), (2, 3, "met at the fair"), (3, 2, "call on Mondays")]


def crm_spec(yaml_text: str = CRM_YAML, **changes: Any) -> SystemSpec:
    spec = SystemsFile.model_validate(yaml.safe_load(yaml_text)).systems["crm"]
    return spec.model_copy(update=changes) if changes else spec


def seed(db: Path) -> None:
    with connect(db) as conn:
        conn.executemany(
            "INSERT INTO contacts (id, email, name, phone, company) VALUES (?, ?, ?, ?, ?)",
            CONTACTS,
        )
        conn.executemany("INSERT INTO notes (id, contact_id, text) VALUES (?, ?, ?)", NOTES)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with connect(db) as conn:
        return list(conn.execute(sql))


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve in a thread; yields the base URL; shuts down after."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Crm:
    """A running example processor over ``db``."""

    url: str
    db: Path
    processor: Processor

    def connector(
        self, spec: SystemSpec | None = None, secret: str = SECRET, **options: Any
    ) -> HttpConnector:
        return connector_at(self.url, spec, secret, **options)


def connector_at(
    url: str, spec: SystemSpec | None = None, secret: str = SECRET, **options: Any
) -> HttpConnector:
    """A connector named ``crm`` (the CRM's declaration unless ``spec``) to ``url``."""
    return HttpConnector("crm", spec or crm_spec(), url, secret, **options)


@contextmanager
def running_crm(db: Path, **options: Any) -> Iterator[Crm]:
    processor = Processor(db, SECRET, **options)
    seed(db)
    with serving(make_server(processor)) as url:
        yield Crm(url, db, processor)


Reply = tuple[int, bytes]


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True
    reply: Callable[[dict[str, str], bytes], Reply]

    def handle_error(self, request: object, client_address: object) -> None:
        """A client gone before the answer (the deadline tests) is expected here."""


class _StubHandler(BaseHTTPRequestHandler):
    server: _StubServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, data = self.server.reply(headers, body)
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def stub(reply: Callable[[dict[str, str], bytes], Reply]) -> Iterator[str]:
    """A server answering every POST with ``reply(headers, body)``."""
    server = _StubServer(("127.0.0.1", 0), _StubHandler)
    server.reply = reply
    with serving(server) as url:
        yield url


@contextmanager
def recorder(
    answer: Any = None, *, refuse_first: bool = False
) -> Iterator[tuple[str, queue.Queue[tuple[dict[str, str], bytes]]]]:
    """A stub that records ``(headers, body)`` of each POST and answers 200 with ``answer``;
    ``refuse_first``: the first POST gets a 503 (a receiver that recovers)."""
    received: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()

    def reply(headers: dict[str, str], body: bytes) -> Reply:
        refused = refuse_first and received.empty()
        received.put((headers, body))
        return (503 if refused else 200), json.dumps(answer).encode()

    with stub(reply) as url:
        yield url, received


@contextmanager
def hanging() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        listener.close()


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
