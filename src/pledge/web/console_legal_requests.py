"""The console's legal-request register: list with search, detail, the form, the CSV.

Everyone with ``registers.read`` (privacy officer, auditor, admin) reads it;
``registers.write`` records a request and changes whether the people may be
told. The people are typed in once, as addresses, and never shown again: the
register keeps subject ids. Recording spends a one-use form token, so a double
click records one request; each change is audited by the service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import ValidationFailed
from pledge.registers.legal_requests import (
    LegalRequestIn,
    NoticeIn,
    authority_recipient,
    create_legal_request,
    get_legal_request,
    legal_requests_csv,
    list_legal_requests,
    set_notice,
)
from pledge.web.console import HEADERS, page
from pledge.web.console_forms import new_form_token, spend_form_token
from pledge.web.console_forms_registers import (
    checked_categories,
    flag,
    form_errors,
    lines,
    optional,
    read,
)
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
Reader = Annotated[StaffPrincipal, require(Permission.REGISTERS_READ)]
Writer = Annotated[StaffPrincipal, require(Permission.REGISTERS_WRITE)]
BASE = "/admin/legal-requests"
TEXTS = ("authority", "reference", "legal_basis", "scope", "received_on", "answered_on")
Search = Annotated[str, Query(max_length=200)]


@router.get(BASE)
def legal_requests_page(
    request: Request, pledge: PledgeDep, staff: Reader, q: Search = "", recorded: str = ""
) -> Response:
    items = list_legal_requests(pledge, search=q, reader=staff.actor)
    message = "The legal request is recorded." if recorded else ""
    return page(request, "legal_requests", principal=staff, items=items, q=q, message=message)


@router.get(BASE + ".csv")
def legal_requests_export(pledge: PledgeDep, staff: Reader, q: Search = "") -> Response:
    items = list_legal_requests(pledge, search=q, reader=staff.actor, form="csv")
    return Response(
        legal_requests_csv(items),
        media_type="text/csv; charset=utf-8",
        headers={**HEADERS, "Content-Disposition": 'attachment; filename="legal-requests.csv"'},
    )


@router.get(BASE + "/new")
def new_legal_request(request: Request, pledge: PledgeDep, staff: Writer) -> Response:
    return _form(request, pledge, staff)


def _form(
    request: Request,
    pledge: Pledge,
    staff: StaffPrincipal,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    recipient = authority_recipient(pledge.policy)
    offered = [pledge.policy.category(c) for c in (recipient.categories if recipient else [])]
    response = page(
        request,
        "legal_request_new",
        principal=staff,
        categories=[c for c in offered if c is not None],
        values=values or {"notify_allowed": True, "categories": []},
        errors=errors or {},
        form_token=new_form_token(pledge),
    )
    response.status_code = status_code
    return response


@router.post(BASE)
def record_legal_request(
    request: Request, pledge: PledgeDep, staff: Writer, form: StaffFormDep
) -> Response:
    """Check every field, spend the one-use token, then record the request."""
    values: dict[str, Any] = {name: form.get(name, "") for name in TEXTS}
    values |= {
        "emails": form.get("emails", ""),
        "categories": checked_categories(form),
        "notify_allowed": flag(form, "notify_allowed"),
        "notify_after": form.get("notify_after", ""),
    }
    data = {name: optional(form, name) for name in TEXTS} | {
        "emails": lines(values["emails"]),
        "categories": values["categories"],
        "notify_allowed": values["notify_allowed"],
        "notify_after": optional(form, "notify_after"),
    }
    body, errors = read(LegalRequestIn, {k: v for k, v in data.items() if v is not None})
    if body is None:
        return _form(request, pledge, staff, values=values, errors=errors, status_code=422)
    refused = spend_form_token(pledge, form.get("form_token", ""))
    if refused is not None:
        errors = {"form": refused}
        return _form(request, pledge, staff, values=values, errors=errors, status_code=409)
    try:
        made = create_legal_request(pledge, body, actor=staff.actor)
    except ValidationFailed as exc:
        return _form(
            request, pledge, staff, values=values, errors=form_errors(exc), status_code=422
        )
    return RedirectResponse(f"{BASE}/{made.id}?recorded=1", status_code=303)


@router.get(BASE + "/{request_id}")
def legal_request_page(
    request: Request, pledge: PledgeDep, staff: Reader, request_id: str, recorded: str = ""
) -> Response:
    item = get_legal_request(pledge, request_id, reader=staff.actor)
    message = "The legal request is recorded." if recorded else ""
    return page(request, "legal_request", principal=staff, item=item, message=message)


@router.post(BASE + "/{request_id}/notice")
def change_notice(
    request: Request, pledge: PledgeDep, staff: Writer, form: StaffFormDep, request_id: str
) -> Response:
    data = {"notify_allowed": flag(form, "notify_allowed")}
    if after := optional(form, "notify_after"):
        data["notify_after"] = after  # type: ignore[assignment]
    body, errors = read(NoticeIn, data)
    if body is None:
        item = get_legal_request(pledge, request_id, reader=staff.actor)
        response = page(
            request, "legal_request", principal=staff, item=item, errors=errors, message=""
        )
        response.status_code = 422
        return response
    set_notice(pledge, request_id, body, actor=staff.actor)
    return RedirectResponse(f"{BASE}/{request_id}", status_code=303)
