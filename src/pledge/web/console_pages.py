"""Console pages for requests and Clients; each calls a service function and renders.

Every route is a plain ``def``: FastAPI runs it in its thread pool, so the
database work and the rendering never hold the event loop. The session (and,
for forms, its CSRF token) is checked by the dependencies; each route names the
permission it needs (:func:`pledge.web.deps.require`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pledge.access import enable_client, rotate_client_key
from pledge.access.client_keys import disabled_clients
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PermissionDenied, PledgeError
from pledge.policy import REQUESTABLE
from pledge.rights import admin as rights_admin
from pledge.rights.schemas import RequestIn
from pledge.rights.service import submit
from pledge.rights.states import CLOSED, OPEN
from pledge.service_data.client_state import disable_client
from pledge.service_data.clients import create_client, list_clients
from pledge.service_data.instructions import load_instructions
from pledge.web.console import error_text, page
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
STATUSES = sorted(OPEN | CLOSED)
RequestsReader = Annotated[StaffPrincipal, require(Permission.REQUESTS_READ)]
RequestsEnterer = Annotated[StaffPrincipal, require(Permission.REQUESTS_ENTER)]
RequestsActor = Annotated[StaffPrincipal, require(Permission.REQUESTS_ACT)]
ClientsReader = Annotated[StaffPrincipal, require(Permission.CLIENTS_READ)]
ClientsManager = Annotated[StaffPrincipal, require(Permission.CLIENTS_MANAGE)]


@router.get("/admin")
def queue_page(
    request: Request, pledge: PledgeDep, staff: RequestsReader, status: str = ""
) -> Response:
    rows = rights_admin.queue(pledge, status=status or None)
    return page(request, "queue", principal=staff, rows=rows, status=status, statuses=STATUSES)


@router.get("/admin/requests/new")
def new_request_form(request: Request, staff: RequestsEnterer, created: str = "") -> Response:
    return page(request, "new_request", principal=staff, types=sorted(REQUESTABLE), created=created)


@router.post("/admin/requests/new")
def new_request(
    request: Request, pledge: PledgeDep, staff: RequestsEnterer, form: StaffFormDep
) -> Response:
    body = {k: form[k] for k in ("type", "email", "country", "region", "details") if form.get(k)}
    try:
        submitted = submit(
            pledge,
            RequestIn.model_validate(body),
            method=form.get("method", "email"),
            actor=staff.actor,
        )
    except (PledgeError, ValueError) as exc:
        message = error_text(exc) if isinstance(exc, PledgeError) else "some fields are not valid"
        return page(
            request, "new_request", principal=staff, types=sorted(REQUESTABLE), error=message
        )
    return RedirectResponse(f"/admin/requests/new?created={submitted.id}", status_code=303)


@router.get("/admin/requests/{request_id}")
def request_page(
    request: Request, pledge: PledgeDep, staff: RequestsReader, request_id: str
) -> Response:
    return page(request, "request", principal=staff, r=rights_admin.detail(pledge, request_id))


def _actions(
    pledge: Pledge, request_id: str, staff: StaffPrincipal, reason: str
) -> dict[str, Callable[[], Any]]:
    """What each button of the request page does, by the ``action`` in its URL."""
    actor = staff.actor
    return {
        "approve": lambda: rights_admin.approve(pledge, request_id, actor=actor),
        "complete": lambda: rights_admin.complete(pledge, request_id, actor=actor),
        "extend": lambda: rights_admin.extend(pledge, request_id, reason, actor=actor),
        "deny": lambda: rights_admin.deny(pledge, request_id, reason, actor=actor),
        "lift": lambda: rights_admin.lift(pledge, request_id, actor=actor, reason=reason or None),
    }


def _may_approve(pledge: Pledge, staff: StaffPrincipal, request_id: str) -> bool:
    """Approving a rectification changes held data: that needs ``corrections.approve``."""
    if staff.may(Permission.CORRECTIONS_APPROVE):
        return True
    return rights_admin.detail(pledge, request_id).type != "rectification"


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
    to held data, so it needs ``corrections.approve`` besides ``requests.act`` (403)."""
    calls = _actions(pledge, request_id, staff, form.get("reason", ""))
    if action not in calls:
        return Response(status_code=404)
    error = message = None
    status = 200
    try:
        if action == "approve" and not _may_approve(pledge, staff, request_id):
            status = 403
            raise PermissionDenied(f"your role ({staff.role}) may not approve corrections")
        calls[action]()
        message = f"Done: {action}."
    except PledgeError as exc:
        error = error_text(exc)
    detail = rights_admin.detail(pledge, request_id)
    response = page(request, "request", principal=staff, r=detail, message=message, error=error)
    response.status_code = status
    return response


def _clients(pledge: Pledge) -> dict[str, Any]:
    return {"clients": list_clients(pledge), "disabled": disabled_clients(pledge)}


@router.get("/admin/clients")
def clients_page(request: Request, pledge: PledgeDep, staff: ClientsReader) -> Response:
    return page(request, "clients", principal=staff, **_clients(pledge))


CLIENT_ACTIONS: dict[str, Callable[[Pledge, str, str], str | int | None]] = {
    "disable": lambda pledge, client_id, actor: disable_client(pledge, client_id, actor=actor),
    "enable": lambda pledge, client_id, actor: enable_client(pledge, client_id, actor=actor),
    "rotate-key": lambda pledge, client_id, actor: rotate_client_key(
        pledge, client_id, actor=actor
    ),
}


@router.post("/admin/clients/{client_id}/{action}")
def client_action(
    request: Request,
    pledge: PledgeDep,
    staff: ClientsManager,
    _form: StaffFormDep,
    client_id: str,
    action: str,
) -> Response:
    """Disable or enable a Client's key, or rotate it (the new key is shown once)."""
    if action not in CLIENT_ACTIONS:
        return Response(status_code=404)
    try:
        result = CLIENT_ACTIONS[action](pledge, client_id, staff.actor)
    except PledgeError as exc:
        return page(request, "clients", principal=staff, **_clients(pledge), error=error_text(exc))
    extra: dict[str, Any] = {"message": f"Done: {action}."}
    if action == "disable":
        extra["message"] = f"Done: disable. Undelivered webhooks cancelled: {result}."
    if action == "rotate-key":
        extra["created"] = {"key": result}
    return page(request, "clients", principal=staff, **_clients(pledge), **extra)


@router.post("/admin/clients")
def register_client(
    request: Request, pledge: PledgeDep, staff: ClientsManager, form: StaffFormDep
) -> Response:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "instructions.yaml"
        path.write_text(form.get("instructions", ""))
        model, problems = load_instructions(path, pledge.policy)
    context: dict[str, Any] = {"principal": staff, **_clients(pledge)}
    if model is None:
        lines = "; ".join(f"line {p.location.split(':')[-1]}: {p.message}" for p in problems)
        return page(request, "clients", **context, error=f"The instructions are not valid: {lines}")
    try:
        _id, key = create_client(
            pledge, name=form.get("name", ""), instructions=model, actor=staff.actor
        )
    except PledgeError as exc:
        return page(request, "clients", **context, error=error_text(exc))
    context.update(_clients(pledge))
    return page(request, "clients", **context, created={"key": key})
