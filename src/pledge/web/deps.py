"""Dependencies for routes, as ``Annotated`` aliases so signatures stay short."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from pledge.access import Principal, authenticate_key
from pledge.core import Pledge
from pledge.errors import AuthenticationRequired, PermissionDenied


def get_pledge(request: Request) -> Pledge:
    pledge: Pledge = request.app.state.pledge
    return pledge


PledgeDep = Annotated[Pledge, Depends(get_pledge)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def get_principal(request: Request, pledge: PledgeDep) -> Principal:
    """401 without a key or with an unknown one; roles are checked by ``require_role``."""
    token = bearer_token(request)
    principal = authenticate_key(pledge, token) if token else None
    if principal is None:
        raise AuthenticationRequired("a valid API key is required (Authorization: Bearer KEY)")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that lets through only the given roles (403 for any other)."""

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise PermissionDenied(f"this route needs a key with role {' or '.join(roles)}")
        return principal

    return check


SystemDep = Annotated[Principal, Depends(require_role("system"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]
ClientDep = Annotated[Principal, Depends(require_role("client"))]
