"""The console's breach register: list with search and the create form, detail, decision,
notices, CSV (``registers.read`` reads; ``registers.write`` records, decides and sends).

Sending the notices runs the batches in the request (bounded, resumable): a
page cut off half-way is sent again and mails only those not yet told.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PledgeError, ValidationFailed
from pledge.registers.breaches import (
    BreachIn,
    DecisionIn,
    breaches_csv,
    create_breach,
    decide,
    get_breach,
    list_breaches,
    notify_breach,
)
from pledge.web.console import HEADERS, error_text, page
from pledge.web.console_forms_registers import checked_categories, flag, form_errors, optional, read
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
Reader = Annotated[StaffPrincipal, require(Permission.REGISTERS_READ)]
Writer = Annotated[StaffPrincipal, require(Permission.REGISTERS_WRITE)]
BASE = "/admin/breaches"
Search = Annotated[str, Query(max_length=200)]


def _list(
    request: Request, pledge: Pledge, staff: StaffPrincipal, q: str = "", **extra: Any
) -> Response:
    context: dict[str, Any] = {"values": {"categories": []}, "errors": {}, "message": ""} | extra
    status = context.pop("status_code", 200)
    response = page(
        request,
        "breaches",
        principal=staff,
        items=list_breaches(pledge, search=q, reader=staff.actor),
        q=q,
        categories=pledge.policy.categories,
        **context,
    )
    response.status_code = status
    return response


@router.get(BASE)
def breaches_page(request: Request, pledge: PledgeDep, staff: Reader, q: Search = "") -> Response:
    return _list(request, pledge, staff, q)


@router.get(BASE + ".csv")
def breaches_export(pledge: PledgeDep, staff: Reader, q: Search = "") -> Response:
    items = list_breaches(pledge, search=q, reader=staff.actor, form="csv")
    return Response(
        breaches_csv(items),
        media_type="text/csv; charset=utf-8",
        headers={**HEADERS, "Content-Disposition": 'attachment; filename="breaches.csv"'},
    )


@router.post(BASE)
def record_breach(
    request: Request, pledge: PledgeDep, staff: Writer, form: StaffFormDep
) -> Response:
    values = {
        "summary": form.get("summary", ""),
        "known_at": form.get("known_at", ""),
        "categories": checked_categories(form),
    }
    known = values["known_at"]
    if isinstance(known, str) and len(known) == 16:
        values["known_at"] = known + "Z"  # a datetime-local field, read as UTC
    body, errors = read(BreachIn, {k: v for k, v in values.items() if v})
    if body is not None:
        try:
            made = create_breach(pledge, body, actor=staff.actor)
        except ValidationFailed as exc:
            errors = form_errors(exc)
        else:
            return RedirectResponse(f"{BASE}/{made.id}", status_code=303)
    return _list(request, pledge, staff, values=values, errors=errors, status_code=422)


def _detail(
    request: Request, pledge: Pledge, staff: StaffPrincipal, breach_id: str, **extra: Any
) -> Response:
    status = extra.pop("status_code", 200)
    context: dict[str, Any] = {"errors": {}, "message": ""} | extra
    item = get_breach(pledge, breach_id, reader=staff.actor)
    response = page(request, "breach", principal=staff, item=item, **context)
    response.status_code = status
    return response


@router.get(BASE + "/{breach_id}")
def breach_page(
    request: Request, pledge: PledgeDep, staff: Reader, breach_id: str, sent: str = ""
) -> Response:
    message = f"Notices queued: {sent}." if sent else ""
    return _detail(request, pledge, staff, breach_id, message=message)


@router.post(BASE + "/{breach_id}/decision")
def record_decision(
    request: Request, pledge: PledgeDep, staff: Writer, form: StaffFormDep, breach_id: str
) -> Response:
    data: dict[str, Any] = {
        "notify_authority": flag(form, "notify_authority"),
        "authority_reason": form.get("authority_reason", ""),
        "notify_people": flag(form, "notify_people"),
        "people_reason": form.get("people_reason", ""),
    }
    if notice := optional(form, "people_notice"):
        data["people_notice"] = notice
    if told := optional(form, "authority_told_at"):
        data["authority_told_at"] = told + "Z" if len(told) == 16 else told
    body, errors = read(DecisionIn, data)
    if body is None:
        return _detail(request, pledge, staff, breach_id, errors=errors, status_code=422)
    decide(pledge, breach_id, body, actor=staff.actor)
    return RedirectResponse(f"{BASE}/{breach_id}", status_code=303)


@router.post(BASE + "/{breach_id}/notices")
def send_notices(
    request: Request, pledge: PledgeDep, staff: Writer, form: StaffFormDep, breach_id: str
) -> Response:
    del form  # checked for its CSRF token by the dependency
    try:
        queued = notify_breach(pledge, breach_id, actor=staff.actor)
    except PledgeError as exc:
        if exc.status_code == 404:
            raise
        errors = {"form": error_text(exc)}
        return _detail(request, pledge, staff, breach_id, errors=errors, status_code=409)
    return RedirectResponse(f"{BASE}/{breach_id}?sent={queued}", status_code=303)
