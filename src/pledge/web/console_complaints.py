"""The console's complaints: the queue and its CSV (``complaints.read``), one complaint's
page (its text only with ``complaints.text``), and the actions (``complaints.act``).

Staff enter complaints received by post or phone here too; entering spends a
one-use form token, so a double click records one complaint. Every action and
every opening of a complaint's text is audited by :mod:`pledge.complaints`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from pledge import complaints
from pledge.complaints import STATES, ComplaintIn
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PledgeError
from pledge.web.console import error_text, page
from pledge.web.console_forms import new_form_token, spend_form_token
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
Reader = Annotated[StaffPrincipal, require(Permission.COMPLAINTS_READ)]
Actor = Annotated[StaffPrincipal, require(Permission.COMPLAINTS_ACT)]
TextReader = Annotated[StaffPrincipal, require(Permission.COMPLAINTS_TEXT)]
FIELDS = ("email", "country", "text", "method", "language")
QUEUE = "/admin/complaints"


def _queue(
    request: Request, pledge: Pledge, staff: StaffPrincipal, *, status_code: int = 200, **extra: Any
) -> Response:
    state = request.query_params.get("state") or None
    email = extra.pop("search_email", None)
    context: dict[str, Any] = {"values": {}, "errors": {}, "message": "", **extra}
    response = page(
        request,
        "complaints",
        principal=staff,
        complaints=complaints.listing(pledge, state if state in STATES else None, email=email),
        searched=bool(email),
        states=STATES,
        state=state,
        form_token=new_form_token(pledge),
        **context,
    )
    response.status_code = status_code
    return response


@router.get(QUEUE)
def complaints_page(
    request: Request, pledge: PledgeDep, staff: Reader, entered: str = ""
) -> Response:
    message = "The complaint is recorded; the person was mailed a receipt." if entered else ""
    return _queue(request, pledge, staff, message=message)


@router.post(f"{QUEUE}/search")
def search_complaints(
    request: Request, pledge: PledgeDep, staff: TextReader, form: StaffFormDep
) -> Response:
    """One person's complaints, by their e-mail: sent in a form, never in a URL; for staff
    who may read complaints' addresses (finding one by address is reading it)."""
    email = form.get("email", "").strip()
    if "@" not in email or len(email) > 320:
        errors = {"search-email": "give the person's whole e-mail address"}
        return _queue(request, pledge, staff, errors=errors, status_code=422)
    return _queue(request, pledge, staff, search_email=email)


@router.get(f"{QUEUE}.csv")
def complaints_csv(pledge: PledgeDep, staff: Reader, state: str = "") -> Response:
    """The queue as CSV: no address, no text, every cell spreadsheet-safe; audited."""
    text = complaints.export_csv(pledge, state or None, actor=staff.actor)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="complaints.csv"',
            "Cache-Control": "no-store",
        },
    )


def _checked(values: dict[str, str]) -> ComplaintIn | dict[str, str]:
    """The input, or the errors to show beside each field."""
    errors: dict[str, str] = {}
    if values["method"] not in ("post", "phone"):
        errors["method"] = "Choose post or phone."
    try:
        body = ComplaintIn(
            email=values["email"],
            country=values["country"],
            text=values["text"],
            language=values["language"] or None,
        )
    except ValidationError as exc:
        for error in exc.errors():
            errors.setdefault(str(error["loc"][0]), str(error["msg"]))
        return errors
    return errors or body


@router.post(QUEUE)
def enter_complaint(
    request: Request, pledge: PledgeDep, staff: Actor, form: StaffFormDep
) -> Response:
    """A complaint received by post or phone: checked whole, then recorded once."""
    values = {name: form.get(name, "") for name in FIELDS}
    checked = _checked(values)
    if isinstance(checked, dict):
        return _queue(request, pledge, staff, values=values, errors=checked, status_code=422)
    refused = spend_form_token(pledge, form.get("form_token", ""))
    if refused is not None:
        return _queue(
            request, pledge, staff, values=values, errors={"form": refused}, status_code=409
        )
    complaints.submit(pledge, checked, method=values["method"], actor=staff.actor)
    return RedirectResponse(f"{QUEUE}?entered=1", status_code=303)


def _complaint_page(
    request: Request,
    pledge: Pledge,
    staff: StaffPrincipal,
    complaint_id: str,
    *,
    status_code: int = 200,
    error: str = "",
) -> Response:
    if staff.may(Permission.COMPLAINTS_TEXT):
        shown: Any = complaints.detail(pledge, complaint_id, actor=staff.actor)
    else:
        shown = complaints.one(pledge, complaint_id)
    response = page(
        request,
        "complaint",
        principal=staff,
        c=shown,
        provider=pledge.policy.controller.dispute_resolution.provider,
        error=error,
    )
    response.status_code = status_code
    return response


@router.get(QUEUE + "/{complaint_id}")
def complaint_page(
    request: Request, pledge: PledgeDep, staff: Reader, complaint_id: str
) -> Response:
    try:
        return _complaint_page(request, pledge, staff, complaint_id)
    except PledgeError as exc:
        return Response(status_code=exc.status_code)


@router.post(QUEUE + "/{complaint_id}/{action}")
def complaint_action(
    request: Request,
    pledge: PledgeDep,
    staff: Actor,
    form: StaffFormDep,
    complaint_id: str,
    action: str,
) -> Response:
    """investigate, answer (``answer``) or escalate (``reference``); 404 for anything else."""
    try:
        if action == "investigate":
            complaints.investigate(pledge, complaint_id, actor=staff.actor)
        elif action == "answer":
            complaints.answer(pledge, complaint_id, form.get("answer", ""), actor=staff.actor)
        elif action == "escalate":
            reference = form.get("reference", "")
            complaints.escalate(pledge, complaint_id, reference, actor=staff.actor)
        else:
            return Response(status_code=404)
    except PledgeError as exc:
        if exc.status_code == 404:
            return Response(status_code=404)
        return _complaint_page(
            request, pledge, staff, complaint_id, status_code=exc.status_code, error=error_text(exc)
        )
    return RedirectResponse(f"{QUEUE}/{complaint_id}", status_code=303)
