"""The CRM's endpoint: one POST per action, signed by Pledge, answered once per idempotency key.

Why the answer is stored with the action, in the same transaction: a retry of a
request Pledge already sent (same ``idempotency_key``) gets the very answer the
first one got and changes nothing, even when the first answer was lost on the
way; and the key is never remembered for an action that did not happen.

With ``callbacks`` on, erase/rectify/restrict are answered ``202`` with a
reference at once and done shortly after in a thread, whose result is posted,
signed, to the ``callback_url`` Pledge gave, retried a few times with back-off.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from examples.processor import store
from examples.processor.signing import is_signed, signed_headers

MAX_BODY_BYTES = 8 * 1024 * 1024
"""A hand-over carries a résumé (2 MB at most on Pledge's careers form) in base64."""
ACTIONS = frozenset(
    {"identities", "export", "erase", "rectify", "restrict", "describe", "hand_over"}
)
WRITES = frozenset({"erase", "rectify", "restrict", "hand_over"})
"""Actions that change the store: their answers (counts) are kept by idempotency key."""
LATER = frozenset({"erase", "rectify", "restrict"})
"""Actions answered 202 and done later when ``callbacks`` is on."""

log = logging.getLogger("examples.processor")


@dataclass(frozen=True)
class Request:
    """A request that passed the signature check and has the protocol's shape."""

    action: str
    identities: dict[str, list[str]]
    key: str
    corrections: dict[str, str] = field(default_factory=dict)
    callback_url: str | None = None
    hand_over: tuple[str, str, dict[str, Any]] | None = None
    """``hand_over``: (kind, reference, fields)."""


class Processor:
    """The protocol over one SQLite file; ``handle`` is the whole endpoint."""

    def __init__(
        self,
        db: Path,
        secret: str,
        *,
        callbacks: bool = False,
        callback_delay: float = 0.2,
        callback_attempts: int = 5,
    ) -> None:
        self.db = db
        self.secret = secret
        self.callbacks = callbacks
        self.callback_delay = callback_delay
        self.callback_attempts = callback_attempts
        self._lock = threading.Lock()
        store.create_schema(db)

    def handle(self, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """``(status, JSON answer)`` for one POST; ``headers`` with lower-case names."""
        if not is_signed(self.secret, headers, body):
            return 401, {"error": "bad or stale signature"}
        request = parse_request(body)
        if request is None:
            return 400, {"error": "not a request of the protocol"}
        if request.hand_over is not None:
            problem = store.hand_over_problem(request.hand_over[0], request.hand_over[2])
            if problem is not None:  # refused, and its key not remembered: nothing happened
                return 422, {"error": problem}
        with self._lock, store.connect(self.db) as conn:
            stored = conn.execute(
                "SELECT status, body FROM answers WHERE idempotency_key = ?", (request.key,)
            ).fetchone()
            if stored is not None:
                return int(stored[0]), cast(dict[str, Any], json.loads(stored[1]))
            if self.callbacks and request.action in LATER and request.callback_url:
                status, answer = 202, {"status": "accepted", "reference": uuid.uuid4().hex}
            else:
                status, answer = 200, act(conn, request)
            # A write's answer (counts only) is kept so a retry acts once; a read's is not
            # kept (it holds the person's data): its key is, so a replay is refused.
            kept = answer if request.action in WRITES else {"error": "this key was used"}
            conn.execute(
                "INSERT INTO answers (idempotency_key, status, body) VALUES (?, ?, ?)",
                (request.key, status if request.action in WRITES else 409, json.dumps(kept)),
            )
        if status == 202:
            later = threading.Thread(
                target=self._finish_later, args=(request, answer["reference"]), daemon=True
            )
            later.start()
        return status, answer

    def _finish_later(self, request: Request, reference: str) -> None:
        """Do the accepted action, then post its signed result to the callback URL."""
        time.sleep(self.callback_delay)
        with self._lock, store.connect(self.db) as conn:
            answer = act(conn, request)
        result = {
            "reference": reference,
            "action": request.action,
            "idempotency_key": request.key,
            **answer,
        }
        body = json.dumps(result).encode()
        assert request.callback_url is not None
        for attempt in range(self.callback_attempts):
            if self._post(request.callback_url, body, reference):
                return
            time.sleep(0.2 * 2**attempt)
        log.warning("callback %s not delivered after %d attempts", reference, attempt + 1)

    def _post(self, url: str, body: bytes, reference: str) -> bool:
        headers = signed_headers(self.secret, body, reference)
        post = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(post, timeout=5) as answer:  # noqa: S310 (http(s) only)
                return 200 <= int(answer.status) < 300
        except (urllib.error.URLError, OSError):
            return False


def act(conn: Any, request: Request) -> dict[str, Any]:
    """Do the action on the person's rows (found by the identities) and say what it did."""
    if request.action == "describe":
        return {"collections": store.DESCRIPTION, "hand_over": store.HAND_OVERS}
    if request.hand_over is not None:
        return store.take(conn, *request.hand_over)
    ids = store.find(conn, request.identities)
    if request.action == "identities":
        return store.identities(conn, ids)
    if request.action == "export":
        return store.export(conn, ids)
    if request.action == "erase":
        return store.erase(conn, ids)
    if request.action == "rectify":
        return store.rectify(conn, ids, request.corrections)
    return store.restrict(conn, ids)


def parse_request(body: bytes) -> Request | None:
    """The request, or None when it is not the protocol's JSON shape."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("action") not in ACTIONS:
        return None
    key, identities = data.get("idempotency_key"), data.get("identities", {})
    corrections, callback = data.get("corrections", {}), data.get("callback_url")
    if not (isinstance(key, str) and key) or not _string_lists(identities):
        return None
    if not _strings(corrections) or not (callback is None or _http_url(callback)):
        return None
    hand_over = None
    if data["action"] == "hand_over":
        kind, reference, fields = data.get("kind"), data.get("reference"), data.get("fields")
        if not (isinstance(kind, str) and isinstance(reference, str) and reference):
            return None
        if not _scalars(fields) or len(reference) > 200:
            return None
        hand_over = (kind, reference, cast(dict[str, Any], fields))
    return Request(data["action"], identities, key, corrections, callback, hand_over)


def _string_lists(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
    )


def _strings(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _scalars(value: object) -> bool:
    return isinstance(value, dict) and all(
        v is None or isinstance(v, str | int | float | bool) for v in value.values()
    )


def _http_url(value: object) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    processor: Processor

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, the exception's class only: a traceback could show a request's data."""
        log.warning("request failed: %s", type(sys.exc_info()[1]).__name__)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        declared = self.headers.get("content-length") or "0"
        length = int(declared) if declared.isascii() and declared.isdigit() else -1
        if length < 0:
            self._answer(400, {"error": "content-length must be a number of bytes"})
            return
        if length > MAX_BODY_BYTES:
            self._answer(413, {"error": "request too large"})
            return
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, answer = self.server.processor.handle(headers, body)
        self._answer(status, answer)

    def _answer(self, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """The request line and status only: bodies (personal data) are never logged."""
        log.info(format, *args)


def make_server(processor: Processor, host: str = "127.0.0.1", port: int = 0) -> _Server:
    """A threaded HTTP server for ``processor`` (port 0: any free port; see ``server_port``)."""
    server = _Server((host, port), _Handler)
    server.processor = processor
    return server
