"""Dependencies for routes, as ``Annotated`` aliases so signatures stay short.

Most are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in
the thread pool, a thread hop per dependency per request. Only a key that is
not in the key cache (:mod:`pledge.access.api_keys`) goes to a thread for
its database lookup. The staff session check reads the database every time,
so it is a plain ``def``: the thread pool, never the event loop, waits for it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from pledge.access import Principal, authenticate_key, cached_principal
from pledge.consent.ledger.writer import ConsentWriter
from pledge.console.accounts import StaffPrincipal, csrf_ok, session_principal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import AuthenticationRequired, PermissionDenied
from pledge.validation import check_text_fields
from pledge.web.errors import ForbiddenPage, SeeOther


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


class RoleCheck:
    """A dependency that lets through only the given roles (403 for any other).

    A class rather than a closure so that the roles can be read back:
    :mod:`pledge.web.openapi` names them, and the 401 and 403, in ``/api/openapi.json``.
    """

    def __init__(self, roles: tuple[str, ...]) -> None:
        self.roles = roles

    async def __call__(self, principal: PrincipalDep) -> Principal:
        return check_role(principal, self.roles)


def require_role(*roles: str) -> RoleCheck:
    return RoleCheck(roles)


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


async def form_fields(request: Request) -> dict[str, str]:
    """A posted HTML form's text fields (files are dropped); 422 for refused text.

    Reading the body is I/O the loop waits on without blocking, so it stays
    async; the route that uses the fields is a plain ``def`` run in a thread.
    URL-encoded forms were checked at the edge (:mod:`pledge.web.text_guard`);
    multipart ones are checked here, field by field.
    """
    form = await request.form()
    try:
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
    finally:
        await form.close()  # the dropped files' temporary files
    check_text_fields(fields)
    return fields


FormDep = Annotated[dict[str, str], Depends(form_fields)]

STAFF_COOKIE = "pledge_session"
"""The console's session cookie (scoped to ``/admin``)."""
LOGIN_PAGE = "/admin/login"


def signed_in_staff(request: Request, pledge: PledgeDep) -> StaffPrincipal:
    """The staff member whose session cookie came with the request.

    Without a live session a page (``GET``) is sent to the sign-in form and
    any other method gets a 401, like every API error.
    """
    token = request.cookies.get(STAFF_COOKIE)
    principal = session_principal(pledge, token) if token else None
    if principal is not None:
        return principal
    if request.method in ("GET", "HEAD"):
        raise SeeOther(LOGIN_PAGE)
    raise AuthenticationRequired("sign in first")


StaffDep = Annotated[StaffPrincipal, Depends(signed_in_staff)]


SECOND_FACTOR_PAGE = "/admin/account/second-factor"


def require(permission: Permission) -> Any:
    """``Depends`` on a signed-in staff member whose role grants ``permission``.

    Every console route declares its one permission through this (the table is
    :mod:`pledge.console.permissions`); the dependency carries it as
    ``.permission``, which the route-walking test reads. Refused: a page
    (``GET``) answers a 403 page with the navigation the role may use, any
    other method a 403 error. An administrator without an authenticator app is
    sent to set one up instead of seeing a page.
    """

    async def allowed(request: Request, staff: StaffDep) -> StaffPrincipal:
        if permission in staff.permissions:
            return staff
        page = request.method in ("GET", "HEAD")
        if page and staff.must_enrol:
            raise SeeOther(SECOND_FACTOR_PAGE)
        if page:
            raise ForbiddenPage(staff)
        raise PermissionDenied(f"your role ({staff.role}) may not do this")

    allowed.permission = permission  # type: ignore[attr-defined]
    return Depends(allowed)


def declared_permission(call: object) -> Permission | None:
    """The permission a dependency made by :func:`require` checks, if ``call`` is one."""
    permission = getattr(call, "permission", None)
    return permission if isinstance(permission, Permission) else None


async def staff_form(staff: StaffDep, form: FormDep) -> dict[str, str]:
    """A console form, once the session is checked (401) and its CSRF token too (403)."""
    if not csrf_ok(staff, form.get("csrf")):
        raise PermissionDenied("the form has expired; reload the page and try again")
    return form


StaffFormDep = Annotated[dict[str, str], Depends(staff_form)]
