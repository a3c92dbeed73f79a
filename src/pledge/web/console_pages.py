"""Console pages for Clients, and the router every request page joins; each calls a service.

The request pages are :mod:`~pledge.web.console_queue` (the queue),
:mod:`~pledge.web.console_intake` (entering a request) and
:mod:`~pledge.web.console_requests` (one request and its actions).

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
from fastapi.responses import Response

from pledge.access import enable_client, rotate_client_key
from pledge.access.client_keys import disabled_clients
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PledgeError
from pledge.service_data.client_state import disable_client
from pledge.service_data.clients import create_client, list_clients
from pledge.service_data.instructions import load_instructions
from pledge.web import console_intake, console_queue, console_requests
from pledge.web.console import error_text, page
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
ClientsReader = Annotated[StaffPrincipal, require(Permission.CLIENTS_READ)]
ClientsManager = Annotated[StaffPrincipal, require(Permission.CLIENTS_MANAGE)]
# The request pages live in their own modules; "/admin/requests/new" is matched
# before "/admin/requests/{request_id}", so the intake router comes first.
for part in (console_intake.router, console_queue.router, console_requests.router):
    router.include_router(part)


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
