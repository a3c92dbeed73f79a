"""Text that cannot be stored or shown is refused once, at the edge, before any route.

Lone surrogates (``"\\ud800"`` in JSON) decode into Python strings that no
UTF-8 encoder accepts: stored in a record, they broke that person's package
for good; in a ``match`` value, a Client name or a CSRF field they raised
deep inside a route. C0 and C1 control characters (tab, line feed and carriage
return excepted) have no place in any field either, and PostgreSQL refuses
NUL. This middleware answers 422 naming each offending field
(``{"error": {"code": "validation_failed", "fields": {"data.note": "..."}}}``)
when the path, a query parameter, a JSON body (keys and values, however
deeply nested) or a URL-encoded form holds such text. Multipart forms are
checked field by field where they are read (:func:`pledge.web.deps.form_fields`).

Bodies are buffered once (the size limit, outside this middleware, has bounded
them) and scanned as bytes first: almost every body is plain ASCII without a
backslash and is passed on after a single C-speed pass; only a body with a
suspicious byte or escape is decoded to find the exact field. Large bodies are
scanned in a worker thread so the event loop never waits on them.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pledge.validation import UNNAMED, text_problem, text_problems

# Every printable ASCII byte but the backslash, and tab, line feed, carriage return:
# what is left of a body after deleting these needs a closer look.
_PLAIN = bytes(b for b in range(0x20, 0x7F) if b != ord("\\")) + b"\t\n\r"
_SUSPECT = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # a raw C0 control byte, or DEL
    rb"|\xc2[\x80-\x9f]"  # a C1 control character in UTF-8
    rb"|\xed[\xa0-\xbf]"  # a surrogate encoded in (invalid) UTF-8
    rb"|\\[bf]"  # JSON's backspace and form-feed escapes
    rb"|\\u(?:00[01]|007f|008|009|d[89a-f])",  # an escaped control or surrogate
    re.IGNORECASE,
)
SCAN_IN_THREAD = 256 * 1024
FORM = b"application/x-www-form-urlencoded"
MULTIPART = b"multipart/"
MESSAGE = "the request holds text that is not accepted"


def suspicious(body: bytes) -> bool:
    """Whether ``body`` may hold refused text (no false negatives; rare false positives)."""
    rest = body.translate(None, _PLAIN)
    return bool(rest) and _SUSPECT.search(body) is not None


def json_problems(body: bytes) -> dict[str, str]:
    """The refused text of a JSON body, by field path; {} when none (or when it is not JSON)."""
    if not suspicious(body):
        return {}
    data: Any
    try:
        data = json.loads(body)
    except ValueError:
        try:  # raw control characters inside strings: find them anyway
            data = json.loads(body, strict=False)
        except ValueError:
            return {}  # not JSON: the route's own parser answers 422
    return text_problems(data)


def form_problems(body: bytes) -> dict[str, str]:
    """The refused text of a URL-encoded form, decoded as Starlette decodes it."""
    problems: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        name_problem = text_problem(name)
        problem = name_problem or text_problem(value)
        if problem:
            problems["(a field name)" if name_problem else name or UNNAMED] = problem
    return problems


def url_problems(scope: Scope) -> dict[str, str]:
    problems: dict[str, str] = {}
    problem = text_problem(scope.get("path", ""))
    if problem:
        problems["path"] = problem
    query = scope.get("query_string", b"")
    if query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            name_problem = text_problem(name)
            problem = name_problem or text_problem(value)
            if problem:
                problems["query" if name_problem or not name else f"query.{name}"] = problem
    return problems


class TextGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = url_problems(scope)
        if problems:
            await _refuse(send, problems)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        has_body = (length is not None and length != b"0") or b"transfer-encoding" in headers
        content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        if not has_body or content_type.startswith(MULTIPART):
            await self.app(scope, receive, send)
            return
        body, last = await _read_body(receive)
        if last is not None:  # the client went away mid-body
            await self.app(scope, _replay(body, last, receive), send)
            return
        check = form_problems if content_type == FORM else json_problems
        problems = (
            await run_in_threadpool(check, body) if len(body) > SCAN_IN_THREAD else check(body)
        )
        if problems:
            await _refuse(send, problems)
            return
        await self.app(scope, _replay(body, None, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, or what came before a disconnect (and that message)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, last: Message | None, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if last is None:
                return {"type": "http.request", "body": body, "more_body": False}
        if last is not None:
            return last
        return await receive()

    return replay


async def _refuse(send: Send, problems: dict[str, str]) -> None:
    payload = {"error": {"code": "validation_failed", "message": MESSAGE, "fields": problems}}
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
