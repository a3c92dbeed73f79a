"""Headers every answer carries, set once here rather than route by route.

- ``X-Content-Type-Options: nosniff`` everywhere: a browser never guesses a
  type (a JSON error echoing a field name is not run as HTML).
- ``Referrer-Policy: no-referrer`` unless a route chose otherwise: links out of
  a page never carry its URL (``/u/<token>`` pages hold a capability).
- On HTML pages, ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``:
  no page can be framed (click-jacking the privacy center or the console).
- ``Cache-Control: no-store`` on every answer but the public, personal-data-free
  ones (the policy, static files, the banner script, the OpenAPI document) and
  any answer that already chose its caching: request tokens, packages (JSON,
  ZIP, HTML), Client keys and console pages never land in a cache.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE = frozenset(
    {"/policy", "/api/v1/policy", "/api/openapi.json", "/consent.js", "/demo", "/healthz"}
)
CACHEABLE_PREFIXES = ("/static/",)
FRAME_ANCESTORS = "frame-ancestors 'none'"


def cacheable(path: str) -> bool:
    return path in CACHEABLE or path.startswith(CACHEABLE_PREFIXES)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_headers(headers: MutableHeaders, path: str) -> None:
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "no-referrer")
    if headers.get("content-type", "").startswith("text/html"):
        headers.setdefault("x-frame-options", "DENY")
        policy = headers.get("content-security-policy")
        if policy is None:
            headers["content-security-policy"] = FRAME_ANCESTORS
        elif "frame-ancestors" not in policy:
            headers["content-security-policy"] = f"{policy}; {FRAME_ANCESTORS}"
    if "cache-control" not in headers and ("set-cookie" in headers or not cacheable(path)):
        headers["cache-control"] = "no-store"
