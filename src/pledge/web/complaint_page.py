"""A complaint's code page, where the code from the mail confirms the complaint.

``/privacy-center/complaint/{id}`` shows the same code form for every id,
known or not: the link in the code mail reveals nothing and confirms nothing.
The code is checked by :func:`pledge.complaints.verify`, the API's rules: a
wrong code is counted and five void it, an expired one is refused (a new code
can be asked for, limited per complaint and per network). Forms carry a token
bound to this browser and this page (:mod:`pledge.web.form_tokens`).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pledge import complaints
from pledge.access.throttle import Rule, Throttled, enforce
from pledge.errors import BadRequest, Conflict, NotFound, PledgeError, TooManyRequests
from pledge.i18n import N_, Language
from pledge.web.complaint_form import page_path, render_page
from pledge.web.deps import FormDep, PledgeDep
from pledge.web.form_tokens import form_ok
from pledge.web.intake import HOUR, throttle_intake
from pledge.web.language import request_language

router = APIRouter(include_in_schema=False)

PATH = complaints.PAGE_PATH
RESEND_PATH = PATH + "/code"
RESENDS_PER_HOUR = 3
_CODE = re.compile(r"^[0-9]{8}$")
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SPACING = re.compile(r"[\s-]+")

STALE = N_("This form has expired or was not sent from this page. Please try again.")
BAD_CODE = N_("Enter the 8 digits of the code from our e-mail.")
WRONG = N_("This code is not correct. Please check the e-mail we sent you.")
EXPIRED = N_("This code has expired. Ask for a new code below.")
VOID = N_(
    "Too many wrong codes were entered, so this complaint can no longer be confirmed. "
    "Please send your complaint again."
)
ALREADY = N_("This complaint is already confirmed.")
SENT = N_(
    "If this complaint still waits for its code, we have mailed a new code to its e-mail "
    "address. The code is valid for 30 minutes."
)
TOO_MANY_CODES = N_("too many codes were asked for this complaint; please try again later")


@router.get(PATH, response_class=HTMLResponse)
def complaint_page(complaint_id: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    return render_page(pledge, request, complaint_id=complaint_id)


def _refusal(exc: PledgeError) -> tuple[int, str]:
    """(status, message) for a code the service refused; an unknown id is a wrong code."""
    if isinstance(exc, NotFound):
        return 400, WRONG
    if isinstance(exc, Conflict):
        return 409, ALREADY
    if isinstance(exc, TooManyRequests):
        return 429, VOID
    if isinstance(exc, BadRequest) and exc.fields.get("code") == "expired":
        return 400, EXPIRED
    return exc.status_code, WRONG


def _sorry(t: Language, exc: Throttled) -> str:
    return t.gettext("Sorry: %(problem)s.", problem=t.lookup(exc.message))


@router.post(PATH, response_class=HTMLResponse)
def enter_code(
    complaint_id: str, request: Request, pledge: PledgeDep, fields: FormDep
) -> HTMLResponse:
    """The code confirms the complaint; every refusal is shown beside the code's input."""
    t = request_language(request)
    if not form_ok(pledge, request, page_path(complaint_id), fields.get("csrf", "")):
        return render_page(
            pledge, request, complaint_id=complaint_id, status_code=400, error=t.lookup(STALE)
        )
    code = _SPACING.sub("", fields.get("code", ""))
    if not _CODE.match(code):
        errors = {"code": t.lookup(BAD_CODE)}
        return render_page(
            pledge, request, complaint_id=complaint_id, status_code=400, errors=errors
        )
    try:
        throttle_intake(pledge, request, None)
        if not _ID.match(complaint_id):
            raise NotFound("no such complaint")
        status = complaints.verify(pledge, complaint_id, code)
    except Throttled as exc:
        page = render_page(
            pledge, request, complaint_id=complaint_id, status_code=429, error=_sorry(t, exc)
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except PledgeError as exc:
        status_code, message = _refusal(exc)
        errors = {"code": t.lookup(message)}
        return render_page(
            pledge, request, complaint_id=complaint_id, status_code=status_code, errors=errors
        )
    confirmed = {"id": status.id, "due": t.date(status.due_at)}
    return render_page(pledge, request, complaint_id=complaint_id, confirmed=confirmed)


@router.post(RESEND_PATH, response_class=HTMLResponse)
def new_code(
    complaint_id: str, request: Request, pledge: PledgeDep, fields: FormDep
) -> HTMLResponse:
    """Mail a new code to the address on file (never shown); the same answer for any id."""
    t = request_language(request)
    if not form_ok(pledge, request, page_path(complaint_id), fields.get("csrf", "")):
        return render_page(
            pledge, request, complaint_id=complaint_id, status_code=400, error=t.lookup(STALE)
        )
    per_complaint = Rule("complaint-code", RESENDS_PER_HOUR, HOUR)
    try:
        throttle_intake(pledge, request, None)
        enforce(pledge, per_complaint, complaint_id[:64], message=TOO_MANY_CODES)
        if _ID.match(complaint_id):
            complaints.resend_code(pledge, complaint_id)
    except Throttled as exc:
        page = render_page(
            pledge, request, complaint_id=complaint_id, status_code=429, error=_sorry(t, exc)
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return render_page(pledge, request, complaint_id=complaint_id, message=t.lookup(SENT))


__all__ = ["PATH", "RESEND_PATH", "router"]
