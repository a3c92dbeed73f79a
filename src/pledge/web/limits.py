"""A body-size limit applied before any parsing, so a huge upload costs nothing.

Three sizes, chosen by who is calling, and the caller is known before any
byte beyond the smallest size is read:

- anyone: ``PLEDGE_MAX_PUBLIC_BODY_BYTES`` (request intake, forms, sign-in),
  or ``PLEDGE_MAX_BODY_BYTES`` if that is smaller;
- a valid API or Client key: ``PLEDGE_MAX_BODY_BYTES``;
- a valid key of the right role on a path that takes more (the marketing
  filter's send list, ``PLEDGE_MAX_SEND_LIST_BYTES``, system keys only).

The key is checked only when a body would pass the smallest size: from the
declared ``Content-Length``, or while a body without one streams in. A key in
the cache costs nothing; any other is looked up in the database in a thread.
An ``Authorization`` header alone, valid or not, raises nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pledge.access import Principal

PrincipalOf = Callable[[str], Awaitable[Principal | None]]


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: an HTTP error, so that body parsers pass it on as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"body over {limit} bytes")
        self.limit = limit


class BodyLimitMiddleware:
    """Answers 413 when Content-Length, or the streamed body, exceeds the caller's limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        public_bytes: int,
        key_bytes: int,
        principal_of: PrincipalOf,
        larger: Mapping[str, tuple[int, tuple[str, ...]]] | None = None,
        public_larger: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.public_bytes = min(public_bytes, key_bytes)
        self.key_bytes = key_bytes
        self.principal_of = principal_of
        self.larger = dict(larger or {})
        """Path → (bytes, roles): paths that take bigger bodies from keys of these roles."""
        self.public_larger = dict(public_larger or {})
        """Path → bytes: public paths that take a file (a site form's résumé) from anyone."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = max(self.public_bytes, self.public_larger.get(scope["path"], 0))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            limit = await self._limit_for_caller(scope)
            if declared > limit:
                await _reject(send, limit)
                return
        seen = 0
        checked = declared is not None

        async def limited() -> Message:
            nonlocal seen, limit, checked
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not checked:
                    checked = True
                    limit = await self._limit_for_caller(scope)
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge as exc:
            await _reject(send, exc.limit)

    async def _limit_for_caller(self, scope: Scope) -> int:
        """The largest body this caller may send: checked key and role, never a bare header."""
        public = max(self.public_bytes, self.public_larger.get(scope["path"], 0))
        token = bearer_token(scope)
        if token is None:
            return public
        principal = await self.principal_of(token)
        if principal is None:
            return public
        larger = self.larger.get(scope["path"])
        if larger is not None and principal.role in larger[1]:
            return max(self.key_bytes, larger[0], public)
        return max(self.key_bytes, public)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            header: str = value.decode("latin-1")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


async def _reject(send: Send, limit: int) -> None:
    body = json.dumps(
        {"error": {"code": "payload_too_large", "message": f"body over {limit} bytes"}}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
