"""Dependencies for routes, as ``Annotated`` aliases so signatures stay short.

They are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in
the thread pool, a thread hop per dependency per request. Only a key that is
not in the key cache (:mod:`pledge.access.api_keys`) goes to a thread for
its database lookup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from pledge.access import Principal, authenticate_key, cached_principal
from pledge.consent.ledger.writer import ConsentWriter
from pledge.core import Pledge
from pledge.errors import AuthenticationRequired, PermissionDenied


async def get_pledge(request: Request) -> Pledge:
    pledge: Pledge = request.app.state.pledge
    return pledge


PledgeDep = Annotated[Pledge, Depends(get_pledge)]


def consent_writer(request: Request) -> ConsentWriter:
    """The app's group-commit writer for consent acts (:mod:`pledge.consent.ledger.writer`)."""
    writer: ConsentWriter = request.app.state.consent_writer
    return writer


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def get_principal(request: Request, pledge: PledgeDep) -> Principal:
    """401 without a key or with an unknown one; roles are checked by ``require_role``."""
    token = bearer_token(request)
    principal = None
    if token:
        principal = cached_principal(pledge, token)
        if principal is None:
            principal = await run_in_threadpool(authenticate_key, pledge, token)
    if principal is None:
        raise AuthenticationRequired("a valid API key is required (Authorization: Bearer KEY)")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def check_role(principal: Principal, roles: tuple[str, ...]) -> Principal:
    if principal.role not in roles:
        raise PermissionDenied(f"this route needs a key with role {' or '.join(roles)}")
    return principal


def require_role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through only the given roles (403 for any other)."""

    async def check(principal: PrincipalDep) -> Principal:
        return check_role(principal, roles)

    return check


async def authorize(request: Request, *roles: str) -> Principal:
    """``require_role`` called by hand, for a route that takes no dependencies (401, 403).

    FastAPI's dependency resolution costs more per request than the whole
    act of checking a cached key; the busiest route calls this instead.
    """
    pledge: Pledge = request.app.state.pledge
    return check_role(await get_principal(request, pledge), roles)


SystemDep = Annotated[Principal, Depends(require_role("system"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]
ClientDep = Annotated[Principal, Depends(require_role("client"))]
