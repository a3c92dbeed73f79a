"""Console pages for one's own account: password, sessions and authenticator app.

Every change is a service call in :mod:`pledge.console.accounts` or
:mod:`pledge.console.second_factor`, audited there. Changing one's password
needs the current one (argon2, so the route waits for a hashing slot like
sign-in) and ends every other session; a session can be ended one by one or
all but this one. Setting up an authenticator app shows its secret once and
takes effect when a code from it is confirmed. The staff list is in
:mod:`pledge.web.console_staff`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pledge.access.throttle import Rule, Throttled, enforce
from pledge.console.accounts import (
    StaffPrincipal,
    change_password,
    end_sessions,
    get_user,
    list_sessions,
    session_ref,
)
from pledge.console.permissions import Permission
from pledge.console.second_factor import confirm_enrolment, start_enrolment
from pledge.errors import PledgeError, ValidationFailed
from pledge.web.console import error_text, hashing_slot, page
from pledge.web.deps import SECOND_FACTOR_PAGE, STAFF_COOKIE, PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
PASSWORD_TRIES = Rule("password-change", 5, 15 * 60)
"""Wrong current passwords one account may give per 15 minutes (a stolen session guessing)."""
StaffDep = Annotated[StaffPrincipal, require(Permission.ACCOUNT_OWN)]
OwnSecondFactor = Annotated[StaffPrincipal, require(Permission.SECOND_FACTOR_OWN)]


def _account_page(
    request: Request, pledge: PledgeDep, staff: StaffDep, *, status: int = 200, **extra: object
) -> Response:
    token = request.cookies.get(STAFF_COOKIE, "")
    response = page(
        request,
        "account",
        principal=staff,
        sessions=list_sessions(pledge, staff.user_id),
        current=session_ref(token) if token else "",
        user=get_user(pledge, staff.user_id),
        **extra,
    )
    response.status_code = status
    return response


@router.get("/admin/account")
def account_page(request: Request, pledge: PledgeDep, staff: StaffDep) -> Response:
    return _account_page(request, pledge, staff)


@router.post("/admin/account/password")
async def account_password(
    request: Request, pledge: PledgeDep, staff: StaffDep, form: StaffFormDep
) -> Response:
    """``async`` only to wait for a hashing slot; the checks run in a thread."""
    new = form.get("new_password", "")
    token = request.cookies.get(STAFF_COOKIE, "")
    try:
        if new != form.get("new_password_again", ""):
            raise ValidationFailed(
                "the new passwords differ", fields={"new_password_again": "differs"}
            )
        await run_in_threadpool(
            enforce, pledge, PASSWORD_TRIES, staff.user_id, message="too many tries; wait a while"
        )
        async with hashing_slot():
            ended = await run_in_threadpool(
                lambda: change_password(
                    pledge, staff, form.get("current_password", ""), new, keep_token=token
                )
            )
    except PledgeError as exc:
        status, error = (429 if isinstance(exc, Throttled) else 400), error_text(exc)
        return await run_in_threadpool(
            lambda: _account_page(request, pledge, staff, status=status, error=error)
        )
    message = f"Your password was changed; {ended} other session(s) ended."
    return await run_in_threadpool(lambda: _account_page(request, pledge, staff, message=message))


@router.post("/admin/account/sessions/end")
def account_end_sessions(
    request: Request, pledge: PledgeDep, staff: StaffDep, form: StaffFormDep
) -> Response:
    """``ref``: end that session; without it, every session but this one."""
    ref = form.get("ref") or None
    token = request.cookies.get(STAFF_COOKIE, "")
    try:
        ended = end_sessions(
            pledge, staff.user_id, actor=staff.actor, ref=ref, keep_token=None if ref else token
        )
    except PledgeError as exc:
        return _account_page(request, pledge, staff, status=404, error=error_text(exc))
    if ref is not None and ref == session_ref(token):
        return RedirectResponse("/admin/login", status_code=303)
    return _account_page(request, pledge, staff, message=f"{ended} session(s) ended.")


def _second_factor_page(
    request: Request,
    staff: StaffPrincipal,
    pledge: PledgeDep,
    *,
    status: int = 200,
    **extra: object,
) -> Response:
    response = page(
        request, "second_factor", principal=staff, user=get_user(pledge, staff.user_id), **extra
    )
    response.status_code = status
    return response


@router.get(SECOND_FACTOR_PAGE)
def second_factor_page(
    request: Request, pledge: PledgeDep, staff: OwnSecondFactor, done: str = ""
) -> Response:
    message = "Your authenticator app is set up; other sessions ended." if done else None
    return _second_factor_page(request, staff, pledge, message=message)


@router.post(f"{SECOND_FACTOR_PAGE}/start")
def second_factor_start(
    request: Request, pledge: PledgeDep, staff: OwnSecondFactor, _form: StaffFormDep
) -> Response:
    """A new secret, shown on this answer only (the page is never cached)."""
    try:
        enrolment = start_enrolment(pledge, staff.user_id)
    except PledgeError as exc:
        return _second_factor_page(request, staff, pledge, status=409, error=error_text(exc))
    return _second_factor_page(request, staff, pledge, enrolment=enrolment)


@router.post(f"{SECOND_FACTOR_PAGE}/confirm")
def second_factor_confirm(
    request: Request, pledge: PledgeDep, staff: OwnSecondFactor, form: StaffFormDep
) -> Response:
    """The first code from the app makes it the account's; every other session ends."""
    token = request.cookies.get(STAFF_COOKIE, "")
    try:
        confirm_enrolment(pledge, staff.user_id, form.get("code", ""), keep_token=token)
    except PledgeError as exc:
        status = 400 if isinstance(exc, ValidationFailed) else 409
        return _second_factor_page(
            request, staff, pledge, status=status, error=error_text(exc), confirming=True
        )
    return RedirectResponse(f"{SECOND_FACTOR_PAGE}?done=1", status_code=303)
