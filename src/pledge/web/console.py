"""The staff console: server-rendered pages over the same services as the API.

Sessions are HttpOnly, SameSite=Strict cookies (Secure when the public URL is
https); every form carries the session's CSRF token, and the login form a
double-submit token. Pages are never cached and cannot be framed.

Signing in is limited three ways before any password is checked: per IP
address (``PLEDGE_SIGN_IN_LIMIT_PER_IP`` attempts per 15 minutes, successful
ones given back), per (e-mail, IP address)
(``PLEDGE_SIGN_IN_FAILURES_PER_ACCOUNT_IP`` wrong passwords per 15 minutes,
forgotten at a successful sign-in), both counted in the database
(:mod:`pledge.access.throttle`), and per account, atomically, by
:func:`pledge.console.accounts.attempt` (which a browser the account signed in
from before passes). The first two answer 429 at once: they do not depend on
whether the account exists. Everything else answers one 401 after one argon2
verification.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import weakref
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pledge.access.throttle import Rule, Throttled, clear, enforce, forgive
from pledge.console.accounts import SignedIn, attempt, sign_out
from pledge.core import Pledge
from pledge.errors import AuthenticationRequired, PledgeError
from pledge.web.deps import STAFF_COOKIE, FormDep, PledgeDep, StaffFormDep
from pledge.web.intake import caller
from pledge.web.templating import templates

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "pledge_login_csrf"
DEVICE_COOKIE = "pledge_device"
DEVICE_LIFETIME = 180 * 24 * 3600
SIGN_IN_WINDOW = 15 * 60
TOO_MANY = "Too many sign-in attempts from your network. Please wait a few minutes."
HASHING_SLOTS = 4
"""Password checks one server process runs at once; more wait on the loop, not in threads.

argon2 takes tens of milliseconds and 64 MiB per check: a burst of sign-ins
must neither fill the thread pool that every other route needs nor the memory.
"""
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def hashing_slot() -> asyncio.Semaphore:
    """This event loop's semaphore of ``HASHING_SLOTS``."""
    loop = asyncio.get_running_loop()
    slot = _slots.get(loop)
    if slot is None:
        slot = _slots[loop] = asyncio.Semaphore(HASHING_SLOTS)
    return slot


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, f"console/{name}.html", context)
    response.headers.update(HEADERS)
    return response


def same(expected: str, submitted: str) -> bool:
    """Constant-time, on bytes: a submitted field may hold any character."""
    return bool(expected) and hmac.compare_digest(
        expected.encode("utf-8", "replace"), submitted.encode("utf-8", "replace")
    )


def _secure(pledge: Pledge) -> bool:
    return pledge.settings.base_url.startswith("https://")


def set_cookie(
    response: Response, pledge: Pledge, name: str, value: str, *, max_age: int | None = None
) -> None:
    """A console cookie: HttpOnly, SameSite=Strict, under /admin, Secure behind https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=_secure(pledge),
        path="/admin",
    )


@router.get("/admin/login")
def login_form(request: Request, pledge: PledgeDep) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(request, "login", principal=None, csrf=token)
    set_cookie(response, pledge, LOGIN_CSRF_COOKIE, token)
    return response


def sign_in_rules(pledge: Pledge) -> tuple[Rule, Rule]:
    """(per IP address, per e-mail and IP address), both over ``SIGN_IN_WINDOW``."""
    settings = pledge.settings
    return (
        Rule("sign-in-ip", settings.sign_in_limit_per_ip, SIGN_IN_WINDOW),
        Rule("sign-in-account-ip", settings.sign_in_failures_per_account_ip, SIGN_IN_WINDOW),
    )


def _count(pledge: Pledge, address: str, email: str) -> None:
    by_ip, by_account = sign_in_rules(pledge)
    enforce(pledge, by_ip, address, message=TOO_MANY)
    enforce(pledge, by_account, email, address, message=TOO_MANY)


def _succeeded(pledge: Pledge, address: str, email: str) -> None:
    """A successful sign-in was no attack: it no longer counts against the address, and the
    account's wrong passwords from there are forgotten."""
    by_ip, by_account = sign_in_rules(pledge)
    forgive(pledge, by_ip, address)
    clear(pledge, by_account, email, address)


@router.post("/admin/login")
async def login(request: Request, pledge: PledgeDep, form: FormDep) -> Response:
    """``async`` only to wait: the counting, argon2 and rendering all run in threads."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not same(expected, form.get("csrf", "")):
        return await run_in_threadpool(
            page, request, "login", principal=None, csrf=expected, error="Please try again."
        )
    email, address = form.get("email", "").strip().lower(), caller(request)
    try:
        await run_in_threadpool(_count, pledge, address, email)
    except Throttled as exc:
        refused = await run_in_threadpool(
            page, request, "login", principal=None, csrf=expected, error=TOO_MANY
        )
        refused.status_code = 429
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    try:
        async with hashing_slot():
            signed: SignedIn = await run_in_threadpool(
                lambda: attempt(
                    pledge,
                    email,
                    form.get("password", ""),
                    device=request.cookies.get(DEVICE_COOKIE),
                )
            )
    except AuthenticationRequired as exc:
        failed = await run_in_threadpool(
            page, request, "login", principal=None, csrf=expected, error=exc.message
        )
        failed.status_code = 401
        return failed
    await run_in_threadpool(_succeeded, pledge, address, email)
    response = RedirectResponse("/admin", status_code=303)
    set_cookie(response, pledge, STAFF_COOKIE, signed.token)
    set_cookie(response, pledge, DEVICE_COOKIE, signed.device, max_age=DEVICE_LIFETIME)
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
