"""The console's recruiting page: positions and applicants, for the recruiting team only.

``recruiting.read`` (the ``recruiter`` role alone) shows the positions and the
applications, decrypted, each person shown audited as a read;
``recruiting.act`` opens and closes positions, sends an application for a
background check and hires. Ids in paths are a position's reference or a
record's random id, never personal data. A connected system that does not
answer is 503 with the page, a declaration that is wrong 409; nothing is
deleted unless the hand-over was written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PledgeError
from pledge.recruiting.applications import KEPT, Application, list_applications
from pledge.recruiting.hand_overs import background_check, hire
from pledge.recruiting.positions import (
    check_position_input,
    close_position,
    list_positions,
    open_position,
    settle_unplaced,
)
from pledge.web.console import error_text, page
from pledge.web.console_forms import new_form_token, spend_form_token
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
RecruitingReader = Annotated[StaffPrincipal, require(Permission.RECRUITING_READ)]
RecruitingActor = Annotated[StaffPrincipal, require(Permission.RECRUITING_ACT)]
PAGE = "/admin/recruiting"
DONE = {
    "opened": "The position is open.",
    "closed": "The position is closed: applications that did not ask to be kept were deleted.",
    "settled": "Settled: applications that did not ask to be kept were deleted.",
    "checked": "The application was sent for a background check; the disclosure is logged.",
    "hired": "The application is in the employee record and was deleted here.",
}
UNAVAILABLE = "The connected system did not answer; nothing was changed here. Try again later."


def _grouped(applications: list[Application]) -> dict[str, list[Application]]:
    """Applications by the position they name ("" for none); kept ones under their own key."""
    groups: dict[str, list[Application]] = defaultdict(list)
    for application in applications:
        key = KEPT if application.purpose == KEPT else (application.position or "")
        groups[key].append(application)
    return groups


def _page(
    request: Request,
    pledge: Pledge,
    staff: StaffPrincipal,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    with pledge.transaction() as session:
        applications = list_applications(session, pledge.keys, reader=staff.actor)
    positions = list_positions(pledge)
    known = {p.id for p in positions}
    groups = _grouped(applications)
    context: dict[str, Any] = {"values": {}, "errors": {}, "message": "", **extra}
    response = page(
        request,
        "recruiting",
        principal=staff,
        positions=positions,
        groups=groups,
        unknown=sorted(k for k in groups if k and k != KEPT and k not in known),
        kept=KEPT,
        form_token=new_form_token(pledge),
        **context,
    )
    response.status_code = status_code
    return response


@router.get(PAGE)
def recruiting_page(
    request: Request, pledge: PledgeDep, staff: RecruitingReader, done: str = ""
) -> Response:
    return _page(request, pledge, staff, message=DONE.get(done, ""))


@router.post(f"{PAGE}/positions")
def open_a_position(
    request: Request, pledge: PledgeDep, staff: RecruitingActor, form: StaffFormDep
) -> Response:
    values = {"id": form.get("id", ""), "title": form.get("title", "")}
    errors = check_position_input(values["id"], values["title"])
    if errors:
        return _page(request, pledge, staff, values=values, errors=errors, status_code=422)
    refused = spend_form_token(pledge, form.get("form_token", ""))
    if refused is not None:
        errors = {"form": refused}
        return _page(request, pledge, staff, values=values, errors=errors, status_code=409)
    try:
        open_position(pledge, values["id"], values["title"], actor=staff.actor)
    except PledgeError as exc:
        errors = dict(exc.fields) or {"form": exc.message}
        return _page(
            request, pledge, staff, values=values, errors=errors, status_code=exc.status_code
        )
    return RedirectResponse(f"{PAGE}?done=opened", status_code=303)


def _act(
    request: Request, pledge: Pledge, staff: StaffPrincipal, done: str, action: Callable[[], object]
) -> Response:
    """Run ``action``; its refusals become the page with the reason, never a 500."""
    try:
        action()
    except PledgeError as exc:
        if exc.status_code == 404:
            return Response(status_code=404)
        errors = {"form": error_text(exc)}
        return _page(request, pledge, staff, errors=errors, status_code=exc.status_code)
    except SystemUnavailable:
        return _page(request, pledge, staff, errors={"form": UNAVAILABLE}, status_code=503)
    except SystemMisdeclared as exc:
        errors = {"form": f"The connected systems file is wrong: {exc}"}
        return _page(request, pledge, staff, errors=errors, status_code=409)
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


@router.post(PAGE + "/positions/{position_id}/close")
def close_a_position(
    request: Request,
    pledge: PledgeDep,
    staff: RecruitingActor,
    form: StaffFormDep,
    position_id: str,
) -> Response:
    del form  # checked for its CSRF token by the dependency
    return _act(
        request,
        pledge,
        staff,
        "closed",
        lambda: close_position(pledge, position_id, actor=staff.actor),
    )


@router.post(PAGE + "/unplaced/settle")
def settle_unplaced_applications(
    request: Request, pledge: PledgeDep, staff: RecruitingActor, form: StaffFormDep
) -> Response:
    """Applications naming no position here (sent before positions were managed)."""
    named = form.get("position", "")
    return _act(
        request, pledge, staff, "settled", lambda: settle_unplaced(pledge, named, actor=staff.actor)
    )


@router.post(PAGE + "/applications/{record_id}/background-check")
def send_for_background_check(
    request: Request, pledge: PledgeDep, staff: RecruitingActor, form: StaffFormDep, record_id: str
) -> Response:
    del form
    return _act(
        request,
        pledge,
        staff,
        "checked",
        lambda: background_check(pledge, record_id, actor=staff.actor),
    )


@router.post(PAGE + "/applications/{record_id}/hire")
def hire_the_applicant(
    request: Request, pledge: PledgeDep, staff: RecruitingActor, form: StaffFormDep, record_id: str
) -> Response:
    del form
    return _act(request, pledge, staff, "hired", lambda: hire(pledge, record_id, actor=staff.actor))
