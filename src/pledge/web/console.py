"""The staff console: server-rendered pages over the same services as the API.

Sessions are HttpOnly, SameSite=Strict cookies (Secure when the public URL is
https); every form carries the session's CSRF token, and the login form a
double-submit token. Pages are never cached and cannot be framed.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pledge.console.accounts import sign_in, sign_out
from pledge.errors import AuthenticationRequired, PledgeError
from pledge.web.deps import STAFF_COOKIE, FormDep, PledgeDep, StaffFormDep
from pledge.web.templating import templates

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "pledge_login_csrf"
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, f"console/{name}.html", context)
    response.headers.update(HEADERS)
    return response


def _secure(pledge: PledgeDep) -> bool:
    return pledge.settings.base_url.startswith("https://")


@router.get("/admin/login")
def login_form(request: Request, pledge: PledgeDep) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(request, "login", principal=None, csrf=token)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(pledge),
        path="/admin",
    )
    return response


@router.post("/admin/login")
def login(request: Request, pledge: PledgeDep, form: FormDep) -> Response:
    """A plain ``def``: argon2 is slow on purpose, so it runs in a thread, never on the loop."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    submitted = form.get("csrf", "")
    if not expected or not secrets.compare_digest(expected, submitted):
        return page(request, "login", principal=None, csrf=expected, error="Please try again.")
    try:
        token = sign_in(pledge, form.get("email", ""), form.get("password", ""))
    except AuthenticationRequired as exc:
        failed = page(request, "login", principal=None, csrf=expected, error=exc.message)
        failed.status_code = 401
        return failed
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        STAFF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(pledge),
        path="/admin",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return response


@router.post("/admin/logout")
def logout(request: Request, pledge: PledgeDep, _form: StaffFormDep) -> Response:
    sign_out(pledge, request.cookies.get(STAFF_COOKIE, ""))
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/admin")
    return response


def error_text(exc: PledgeError) -> str:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return f"{exc.message} ({details})" if details else exc.message
