"""Every error leaves as JSON with a 4xx status; nothing ever shows a stack trace.

The one 5xx a caller should act on is 503 (with ``Retry-After``): the database
could not be reached or gave up on the transaction, which was rolled back whole,
so the same call can be repeated (only a connection cut during the COMMIT itself
leaves the outcome unknown). Any other failure is a bare 500.

Validation errors name the field (``fields``) but never echo the value, since
values may be personal data and error bodies end up in client logs.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from pledge.errors import PledgeError
from pledge.validation import error_fields
from pledge.web.templating import CONSOLE_HEADERS, templates

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
"""What a 503 asks a caller to wait before trying again."""

UNAVAILABLE = (OperationalError, PoolTimeout, psycopg.OperationalError)
"""The database cannot be reached or gave up on a transaction (a restart, a failover, a
deadlock, a full pool): the transaction was rolled back whole, and the call can be repeated.
COPY and the consent writer use psycopg directly, so its own error is listed too."""


class SafeJSONResponse(JSONResponse):
    """JSON that always encodes: text no UTF-8 encoder accepts (a lone surrogate stored
    before the edge refused it) is sent escaped (``\\ud800``), never a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, allow_nan=False).encode("ascii")


class SeeOther(Exception):
    """Raised by a page's dependency to send the browser elsewhere (303), e.g. to sign in."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class ForbiddenPage(Exception):
    """A console page the signed-in staff member's role may not see (403, as a page).

    ``principal`` is the :class:`~pledge.console.accounts.StaffPrincipal`, so the
    page shows the navigation that role may use.
    """

    def __init__(self, principal: Any) -> None:
        super().__init__("forbidden")
        self.principal = principal


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


UNPARSED = {"body": "could not be parsed (JSON must be UTF-8; a form must be well-formed)"}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def retry_after(exc: PledgeError) -> dict[str, str] | None:
    """``Retry-After`` for a throttled caller (:class:`pledge.access.throttle.Throttled`)."""
    seconds = getattr(exc, "retry_after", None)
    return {"Retry-After": str(seconds)} if isinstance(seconds, int) else None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PledgeError)
    async def pledge_error(_request: Request, exc: PledgeError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("internal error: %s", type(exc).__name__)
            return JSONResponse(error_body("internal_error", "internal error"), status_code=500)
        return JSONResponse(exc.to_json(), status_code=exc.status_code, headers=retry_after(exc))

    @app.exception_handler(SeeOther)
    async def see_other(_request: Request, exc: SeeOther) -> RedirectResponse:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(ForbiddenPage)
    async def forbidden_page(request: Request, exc: ForbiddenPage) -> Response:
        response = templates.TemplateResponse(
            request, "console/forbidden.html", {"principal": exc.principal}, status_code=403
        )
        response.headers.update(CONSOLE_HEADERS)
        return response

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = error_fields(exc.errors())
        body = error_body("validation_failed", "the request body is not valid", fields)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # Pledge raises its own errors; FastAPI and Starlette raise a bare 400 only for a
            # body they could not parse at all (JSON that is not UTF-8, a multipart form
            # without its boundary). That is an invalid body like any other: 422 naming it.
            body = error_body("validation_failed", "the request body is not valid", UNPARSED)
            return JSONResponse(body, status_code=422)
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable: %s", type(exc).__name__)
        body = error_body("unavailable", "temporarily unavailable; try again shortly")
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(body, status_code=503, headers=headers)

    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, unavailable)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled %s", type(exc).__name__)
        return JSONResponse(error_body("internal_error", "internal error"), status_code=500)
