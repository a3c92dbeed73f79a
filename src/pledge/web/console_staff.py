"""Console pages for staff accounts: the list, one account's page, and what admins change.

Reading (``staff.read``) shows every account's role, authenticator app and
live sessions; changing (``staff.manage``) disables and enables accounts,
changes roles, ends sessions and resets authenticator apps. Each change is a
service call, audited there, and each one that could leave a stolen or
outdated session alive ends the account's sessions. Nobody changes their own
role or disables themselves here (their own sessions are on the account page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pledge.console.accounts import (
    StaffPrincipal,
    disable_user,
    enable_user,
    end_sessions,
    get_user,
    list_sessions,
    list_users,
    set_role,
)
from pledge.console.permissions import ROLES, Permission
from pledge.console.second_factor import reset
from pledge.core import Pledge
from pledge.errors import PledgeError
from pledge.web.console import error_text, page
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
StaffReader = Annotated[StaffPrincipal, require(Permission.STAFF_READ)]
StaffManager = Annotated[StaffPrincipal, require(Permission.STAFF_MANAGE)]
SELF_REFUSED = {"disable", "role"}
"""What an administrator may not do to their own account here."""


@router.get("/admin/staff")
def staff_page(request: Request, pledge: PledgeDep, staff: StaffReader) -> Response:
    return page(request, "staff", principal=staff, users=list_users(pledge))


def _member_page(
    request: Request,
    pledge: Pledge,
    staff: StaffPrincipal,
    user_id: str,
    *,
    status: int = 200,
    **extra: object,
) -> Response:
    try:
        user = get_user(pledge, user_id)
    except PledgeError:
        return Response(status_code=404)
    response = page(
        request,
        "staff_member",
        principal=staff,
        user=user,
        sessions=list_sessions(pledge, user_id),
        roles=ROLES,
        **extra,
    )
    response.status_code = status
    return response


@router.get("/admin/staff/{user_id}")
def member_page(request: Request, pledge: PledgeDep, staff: StaffReader, user_id: str) -> Response:
    """One account: its role, its authenticator app and its live sessions."""
    return _member_page(request, pledge, staff, user_id)


def _actions(
    pledge: Pledge, user_id: str, actor: str, form: dict[str, str]
) -> dict[str, Callable[[], str]]:
    """What each button of the account's page does, by the ``action`` in its URL."""

    def disable() -> str:
        ended = disable_user(pledge, user_id, actor=actor)
        return f"The account is disabled; {ended} session(s) ended."

    def enable() -> str:
        enable_user(pledge, user_id, actor=actor)
        return "The account is enabled again."

    def end() -> str:
        ref = form.get("ref") or None
        return f"{end_sessions(pledge, user_id, actor=actor, ref=ref)} session(s) ended."

    def role() -> str:
        ended = set_role(pledge, user_id, form.get("role", ""), actor=actor)
        return f"The role is changed; {ended} session(s) ended."

    def reset_app() -> str:
        ended = reset(pledge, user_id, actor=actor)
        return f"The authenticator app is removed; {ended} session(s) ended."

    return {
        "disable": disable,
        "enable": enable,
        "end-sessions": end,
        "role": role,
        "reset-second-factor": reset_app,
    }


@router.post("/admin/staff/{user_id}/{action}")
def staff_action(
    request: Request,
    pledge: PledgeDep,
    admin: StaffManager,
    form: StaffFormDep,
    user_id: str,
    action: str,
) -> Response:
    """``disable``, ``enable``, ``end-sessions`` (``ref``: one), ``role`` (``role``) or
    ``reset-second-factor``; the answer is the account's page with what happened."""
    calls = _actions(pledge, user_id, admin.actor, form)
    if action not in calls:
        return Response(status_code=404)
    if user_id == admin.user_id and action in SELF_REFUSED:
        return _member_page(
            request,
            pledge,
            admin,
            user_id,
            status=400,
            error="You cannot disable your own account or change your own role.",
        )
    try:
        message = calls[action]()
    except PledgeError as exc:
        return _member_page(
            request, pledge, admin, user_id, status=exc.status_code, error=error_text(exc)
        )
    return _member_page(request, pledge, admin, user_id, message=message)
