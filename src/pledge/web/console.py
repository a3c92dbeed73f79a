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

from pledge.console.accounts import StaffPrincipal, csrf_ok, session_principal, sign_in, sign_out
from pledge.errors import AuthenticationRequired, PermissionDenied, PledgeError
from pledge.web.deps import PledgeDep
from pledge.web.templating import templates

router = APIRouter(include_in_schema=False)
SESSION_COOKIE = "pledge_session"
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


def current(request: Request, pledge: PledgeDep) -> StaffPrincipal | None:
    token = request.cookies.get(SESSION_COOKIE)
    return session_principal(pledge, token) if token else None


def _secure(pledge: PledgeDep) -> bool:
    return pledge.settings.base_url.startswith("https://")


def to_login() -> RedirectResponse:
    return RedirectResponse("/admin/login", status_code=303)


async def checked_form(request: Request, principal: StaffPrincipal | None) -> dict[str, str]:
    """The posted form, after checking the session and its CSRF token."""
    if principal is None:
        raise AuthenticationRequired("sign in first")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not csrf_ok(principal, form.get("csrf")):
        raise PermissionDenied("the form has expired; reload the page and try again")
    return form


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
async def login(request: Request, pledge: PledgeDep) -> Response:
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    submitted = str(form.get("csrf", ""))
    if not expected or not secrets.compare_digest(expected, submitted):
        return page(request, "login", principal=None, csrf=expected, error="Please try again.")
    try:
        token = sign_in(pledge, str(form.get("email", "")), str(form.get("password", "")))
    except AuthenticationRequired as exc:
        failed = page(request, "login", principal=None, csrf=expected, error=exc.message)
        failed.status_code = 401
        return failed
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(pledge),
        path="/admin",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return response


@router.post("/admin/logout")
async def logout(request: Request, pledge: PledgeDep) -> Response:
    principal = current(request, pledge)
    await checked_form(request, principal)
    sign_out(pledge, request.cookies.get(SESSION_COOKIE, ""))
    response = to_login()
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response


def require_admin(principal: StaffPrincipal) -> None:
    if principal.role != "admin":
        raise PermissionDenied("this page is for administrators")


def error_text(exc: PledgeError) -> str:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return f"{exc.message} ({details})" if details else exc.message
