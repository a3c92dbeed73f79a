"""The language of a page: ``?lang=``, then the ``pledge_lang`` cookie, then ``Accept-Language``.

A visitor's explicit choice wins over what their browser says, and is
remembered: an HTML answer to a request with a supported ``?lang=`` sets the
``pledge_lang`` cookie (a year, ``SameSite=Lax``, HttpOnly: no script reads
it), so the pages that follow, the forms' answers included, stay in that
language. Every answer whose words were chosen this way says so in
``Vary``, so no cache hands a German page to an English reader.

The staff console stays in English (``docs/i18n.md``): under ``/admin`` the
language is always the source language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pledge.i18n import SOURCE, Language, choose, language, supported, supported_code

COOKIE = "pledge_lang"
QUERY = "lang"
COOKIE_SECONDS = 365 * 86_400
ENGLISH_ONLY = ("/admin",)


def request_language(request: Request) -> Language:
    """The language to answer this request in (worked out once per request)."""
    state = request.state
    found: Language | None = getattr(state, "language", None)
    if found is not None:
        return found
    if request.url.path.startswith(ENGLISH_ONLY):
        found = language(SOURCE)
    else:
        asked = request.query_params.get(QUERY)
        found = language(choose((asked, request.cookies.get(COOKIE)), _accept(request)))
        if supported_code(asked) == found.code:
            state.remember_language = found.code
    state.language = found
    return found


def _accept(request: Request) -> str | None:
    return request.headers.get("accept-language")


def choices(
    request: Request, path: str | None = None, params: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Links to this page in each language, for the switcher.

    ``path`` and ``params`` name the page to go back to when this answer is
    to a form (a ``POST``), which a link cannot repeat; by default it is the
    current address with its query.
    """
    current = request_language(request)
    if params is None:
        params = dict(request.query_params) if request.method == "GET" else {}
    params = {k: v for k, v in params.items() if k != QUERY}
    base = path or request.url.path
    links = []
    for code in supported():
        target = language(code)
        query = urlencode({**params, QUERY: code})
        links.append(
            {
                "code": code,
                "name": target.name,
                "href": f"{base}?{query}",
                "current": code == current.code,
            }
        )
    return links


class LanguageMiddleware:
    """Adds ``Vary`` where a page's language was negotiated, and remembers an explicit choice."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                _finish(scope, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_language)


def _finish(scope: Scope, headers: MutableHeaders) -> None:
    state = scope.get("state") or {}
    if state.get("language") is None:
        return
    headers.add_vary_header("Accept-Language")
    headers.add_vary_header("Cookie")
    code = state.get("remember_language")
    if code and headers.get("content-type", "").startswith("text/html"):
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        headers.append(
            "set-cookie",
            f"{COOKIE}={code}; Max-Age={COOKIE_SECONDS}; Path=/; SameSite=Lax; HttpOnly{secure}",
        )
