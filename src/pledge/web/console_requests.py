"""One request in the console: what it is, what the person gave, and the actions its state allows.

Which buttons show comes from :func:`pledge.rights.casework.casework`, so the
page offers exactly what the service would accept (an extension only while
the law allows one, with the date it would give). A reason is checked like
the admin API checks it (:class:`~pledge.rights.schemas.ReasonIn`) and a bad
one gets its message beside the field; a form sent after the request moved
on (another member of staff acted) gets the service's refusal, and nothing
changes. A done action redirects, so reloading the page repeats nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pledge import rights
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PermissionDenied, PledgeError, ValidationFailed
from pledge.rights.casework import casework
from pledge.rights.child_reports import erase_child_data
from pledge.rights.connected.listing import tasks_of
from pledge.rights.schemas import LiftIn, ReasonIn
from pledge.validation import parse_model
from pledge.web.console import error_text, page
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
RequestsReader = Annotated[StaffPrincipal, require(Permission.REQUESTS_READ)]
RequestsActor = Annotated[StaffPrincipal, require(Permission.REQUESTS_ACT)]

DONE = {
    "approve": "Approved: the request was carried out and the person was mailed.",
    "fulfil": "Carried out.",
    "complete": "Marked complete; the person was mailed.",
    "deny": "Denied; the person was mailed the reason.",
    "extend": "Extended; the person was mailed the new date and the reason.",
    "erase_child": "The child's data was erased and the reporter was told.",
    "lift": "The person is being told. The restriction stays in force until their mail is "
    "delivered, then it is lifted.",
}


def _render(
    request: Request,
    pledge: Pledge,
    staff: StaffPrincipal,
    request_id: str,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    response = page(
        request,
        "request",
        principal=staff,
        r=rights.detail(pledge, request_id, reader=staff.actor),
        work=casework(pledge, request_id, reader=staff.actor),
        systems=tasks_of(pledge, request_id),
        minimum_age=pledge.policy.minimum_age,
        errors=extra.pop("errors", {}),
        **extra,
    )
    response.status_code = status_code
    return response


@router.get("/admin/requests/{request_id}")
def request_page(
    request: Request, pledge: PledgeDep, staff: RequestsReader, request_id: str, done: str = ""
) -> Response:
    return _render(request, pledge, staff, request_id, message=DONE.get(done))


def _reason(form: dict[str, str], action: str) -> str:
    """A required reason, checked as the admin API checks it (3 to 2000 characters)."""
    try:
        return parse_model(ReasonIn, {"reason": form.get("reason", "").strip()}).reason
    except ValidationFailed:
        raise ValidationFailed(
            "give a reason", fields={f"reason-{action}": "give a reason of 3 to 2000 characters"}
        ) from None


def _lift_reason(form: dict[str, str]) -> str | None:
    given = form.get("reason", "").strip() or None
    try:
        return parse_model(LiftIn, {"reason": given}).reason
    except ValidationFailed:
        raise ValidationFailed(
            "the reason is too short",
            fields={"reason-lift": "leave it empty, or give 3 to 2000 characters"},
        ) from None


def _call(
    pledge: Pledge, request_id: str, staff: StaffPrincipal, action: str, form: dict[str, str]
) -> Callable[[], Any] | None:
    """What the button does; reasons are read (and checked) before anything changes."""
    actor = staff.actor
    if action == "approve":
        return lambda: rights.approve(pledge, request_id, actor=actor)
    if action == "fulfil":
        return lambda: rights.fulfil(pledge, request_id, actor=actor)
    if action == "complete":
        note = form.get("note", "").strip()[:2000] or None
        return lambda: rights.complete(pledge, request_id, actor=actor, note=note)
    if action in {"deny", "extend"}:
        reason = _reason(form, action)
        act = rights.deny if action == "deny" else rights.extend
        return lambda: act(pledge, request_id, reason, actor=actor)
    if action == "erase_child":
        erase_reason = _reason(form, action)
        return lambda: erase_child_data(pledge, request_id, actor=actor, reason=erase_reason)
    if action == "lift":
        lift_reason = _lift_reason(form)
        return lambda: rights.lift(pledge, request_id, actor=actor, reason=lift_reason)
    return None


@router.post("/admin/requests/{request_id}/{action}")
def request_action(
    request: Request,
    pledge: PledgeDep,
    staff: RequestsActor,
    form: StaffFormDep,
    request_id: str,
    action: str,
) -> Response:
    """One button of the request page. Approving a rectification applies its corrections
    to held data, so it needs ``corrections.approve`` besides ``requests.act`` (403);
    erasing a reported child's data needs ``children.erase`` likewise."""
    detail = rights.detail(
        pledge, request_id, reader=None
    )  # 404 for an unknown one, before anything else
    approving_corrections = action == "approve" and detail.type == "rectification"
    refusal = None
    if approving_corrections and not staff.may(Permission.CORRECTIONS_APPROVE):
        refusal = PermissionDenied(f"your role ({staff.role}) may not approve corrections")
    if action == "erase_child" and not staff.may(Permission.CHILD_DATA_ERASE):
        refusal = PermissionDenied(f"your role ({staff.role}) may not erase a child's data")
    if refusal is not None:
        return _render(
            request, pledge, staff, request_id, status_code=403, error=error_text(refusal)
        )
    try:
        call = _call(pledge, request_id, staff, action, form)
        if call is None:
            return Response(status_code=404)
        call()
    except ValidationFailed as exc:
        return _render(request, pledge, staff, request_id, status_code=422, errors=dict(exc.fields))
    except PledgeError as exc:
        status = exc.status_code if 400 <= exc.status_code < 500 else 409
        return _render(
            request, pledge, staff, request_id, status_code=status, error=error_text(exc)
        )
    return RedirectResponse(f"/admin/requests/{request_id}?done={action}", status_code=303)
