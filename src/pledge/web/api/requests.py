"""Data subject requests over HTTP: intake, verification, status, package, staff queue,
and the disclosure log the ``disclosures`` request answers from.

Routes only parse, authenticate and call :mod:`pledge.rights`; they never
commit. The request token travels in the ``Authorization`` header, never in
a URL, so it stays out of access logs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict

from pledge import rights
from pledge.access import authenticate_key
from pledge.access.api_keys import PREFIX as API_KEY_PREFIX
from pledge.rights.disclosures import DisclosureIn
from pledge.rights.schemas import CodeIn, LiftIn, ReasonIn, RequestIn
from pledge.rights.views import (
    CodeResent,
    DisclosureLogged,
    QueueView,
    RequestAccepted,
    RequestView,
    StaffRequestView,
)
from pledge.web.api.rights_out import Package
from pledge.web.deps import AdminDep, PledgeDep, SystemDep, bearer_token
from pledge.web.errors import SafeJSONResponse
from pledge.web.intake import throttle_intake
from pledge.web.language import request_language
from pledge.web.openapi import errors
from pledge.web.package_page import STYLE_HASH, render_package

router = APIRouter(tags=["rights"])


class NoFields(BaseModel):
    """The body of an action that needs no input: none at all, or ``{}`` (fields are ignored)."""

    model_config = ConfigDict(extra="ignore")


NoBody = Annotated[NoFields, Body(default_factory=NoFields)]

# Rights answers are the service's dicts: every route sends exactly the keys the
# service set (response_model_exclude_unset), checked against the model's schema.


@router.post(
    "/api/v1/requests",
    responses=errors(429),
    status_code=202,
    response_model=RequestAccepted,
    response_model_exclude_unset=True,
)
def create_request(request: Request, pledge: PledgeDep, body: RequestIn) -> RequestAccepted:
    """Anyone may ask; the answer holds the token that follows the request.

    Throttled per IP address and per e-mail address before anything is written
    or mailed (429 with ``Retry-After``; :mod:`pledge.web.intake`).
    """
    throttle_intake(pledge, request, body.email)
    if body.language is None:  # mail goes out in the language the request came in
        body = body.model_copy(update={"language": request_language(request).code})
    return rights.submit(pledge, body).accepted()


@router.post(
    "/api/v1/requests/{request_id}/verify",
    responses=errors(400, 409, 429),
    response_model=RequestView,
    response_model_exclude_unset=True,
)
def verify_request(
    request_id: str, request: Request, pledge: PledgeDep, body: CodeIn
) -> RequestView:
    return rights.verify(pledge, request_id, bearer_token(request), body.code)


@router.post(
    "/api/v1/requests/{request_id}/resend",
    responses=errors(409, 429),
    response_model=CodeResent,
    response_model_exclude_unset=True,
)
def resend_code(request_id: str, request: Request, pledge: PledgeDep, _body: NoBody) -> CodeResent:
    """Counted against the caller's intake limit per IP address, like a new request."""
    throttle_intake(pledge, request, None)
    return rights.resend_code(pledge, request_id, bearer_token(request))


@router.get(
    "/api/v1/requests/{request_id}",
    response_model=StaffRequestView,
    response_model_exclude_unset=True,
)
def get_request(request_id: str, request: Request, pledge: PledgeDep) -> RequestView:
    """For the holder of the token, or an admin key; anyone else gets the same 404."""
    token = bearer_token(request)
    if token and token.startswith(API_KEY_PREFIX):
        principal = authenticate_key(pledge, token)
        if principal is not None and principal.role == "admin":
            return rights.detail(pledge, request_id, reader=principal.actor)
    return rights.view(pledge, request_id, token)


PRIVATE_PAGE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src {STYLE_HASH}; frame-ancestors 'none'"
    ),
}
"""The HTML package holds the person's data: never cached, no script, nothing loaded.

Its one style is its own ``<style>``, allowed by hash; no ``style=`` attribute applies.
"""

OTHER_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}},
        },
        "description": "JSON by default; `format=zip` or `format=html` for the other forms.",
    }
}


