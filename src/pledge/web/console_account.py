"""Console pages for accounts: one's own password and sessions; for admins, the staff list.

Every change is a service call in :mod:`pledge.console.accounts`, audited
there. Changing one's password needs the current one (argon2, so the route
waits for a hashing slot like sign-in) and ends every other session; a
session can be ended one by one or all but this one. Administrators disable
and re-enable staff accounts, which ends the disabled account's sessions at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pledge.access.throttle import Rule, Throttled, enforce
from pledge.console.accounts import (
    change_password,
    disable_user,
    enable_user,
    end_sessions,
    list_sessions,
    list_users,
    session_ref,
)
from pledge.errors import PledgeError, ValidationFailed
from pledge.web.console import error_text, hashing_slot, page
from pledge.web.deps import STAFF_COOKIE, AdminStaffDep, PledgeDep, StaffDep, StaffFormDep

router = APIRouter(include_in_schema=False)
PASSWORD_TRIES = Rule("password-change", 5, 15 * 60)
"""Wrong current passwords one account may give per 15 minutes (a stolen session guessing)."""


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


def _staff_page(
    request: Request, pledge: PledgeDep, admin: AdminStaffDep, **extra: object
) -> Response:
    return page(request, "staff", principal=admin, users=list_users(pledge), **extra)


@router.get("/admin/staff")
def staff_page(request: Request, pledge: PledgeDep, admin: AdminStaffDep) -> Response:
    return _staff_page(request, pledge, admin)


@router.post("/admin/staff/{user_id}/{action}")
def staff_action(
    request: Request,
    pledge: PledgeDep,
    admin: AdminStaffDep,
    _form: StaffFormDep,
    user_id: str,
    action: str,
) -> Response:
    """``disable`` (its sessions end at once) or ``enable``; nobody disables themselves."""
    if action not in ("disable", "enable"):
        return Response(status_code=404)
    if user_id == admin.user_id:
        return _staff_page(request, pledge, admin, error="You cannot disable your own account.")
    try:
        if action == "disable":
            ended = disable_user(pledge, user_id, actor=admin.actor)
            message = f"The account is disabled; {ended} session(s) ended."
        else:
            enable_user(pledge, user_id, actor=admin.actor)
            message = "The account is enabled again."
    except PledgeError as exc:
        return _staff_page(request, pledge, admin, error=error_text(exc))
    return _staff_page(request, pledge, admin, message=message)
