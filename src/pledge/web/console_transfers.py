"""The console's business-transfer register: list with search and the create form, detail,
the notice to the people affected, CSV (``registers.read`` reads; ``registers.write``
records and sends).

Sending the notice runs the batches in the request (bounded, resumable): a page
cut off half-way is sent again and mails only those not yet told.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import ValidationFailed
from pledge.registers.transfers import (
    TransferIn,
    create_transfer,
    get_transfer,
    list_transfers,
    notify_transfer,
    transfers_csv,
)
from pledge.web.console import HEADERS, page
from pledge.web.console_forms_registers import checked_categories, form_errors, read
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
Reader = Annotated[StaffPrincipal, require(Permission.REGISTERS_READ)]
Writer = Annotated[StaffPrincipal, require(Permission.REGISTERS_WRITE)]
BASE = "/admin/transfers"
Search = Annotated[str, Query(max_length=200)]


def _list(
    request: Request, pledge: Pledge, staff: StaffPrincipal, q: str = "", **extra: Any
) -> Response:
    context: dict[str, Any] = {"values": {"categories": []}, "errors": {}} | extra
    status = context.pop("status_code", 200)
    response = page(
        request,
        "transfers",
        principal=staff,
        items=list_transfers(pledge, search=q, reader=staff.actor),
        q=q,
        categories=pledge.policy.categories,
        **context,
    )
    response.status_code = status
    return response


@router.get(BASE)
def transfers_page(request: Request, pledge: PledgeDep, staff: Reader, q: Search = "") -> Response:
    return _list(request, pledge, staff, q)


@router.get(BASE + ".csv")
def transfers_export(pledge: PledgeDep, staff: Reader, q: Search = "") -> Response:
    items = list_transfers(pledge, search=q, reader=staff.actor, form="csv")
    return Response(
        transfers_csv(items),
        media_type="text/csv; charset=utf-8",
        headers={**HEADERS, "Content-Disposition": 'attachment; filename="transfers.csv"'},
    )


@router.post(BASE)
def record_transfer(
    request: Request, pledge: PledgeDep, staff: Writer, form: StaffFormDep
) -> Response:
    values: dict[str, Any] = {
        "buyer": form.get("buyer", ""),
        "transferred_on": form.get("transferred_on", ""),
        "categories": checked_categories(form),
        "note": form.get("note", ""),
    }
    body, errors = read(TransferIn, {k: v for k, v in values.items() if v})
    if body is not None:
        try:
            made = create_transfer(pledge, body, actor=staff.actor)
        except ValidationFailed as exc:
            errors = form_errors(exc)
        else:
            return RedirectResponse(f"{BASE}/{made.id}", status_code=303)
    return _list(request, pledge, staff, values=values, errors=errors, status_code=422)


@router.get(BASE + "/{transfer_id}")
def transfer_page(
    request: Request, pledge: PledgeDep, staff: Reader, transfer_id: str, sent: str = ""
) -> Response:
    item = get_transfer(pledge, transfer_id, reader=staff.actor)
    message = f"Notices queued: {sent}." if sent.isdigit() else ""
    return page(request, "transfer", principal=staff, item=item, message=message)


@router.post(BASE + "/{transfer_id}/notices")
def send_transfer_notices(
    pledge: PledgeDep, staff: Writer, form: StaffFormDep, transfer_id: str
) -> Response:
    del form  # checked for its CSRF token by the dependency
    queued = notify_transfer(pledge, transfer_id, actor=staff.actor)
    return RedirectResponse(f"{BASE}/{transfer_id}?sent={queued}", status_code=303)