@router.get(
    "/api/v1/requests/{request_id}/package",
    response_model=Package,
    responses=OTHER_FORMATS | errors(409, 410),
    response_model_exclude_unset=True,
    response_class=SafeJSONResponse,
)
def get_package(
    request_id: str,
    request: Request,
    pledge: PledgeDep,
    format: Literal["json", "zip", "html"] = "json",
) -> dict[str, Any] | Response:
    """The package of a completed access, know or portability request, for the token holder:
    JSON per CONTRACT, a zip (JSON and CSV) for portability, or a readable HTML page."""
    token = bearer_token(request)
    if format == "zip":
        content = rights.package_zip(pledge, request_id, token)
        return Response(
            content,
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="personal-data.zip"'},
        )
    if format == "html":
        page = render_package(
            pledge.policy, rights.package(pledge, request_id, token, form="html"), request
        )
        # "replace": a lone surrogate stored before the edge refused it shows as "?".
        return HTMLResponse(page.encode("utf-8", "replace"), headers=PRIVATE_PAGE)
    return rights.package(pledge, request_id, token)


@router.get("/api/v1/admin/requests", response_model=QueueView, response_model_exclude_unset=True)
def admin_queue(
    pledge: PledgeDep,
    _principal: AdminDep,
    status: str | None = Query(default=None),
    type: str | None = Query(default=None),
) -> QueueView:
    """``status`` is one status, or ``open`` for every status whose clock runs."""
    return QueueView(requests=rights.queue(pledge, status=status, type=type))


@router.post(
    "/api/v1/admin/requests/{request_id}/extend",
    responses=errors(409),
    response_model=RequestView,
    response_model_exclude_unset=True,
)
def admin_extend(
    request_id: str, pledge: PledgeDep, principal: AdminDep, body: ReasonIn
) -> RequestView:
    return rights.extend(pledge, request_id, body.reason, actor=principal.actor)


@router.post(
    "/api/v1/admin/requests/{request_id}/deny",
    responses=errors(409),
    response_model=RequestView,
    response_model_exclude_unset=True,
)
def admin_deny(
    request_id: str, pledge: PledgeDep, principal: AdminDep, body: ReasonIn
) -> RequestView:
    return rights.deny(pledge, request_id, body.reason, actor=principal.actor)


@router.post(
    "/api/v1/admin/requests/{request_id}/approve",
    responses=errors(409),
    response_model=RequestView,
    response_model_exclude_unset=True,
)
def admin_approve(
    request_id: str, pledge: PledgeDep, principal: AdminDep, _body: NoBody
) -> RequestView:
    return rights.approve(pledge, request_id, actor=principal.actor)


@router.post(
    "/api/v1/admin/requests/{request_id}/complete",
    responses=errors(409),
    response_model=RequestView,
    response_model_exclude_unset=True,
)
def admin_complete(
    request_id: str, pledge: PledgeDep, principal: AdminDep, _body: NoBody
) -> RequestView:
    return rights.complete(pledge, request_id, actor=principal.actor)


@router.post(
    "/api/v1/admin/requests/{request_id}/lift",
    responses=errors(409),
    response_model=RequestView,
    response_model_exclude_unset=True,
)
def admin_lift(
    request_id: str,
    pledge: PledgeDep,
    principal: AdminDep,
    body: Annotated[LiftIn, Body(default_factory=LiftIn)],
) -> RequestView:
    """Lift a restriction; the person is mailed before it goes. ``{"reason"?}``."""
    return rights.lift(pledge, request_id, actor=principal.actor, reason=body.reason)


@router.post(
    "/api/v1/disclosures",
    status_code=201,
    response_model=DisclosureLogged,
    response_model_exclude_unset=True,
)
def create_disclosure(
    pledge: PledgeDep, principal: SystemDep, body: DisclosureIn
) -> DisclosureLogged:
    """Every transfer to a third party logs itself here; 422 if the policy does not allow it."""
    return rights.record_disclosure(pledge, body, actor=principal.actor)
