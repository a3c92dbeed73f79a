"""Every operation of ``/api/openapi.json``, driven by schemathesis from that description.

The description is the one the app serves (fetched from ``/api/openapi.json`` of an
app built like the server's; the fixture checks that the app under test serves the
same). schemathesis generates, per operation, requests that fit it and requests that
do not (wrong types, missing fields, values out of range, odd text), in its three
phases: the examples in the description, boundary "coverage" cases, then random
fuzzing. Each runs four times, as four callers: an admin key, a system key, a
Client key and nobody. It runs on SQLite and, when the server answers, PostgreSQL.

What must hold for every answer:
- no 5xx (``not_a_server_error``);
- the status is one the description lists for the operation (``status_code_conformance``),
  its content type too (``content_type_conformance``), and its body matches the
  schema given for that status (``response_schema_conformance``): errors included,
  since :mod:`pledge.web.openapi` describes them;
- a 4xx is JSON ``{"error": {"code", "message", "fields"?}}``, and a 400 or 422
  names the field at fault (:mod:`tests.web.api_checks`).

schemathesis's other checks are left out, each for a reason:
- ``positive_data_acceptance``: a request the schema accepts may still be refused by
  the policy (an undeclared category or purpose), by state (an unknown id is 404) or
  by its caller's role: the schema cannot say which categories exist;
- ``negative_data_rejection``: it expects schema-invalid requests to be refused, but
  a Pledge route accepts some of them on purpose (``NoBody`` ignores what an empty
  action's body holds; one-click unsubscribe reads no body, RFC 8058), and every
  schema-invalid request that is refused is already held to the error shape above;
- ``ignored_auth``, ``use_after_free``, ``ensure_resource_availability``: they
  replay requests across operations, which needs the stateful run; the roles are
  checked here by running each caller (401 without a key, 403 for a wrong role).

State: one fresh database per module and database kind; anonymous intake limits
are raised (these requests all come from one address), and mail goes to the outbox
(no SMTP server), so nobody is mailed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pledge.access import create_api_key
from pledge.core import Pledge
from pledge.settings import Settings
from pledge.startup import settle_data, upgrade_schema
from pledge.web.app import create_app
from tests.conftest import _truncate_all, new_master_key
from tests.service_data.conftest import make_client
from tests.web.api_checks import pledge_error_shape
from tests.web.conftest import auth

CALLERS = ("admin", "system", "client", "nobody")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    pledge_error_shape,
]
MAX_EXAMPLES = 8
"""Random examples per operation and caller, on top of the coverage phase's cases."""


def served_description() -> dict[str, Any]:
    """``/api/openapi.json`` of an app built like the server's, for collection."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/x.db", master_key=new_master_key())
        throwaway = Pledge(settings)
        try:
            with TestClient(create_app(throwaway)) as client:
                spec: dict[str, Any] = client.get("/api/openapi.json").json()
        finally:
            throwaway.dispose()
    return spec


DESCRIPTION = served_description()
schema = schemathesis.openapi.from_dict(DESCRIPTION)


def requests_only(app: FastAPI) -> Any:
    """``app`` for HTTP requests only. The fixture's TestClient runs the app's lifespan
    once for the module; schemathesis would run it again per test and end it after
    each (closing the consent writer under the next test's feet), so its lifespan
    messages are declined, as an app without a lifespan declines them."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)

    return asgi


@dataclass
class Api:
    app: Any
    keys: dict[str, str]

    def headers(self, caller: str) -> dict[str, str]:
        return auth(self.keys[caller]) if caller in self.keys else {}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A fresh database, a key of each kind, limits on anonymous intake out of the way."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.db'}"
        master_key = new_master_key()
    else:
        url = str(request.getfixturevalue("postgres_url"))
        master_key = str(request.getfixturevalue("_pg_master_key"))
    pledge = Pledge(
        Settings(
            database_url=url,
            master_key=master_key,
            smtp_url=None,
            intake_limit_per_ip=1_000_000,
            intake_limit_per_address=1_000_000,
        )
    )
    upgrade_schema(pledge)
    if not pledge.settings.is_sqlite:
        _truncate_all(pledge)
        settle_data(pledge)
    keys = {
        "admin": create_api_key(pledge, name="schemathesis-admin", role="admin")[1],
        "system": create_api_key(pledge, name="schemathesis-system", role="system")[1],
        "client": make_client(pledge, "Schemathesis").key,
    }
    try:
        with TestClient(create_app(pledge), raise_server_exceptions=False) as client:
            assert client.get("/api/openapi.json").json() == DESCRIPTION
            yield Api(requests_only(client.app), keys)  # type: ignore[arg-type]
    finally:
        pledge.dispose()


@schema.parametrize()
@pytest.mark.parametrize("caller", CALLERS)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_holds_to_its_description(
    case: schemathesis.Case, caller: str, api: Api
) -> None:
    headers = api.headers(caller)
    response = case.call(app=api.app, headers=headers)
    case.validate_response(response, headers=headers, checks=CHECKS)
