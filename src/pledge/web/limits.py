"""A body-size limit applied before any parsing, so a huge upload costs nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Answers 413 when Content-Length, or the streamed body, exceeds ``max_bytes``."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})
        """Paths that take bigger bodies (a send list), for requests that carry credentials."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        limit = self._limit(scope["path"], headers)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await self._reject(send, limit)

    def _limit(self, path: str, headers: dict[bytes, bytes]) -> int:
        """Anonymous requests never get more than the default, whatever the path."""
        if path in self.larger and b"authorization" in headers:
            return max(self.max_bytes, self.larger[path])
        return self.max_bytes

    async def _reject(self, send: Send, limit: int) -> None:
        body = json.dumps(
            {"error": {"code": "payload_too_large", "message": f"body over {limit} bytes"}}
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
