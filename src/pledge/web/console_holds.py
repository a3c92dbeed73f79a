"""The console's legal holds: the list (``holds.read``), placing and releasing (``holds.manage``).

A privacy officer or an administrator places a hold on a person's e-mail with
a reason, and releases it when the matter ends; auditors read the list. The
address is asked for once and never shown again (Pledge keeps only its
hash). Placing a hold spends a one-use form token, so a double click places
one hold; each change is audited by the service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PledgeError, ValidationFailed
from pledge.rights.hold_release import release_hold
from pledge.rights.holds import check_hold_input, create_hold, list_holds
from pledge.web.console import error_text, page
from pledge.web.console_forms import new_form_token, spend_form_token
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
HoldsReader = Annotated[StaffPrincipal, require(Permission.HOLDS_READ)]
HoldsManager = Annotated[StaffPrincipal, require(Permission.HOLDS_MANAGE)]
FIELDS = ("email", "reason")


def _page(
    request: Request,
    pledge: Pledge,
    staff: StaffPrincipal,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context: dict[str, Any] = {"values": {}, "errors": {}, **extra}
    response = page(
        request,
        "holds",
        principal=staff,
        holds=list_holds(pledge, reader=staff.actor),
        form_token=new_form_token(pledge),
        **context,
    )
    response.status_code = status_code
    return response


@router.get("/admin/holds")
def holds_page(
    request: Request, pledge: PledgeDep, staff: HoldsReader, placed: str = "", released: str = ""
) -> Response:
    message = ""
    if placed:
        message = "The hold is placed: retention and erasure stop for this person."
    elif released:
        message = "The hold is released; erasures that waited on it were carried out."
    return _page(request, pledge, staff, message=message)


@router.post("/admin/holds")
def place_hold(
    request: Request, pledge: PledgeDep, staff: HoldsManager, form: StaffFormDep
) -> Response:
    """Check both fields, spend the one-use token, then place the hold."""
    values = {name: form.get(name, "") for name in FIELDS}
    try:
        check_hold_input(values["email"], values["reason"])
    except ValidationFailed as exc:
        errors = {k: v for k, v in exc.fields.items() if k in FIELDS} or {"form": exc.message}
        return _page(request, pledge, staff, values=values, errors=errors, status_code=422)
    refused = spend_form_token(pledge, form.get("form_token", ""))
    if refused is not None:
        return _page(
            request, pledge, staff, values=values, errors={"form": refused}, status_code=409
        )
    create_hold(pledge, email=values["email"], reason=values["reason"], actor=staff.actor)
    return RedirectResponse("/admin/holds?placed=1", status_code=303)


@router.post("/admin/holds/{hold_id}/release")
def release(
    request: Request, pledge: PledgeDep, staff: HoldsManager, form: StaffFormDep, hold_id: str
) -> Response:
    """Release a hold; 404 for an unknown one, 409 (with the page) when already released."""
    del form  # checked for its CSRF token by the dependency
    try:
        release_hold(pledge, hold_id, actor=staff.actor)
    except PledgeError as exc:
        if exc.status_code == 404:
            return Response(status_code=404)
        return _page(
            request, pledge, staff, errors={"form": error_text(exc)}, status_code=exc.status_code
        )
    return RedirectResponse("/admin/holds?released=1", status_code=303)
