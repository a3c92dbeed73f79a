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

An account with an authenticator app signs in in two steps: the right
password leaves a short-lived signed ticket in a cookie and sends the browser
to the code form (``/admin/login/code``); each code is counted by the same
three limits (per address, per (account, address), per account atomically in
the database) before it is checked (:mod:`pledge.console.second_factor`).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import weakref
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pledge.access.throttle import Rule, Throttled, clear, enforce, forgive
from pledge.console.accounts import CodeNeeded, SignedIn, StaffPrincipal, attempt, sign_out
from pledge.console.permissions import Permission, permissions_of
from pledge.console.second_factor import TICKET_EXPIRED, attempt_code
from pledge.console.totp import TICKET_SECONDS, read_ticket
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.errors import AuthenticationRequired, PledgeError
from pledge.web.deps import (
    LOGIN_PAGE,
    SECOND_FACTOR_PAGE,
    STAFF_COOKIE,
    FormDep,
    PledgeDep,
    StaffFormDep,
    require,
)
from pledge.web.intake import caller
from pledge.web.templating import CONSOLE_HEADERS, templates

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "pledge_login_csrf"
SECOND_STEP_COOKIE = "pledge_second_step"
CODE_PAGE = "/admin/login/code"
DEVICE_COOKIE = "pledge_device"
DEVICE_LIFETIME = 180 * 24 * 3600
SIGN_IN_WINDOW = 15 * 60
TOO_MANY = "Too many sign-in attempts from your network. Please wait a few minutes."
HASHING_SLOTS = 4
"""Password checks one server process runs at once; more wait on the loop, not in threads.

argon2 takes tens of milliseconds and 64 MiB per check: a burst of sign-ins
must neither fill the thread pool that every other route needs nor the memory.
"""
HEADERS = CONSOLE_HEADERS
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
            signed: SignedIn | CodeNeeded = await run_in_threadpool(
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
    if isinstance(signed, CodeNeeded):
        # The password was right: its wrong tries from here are forgotten; the
        # address's count waits for the code.
        by_account = sign_in_rules(pledge)[1]
        await run_in_threadpool(clear, pledge, by_account, email, address)
        response = RedirectResponse(CODE_PAGE, status_code=303)
        set_cookie(response, pledge, SECOND_STEP_COOKIE, signed.ticket, max_age=TICKET_SECONDS)
        return response
    await run_in_threadpool(_succeeded, pledge, address, email)
    return _signed_in(pledge, signed)


def landing(role: str, second_factor: bool) -> str:
    """Where a fresh session starts: set-up for an admin without an app, else the queue, the
    recruiting page for a recruiter, or the account page."""
    permissions = permissions_of(role, second_factor=second_factor)
    if Permission.SECOND_FACTOR_OWN in permissions and Permission.ACCOUNT_OWN not in permissions:
        return SECOND_FACTOR_PAGE
    if Permission.REQUESTS_READ in permissions:
        return "/admin"
    if Permission.RECRUITING_READ in permissions:
        return "/admin/recruiting"
    return "/admin/account"


def _signed_in(pledge: Pledge, signed: SignedIn) -> Response:
    response = RedirectResponse(landing(signed.role, signed.second_factor), status_code=303)
    set_cookie(response, pledge, STAFF_COOKIE, signed.token)
    set_cookie(response, pledge, DEVICE_COOKIE, signed.device, max_age=DEVICE_LIFETIME)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    response.delete_cookie(SECOND_STEP_COOKIE, path="/admin")
    return response


def _code_form(request: Request, pledge: Pledge, *, error: str = "", status: int = 200) -> Response:
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = page(request, "login_code", principal=None, csrf=csrf, error=error)
    response.status_code = status
    set_cookie(response, pledge, LOGIN_CSRF_COOKIE, csrf)
    return response


@router.get(CODE_PAGE)
def code_form(request: Request, pledge: PledgeDep) -> Response:
    """The second step's form; without a live ticket, back to the password form."""
    if read_ticket(pledge, request.cookies.get(SECOND_STEP_COOKIE), utcnow()) is None:
        return RedirectResponse(LOGIN_PAGE, status_code=303)
    return _code_form(request, pledge)


def _count_code(pledge: Pledge, address: str, user_id: str) -> None:
    by_ip, by_account = sign_in_rules(pledge)
    enforce(pledge, by_ip, address, message=TOO_MANY)
    enforce(pledge, by_account, f"code:{user_id}", address, message=TOO_MANY)


def _code_succeeded(pledge: Pledge, address: str, user_id: str) -> None:
    by_ip, by_account = sign_in_rules(pledge)
    forgive(pledge, by_ip, address)
    forgive(pledge, by_ip, address)  # the password step's hit, too
    clear(pledge, by_account, f"code:{user_id}", address)


@router.post(CODE_PAGE)
def login_code(request: Request, pledge: PledgeDep, form: FormDep) -> Response:
    """The code after the password: counted before it is checked, like a password."""
    if not same(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form.get("csrf", "")):
        return _code_form(request, pledge, error="Please try again.")
    ticket = request.cookies.get(SECOND_STEP_COOKIE)
    user_id = read_ticket(pledge, ticket, utcnow())
    if user_id is None:
        return _restart(request, pledge)
    address = caller(request)
    try:
        _count_code(pledge, address, user_id)
    except Throttled as exc:
        refused = _code_form(request, pledge, error=TOO_MANY, status=429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    try:
        signed = attempt_code(
            pledge, ticket, form.get("code", ""), device=request.cookies.get(DEVICE_COOKIE)
        )
    except AuthenticationRequired as exc:
        if exc.message == TICKET_EXPIRED:
            return _restart(request, pledge)
        return _code_form(request, pledge, error=exc.message, status=401)
    _code_succeeded(pledge, address, user_id)
    return _signed_in(pledge, signed)


def _restart(request: Request, pledge: Pledge) -> Response:
    """The ticket is gone or stale: the password form again, saying why."""
    token = secrets.token_urlsafe(24)
    response = page(request, "login", principal=None, csrf=token, error=TICKET_EXPIRED)
    response.status_code = 401
    set_cookie(response, pledge, LOGIN_CSRF_COOKIE, token)
    response.delete_cookie(SECOND_STEP_COOKIE, path="/admin")
    return response


@router.post("/admin/logout")
def logout(
    request: Request,
    pledge: PledgeDep,
    _staff: Annotated[StaffPrincipal, require(Permission.SIGN_OUT)],
    _form: StaffFormDep,
) -> Response:
    sign_out(pledge, request.cookies.get(STAFF_COOKIE, ""))
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/admin")
    return response


def error_text(exc: PledgeError) -> str:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return f"{exc.message} ({details})" if details else exc.message
