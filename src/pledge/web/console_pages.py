"""Console pages for requests and Clients; each calls a service function and renders."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from pledge.errors import PledgeError
from pledge.policy import REQUESTABLE
from pledge.rights import admin as rights_admin
from pledge.rights.schemas import RequestIn
from pledge.rights.service import submit
from pledge.rights.states import CLOSED, OPEN
from pledge.service_data.clients import create_client, list_clients
from pledge.service_data.instructions import load_instructions
from pledge.web.console import checked_form, current, error_text, page, require_admin, to_login
from pledge.web.deps import PledgeDep

router = APIRouter(include_in_schema=False)
STATUSES = sorted(OPEN | CLOSED)


@router.get("/admin")
def queue_page(request: Request, pledge: PledgeDep, status: str = "") -> Response:
    principal = current(request, pledge)
    if principal is None:
        return to_login()
    rows = rights_admin.queue(pledge, status=status or None)
    return page(request, "queue", principal=principal, rows=rows, status=status, statuses=STATUSES)


@router.get("/admin/requests/new")
def new_request_form(request: Request, pledge: PledgeDep, created: str = "") -> Response:
    principal = current(request, pledge)
    if principal is None:
        return to_login()
    return page(
        request, "new_request", principal=principal, types=sorted(REQUESTABLE), created=created
    )


@router.post("/admin/requests/new")
async def new_request(request: Request, pledge: PledgeDep) -> Response:
    principal = current(request, pledge)
    form = await checked_form(request, principal)
    assert principal is not None
    body = {k: form[k] for k in ("type", "email", "country", "region", "details") if form.get(k)}
    try:
        submitted = await run_in_threadpool(
            submit,
            pledge,
            RequestIn.model_validate(body),
            method=form.get("method", "email"),
            actor=principal.actor,
        )
    except (PledgeError, ValueError) as exc:
        message = error_text(exc) if isinstance(exc, PledgeError) else "some fields are not valid"
        return page(
            request, "new_request", principal=principal, types=sorted(REQUESTABLE), error=message
        )
    return RedirectResponse(f"/admin/requests/new?created={submitted.id}", status_code=303)


@router.get("/admin/requests/{request_id}")
def request_page(request: Request, pledge: PledgeDep, request_id: str) -> Response:
    principal = current(request, pledge)
    if principal is None:
        return to_login()
    return page(request, "request", principal=principal, r=rights_admin.detail(pledge, request_id))


@router.post("/admin/requests/{request_id}/{action}")
async def request_action(
    request: Request, pledge: PledgeDep, request_id: str, action: str
) -> Response:
    principal = current(request, pledge)
    form = await checked_form(request, principal)
    assert principal is not None
    reason = form.get("reason", "")
    calls = {
        "approve": lambda: rights_admin.approve(pledge, request_id, actor=principal.actor),
        "complete": lambda: rights_admin.complete(pledge, request_id, actor=principal.actor),
        "extend": lambda: rights_admin.extend(pledge, request_id, reason, actor=principal.actor),
        "deny": lambda: rights_admin.deny(pledge, request_id, reason, actor=principal.actor),
        "lift": lambda: rights_admin.lift(
            pledge, request_id, actor=principal.actor, reason=reason or None
        ),
    }
    if action not in calls:
        return Response(status_code=404)
    error = message = None
    try:
        await run_in_threadpool(calls[action])
        message = f"Done: {action}."
    except PledgeError as exc:
        error = error_text(exc)
    detail = rights_admin.detail(pledge, request_id)
    return page(request, "request", principal=principal, r=detail, message=message, error=error)


@router.get("/admin/clients")
def clients_page(request: Request, pledge: PledgeDep) -> Response:
    principal = current(request, pledge)
    if principal is None:
        return to_login()
    require_admin(principal)
    return page(request, "clients", principal=principal, clients=list_clients(pledge))


@router.post("/admin/clients")
async def register_client(request: Request, pledge: PledgeDep) -> Response:
    principal = current(request, pledge)
    form = await checked_form(request, principal)
    assert principal is not None
    require_admin(principal)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "instructions.yaml"
        path.write_text(form.get("instructions", ""))
        model, problems = load_instructions(path, pledge.policy)
    context = {"principal": principal, "clients": list_clients(pledge)}
    if model is None:
        lines = "; ".join(f"line {p.location.split(':')[-1]}: {p.message}" for p in problems)
        return page(request, "clients", **context, error=f"The instructions are not valid: {lines}")
    try:
        _id, key = await run_in_threadpool(
            create_client,
            pledge,
            name=form.get("name", ""),
            instructions=model,
            actor=principal.actor,
        )
    except PledgeError as exc:
        return page(request, "clients", **context, error=error_text(exc))
    context["clients"] = list_clients(pledge)
    return page(request, "clients", **context, created={"key": key})
