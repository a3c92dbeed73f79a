"""What ``/api/openapi.json`` says beyond what FastAPI derives: the errors, and who may call.

FastAPI documents, for every route with input, a 422 of its own shape
(``{"detail": [...]}``) that Pledge never sends, and nothing of the 401, 403,
404, 409, 413, 429 and 503 it does send. A client generated from that
description, or a fuzzer holding the server to it (``tests/web/test_schemathesis.py``),
would be misled on every error. So the description is finished here, from the
routes themselves, once per app:

- every operation answers 422 with the one error shape (:class:`ErrorOut`): the
  text guard and validation can refuse any request; and 503 when it reaches Pledge
  (``PledgeDep``, or a key to check), which may find the database gone;
- one that reads a body also answers 413, one with a path parameter 404;
- one that needs a key (a ``require_role`` dependency, or ``keyed(...)`` for a
  route that checks its key by hand) names the bearer scheme, its roles
  (``x-pledge-roles``), and answers 401 and 403;
- a route declares any other error it answers (``errors(409, 429)``), and each
  gets the error shape;
- where a body names a policy category, purpose or recipient, the schema lists the
  loaded policy's ids (``enum``): the server refuses any other with 422, so the
  description says so, and a client (or a fuzzer) can send a value that gets through.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field

from pledge.policy import Policy
from pledge.web.deps import RoleCheck, get_pledge

ROLES_KEY = "x-pledge-roles"
SCHEME = "bearer"
JSON = "application/json"
WHY = {
    400: "The request cannot be acted on as sent (e.g. a wrong code).",
    401: "No key, or an unknown, revoked or disabled one.",
    403: "A key of another role.",
    404: "Nothing by that id, or not for this caller (the same answer for both).",
    409: "The request conflicts with the current state.",
    410: "Gone for good (an expired or used-up package).",
    413: "The body, or a list in it, is over the limit.",
    422: "The request is not valid: `fields` names each offending field, never its value.",
    429: "Too many requests or attempts; `Retry-After` says when to try again.",
    503: "The database cannot be reached; nothing was done; retry after `Retry-After`.",
}
FASTAPI_ONLY = ("HTTPValidationError", "ValidationError")
"""Components of FastAPI's own 422 shape, which Pledge never sends."""


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable machine-readable code, e.g. `validation_failed`.")
    message: str = Field(description="For people; names fields, never their values.")
    fields: dict[str, str] | None = Field(
        default=None,
        description="Each offending field (`records[3].data.note`) and what is wrong with it.",
    )


class ErrorOut(BaseModel):
    """Every error Pledge answers on purpose: ``{"error": {"code", "message", "fields"?}}``."""

    error: ErrorDetail


def keyed(*roles: str) -> dict[str, Any]:
    """``openapi_extra`` for a route that checks its key by hand (no ``require_role``)."""
    return {ROLES_KEY: list(roles)}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses`` for the error statuses a route answers beyond the usual ones."""
    return {status: {"description": WHY[status], "model": ErrorOut} for status in statuses}


def install_openapi(app: FastAPI, policy: Policy) -> None:
    """Replace ``app.openapi`` by one that finishes FastAPI's description (cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                openapi_version=app.openapi_version,
                routes=app.routes,
            )
            app.openapi_schema = finish(spec, app.routes, policy)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(spec: dict[str, Any], routes: list[Any], policy: Policy) -> dict[str, Any]:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    _name_policy_ids(spec, policy)
    for name in FASTAPI_ONLY:
        schemas.pop(name, None)
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schemas["ErrorOut"].pop("$defs", {}))
    spec["components"]["securitySchemes"] = {
        SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`pledge keys create`), a Client key (`pc_…`), "
            "or a request's token for that request's own routes.",
        }
    }
    for route in _api_routes(routes):
        item = spec["paths"].get(route.path_format, {})
        for method in route.methods:
            operation = item.get(method.lower())
            if operation is not None:
                _finish_operation(operation, route)
    return spec


def _api_routes(routes: list[Any]) -> Iterator[Any]:
    """Every documented JSON route, included routers flattened (as FastAPI itself walks them)."""
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield context


def _finish_operation(operation: dict[str, Any], route: Any) -> None:
    roles = operation.get(ROLES_KEY) or sorted(_roles(route.dependant))
    statuses = {422}
    if _uses(route.dependant, get_pledge) or roles:
        statuses.add(503)
    if "requestBody" in operation:
        statuses.add(413)
    if route.param_convertors:
        statuses.add(404)
    if roles:
        operation[ROLES_KEY] = roles
        operation["security"] = [{SCHEME: []}]
        statuses |= {401, 403}
    responses = operation["responses"]
    for status in sorted(statuses):
        responses.setdefault(str(status), {"description": WHY[status]})
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            response["content"] = {JSON: {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    operation["responses"] = dict(sorted(responses.items()))


def _policy_ids(policy: Policy) -> dict[tuple[str, str], list[str]]:
    """(schema title, property) → the ids the policy allows there."""
    categories = [c.id for c in policy.categories]
    purposes = [p.id for p in policy.purposes]
    return {
        ("RecordIn", "category"): categories,
        ("RecordIn", "purpose"): purposes,
        ("ConsentIn", "purpose"): purposes,
        ("DisclosureIn", "recipient"): [r.id for r in policy.recipients],
        ("DisclosureIn", "categories"): categories,
        ("DisclosureIn", "purpose"): purposes,
    }


def _name_policy_ids(spec: dict[str, Any], policy: Policy) -> None:
    """Set ``enum`` on each policy id property, wherever its model sits (components, or
    inlined in a route's body by ``openapi_body``)."""
    wanted = _policy_ids(policy)
    stack: list[Any] = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        title = str(node.get("title", ""))
        for name, prop in node.get("properties", {}).items() if title else ():
            ids = wanted.get((title, str(name)))
            if ids:
                target = prop["items"] if prop.get("type") == "array" else prop
                target["enum"] = ids
        stack.extend(node.values())


def _uses(dependant: Dependant, call: Any) -> bool:
    return any(d.call is call or _uses(d, call) for d in dependant.dependencies)


def _roles(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, RoleCheck):
            found.update(dependency.call.roles)
        found |= _roles(dependency)
    return found
