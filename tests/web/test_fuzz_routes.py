"""Arbitrary Unicode, surrogates and control characters included, to every route: never a 500.

Every route of the app is found from the app itself (a new route is fuzzed without
anyone listing it). Each gets, per example, text from the whole Unicode range in its
path parameters and query parameters, and a body: a valid-looking one for the routes
that take JSON or forms, its strings replaced by such text (so the request reaches
past the schema), or arbitrary JSON, or arbitrary bytes. Calls carry a valid key of
the role the route wants and, for console forms, a signed-in session and its CSRF
token, so the fuzzing reaches the services and not only the doors. Nothing may
answer 5xx, and nothing may be logged as unhandled.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pledge.access import create_api_key
from pledge.console import accounts
from pledge.core import Pledge
from pledge.settings import Settings
from pledge.startup import upgrade_schema
from pledge.web.app import create_app
from tests.conftest import new_master_key
from tests.service_data.conftest import make_client
from tests.staff_accounts import create_staff, sign_in
from tests.unit.test_docs import _all_routes
from tests.web.conftest import auth

PARAM = re.compile(r"\{([^}]+)\}")
TRICKY = [
    "\ud800",
    "\udfff",
    "\x00",
    "\x85",
    "\x1b",
    "é",
    "\u202e",
    "\ufeff",
    "x" * 300,
    "",
    "AAAAAAAAAAAAAAAAAAAAAA.marketing.1.é",  # an unsubscribe token's shape
]
ANY_CHAR = st.characters(exclude_categories=())  # surrogates included
TEXT = st.one_of(
    st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=24),
    st.sampled_from(TRICKY),
    st.text(ANY_CHAR, max_size=24),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)

BODIES: dict[str, Any] = {
    "/api/v1/requests": {
        "type": "access",
        "email": "p@example.org",
        "country": "FR",
        "region": "",
        "match": {"phone": "+33 1 23 45 67 89", "postcode": "75001"},
        "details": "d",
        "agent": {"name": "a", "email": "a@example.org", "permission": "p" * 40},
    },
    "/api/v1/requests/{request_id}/verify": {"code": "12345678"},
    "/api/v1/complaints": {"email": "p@example.org", "country": "FR", "text": "t"},
    "/api/v1/records": {
        "subject": {"email": "p@example.org", "phone": "+33 1 23 45 67 89", "country": "FR"},
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "web_form:contact_us",
        "data": {"name": "n", "email": "p@example.org", "company": "c"},
    },
    "/api/v1/consents": {
        "subject": {"email": "p@example.org", "country": "FR"},
        "purpose": "marketing",
        "channel": "email",
        "granted": True,
        "method": "web_form",
        "evidence": {"ip": "192.0.2.1", "user_agent": "u", "text": "t"},
    },
    "/api/v1/consents/query": {"email": "p@example.org"},
    "/api/v1/marketing/filter": {"channel": "email", "recipients": ["p@example.org"]},
    "/api/v1/marketing/send": {"to": "p@example.org", "subject": "s", "body": "b"},
    "/api/v1/marketing/do-not-call": {"phone": "+33 1 23 45 67 89", "country": "FR"},
    "/api/v1/cookie-consent": {
        "visitor_id": "0" * 32,
        "version": "0" * 16,
        "categories": {"analytics": True},
    },
    "/api/v1/service/conversations": {
        "channel": "chat",
        "customer": {"id": "c1"},
        "turns": [{"speaker": "customer", "text": "my phone is +33 1 23 45 67 89"}],
    },
    "/api/v1/service/requests": {"type": "access", "customer": {"id": "c1"}},
    "/api/v1/admin/clients": {
        "name": "n",
        "instructions": {"collect": [{"field": "f", "kind": "PHONE"}], "retention_days": 1},
    },
    "/api/v1/admin/requests/{request_id}/extend": {"reason": "because"},
    "/api/v1/admin/holds": {"email": "p@example.org", "reason": "Matter 1"},
    "/api/v1/admin/requests/{request_id}/deny": {"reason": "because"},
    "/api/v1/disclosures": {
        "subject": {"email": "p@example.org"},
        "recipient": "crm_providers",
        "categories": ["identification"],
        "purpose": "respond_to_requests",
    },
}
FORMS: dict[str, dict[str, str]] = {
    "/privacy-center": {"csrf": "", "country": "FR", "type": "access", "email": "p@e.org"},
    "/privacy-center/new/{type}": {"form_token": "", "country": "FR", "email": "p@e.org"},
    "/privacy-center/child-report": {
        "form_token": "",
        "country": "FR",
        "email": "p@e.org",
        "child_email": "c@e.org",
        "relation": "parent",
    },
    "/privacy-center/complaint": {
        "form_token": "",
        "country": "FR",
        "email": "p@e.org",
        "text": "t",
    },
    "/privacy-center/complaint/{complaint_id}": {"csrf": "", "code": "12345678"},
    "/admin/login": {"csrf": "", "email": "p@example.org", "password": "p"},
    "/admin/requests/new": {"type": "access", "email": "p@example.org", "country": "FR"},
    "/admin/clients": {"name": "n", "instructions": "collect: []"},
    "/admin/holds": {"email": "p@example.org", "reason": "Matter 1"},
    "/admin/account/password": {"current_password": "x", "new_password": "y"},
    "/admin/account/sessions/end": {"ref": "0" * 16},
    "/u/{token}/preferences": {"receive": "newsletter:email"},
    "/admin/requests/{request_id}/{action}": {"reason": "r"},
}
OFFICER = "fuzz-officer@interactions.com"
PASSWORD = "correct horse battery staple"


def operations(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) of the app, included routers flattened."""
    found = []
    for route in _all_routes(app.routes):
        if isinstance(route, APIRoute):
            found += [(m, route.path) for m in sorted(route.methods) if m != "HEAD"]
    return found


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One case per route of an app built like the server's (PLEDGE_API_DOCS on)."""
    if "operation" not in metafunc.fixturenames:
        return
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/x.db", api_docs=True)
        throwaway = Pledge(settings)
        try:
            found = operations(create_app(throwaway))
        finally:
            throwaway.dispose()
    assert len(found) > 40
    metafunc.parametrize("operation", found, ids=[f"{m} {p}" for m, p in found])


def fill(value: Any, texts: dict[int, str], seen: list[int] | None = None) -> Any:
    """``value`` with its n-th string replaced by ``texts[n]``; the others kept, so that a
    body stays valid but for a field or two and reaches past the schema."""
    seen = [0] if seen is None else seen
    if isinstance(value, str):
        seen[0] += 1
        return texts.get(seen[0] - 1, value)
    if isinstance(value, dict):
        return {k: fill(v, texts, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, texts, seen) for v in value]
    return value


def encoded(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def form_body(fields: dict[str, str]) -> str:
    return "&".join(
        f"{quote_plus(k)}={quote_plus(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in fields.items()
    )


@dataclass
class Fuzzed:
    client: TestClient
    keys: dict[str, str]
    csrf: str


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """One app for every case: a signed-in admin, keys of each role, limits out of the way."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", hasher)
    patch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy"))
    folder = tmp_path_factory.mktemp("fuzz")
    pledge = Pledge(
        Settings(
            database_url=f"sqlite:///{folder / 'fuzz.db'}",
            master_key=new_master_key(),
            api_docs=True,
            intake_limit_per_ip=1_000_000,
            intake_limit_per_address=1_000_000,
            sign_in_limit_per_ip=1_000_000,
            sign_in_failures_per_account_ip=1_000_000,
        )
    )
    upgrade_schema(pledge)
    create_staff(pledge, OFFICER, "admin", PASSWORD)
    keys = {
        "admin": create_api_key(pledge, name="a", role="admin")[1],
        "system": create_api_key(pledge, name="s", role="system")[1],
        "client": make_client(pledge, "Acme").key,
    }
    try:
        with TestClient(create_app(pledge), raise_server_exceptions=False) as client:
            assert sign_in(client, OFFICER, PASSWORD) == 303  # password, then a code
            page = client.get("/admin/requests/new").text
            csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            client.get("/admin/login")  # the login form's CSRF cookie, for its POST
            client.get("/privacy-center")  # the privacy center's CSRF cookie
            yield Fuzzed(client, keys, csrf)
    finally:
        pledge.dispose()
        patch.undo()


def key_for(path: str, keys: dict[str, str]) -> dict[str, str]:
    if path.startswith("/api/v1/admin") or path.startswith("/api/v1/requests/{request_id}"):
        return auth(keys["admin"])
    if path.startswith("/api/v1/service"):
        return auth(keys["client"])
    if path.startswith(("/api/v1/records", "/api/v1/consents", "/api/v1/marketing", "/api/v1/d")):
        return auth(keys["system"])
    return {}


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_route_answers_500_to_any_text(
    fuzzed: Fuzzed,
    operation: tuple[str, str],
    data: st.DataObject,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, (method, path) = fuzzed.client, operation
    url = PARAM.sub(lambda _m: encoded(data.draw(TEXT, label="path")), path)
    query = data.draw(
        st.dictionaries(st.sampled_from(["status", "format", "country", "kind"]), TEXT),
        label="query",
    )
    if query:
        url += "?" + "&".join(f"{k}={encoded(v)}" for k, v in query.items())
    headers = key_for(path, fuzzed.keys)
    texts = data.draw(st.dictionaries(st.integers(0, 12), TEXT, max_size=3), label="texts")
    content: bytes | str | None = None
    if method in ("POST", "PUT", "PATCH"):
        shape = data.draw(st.sampled_from(["template", "json", "bytes"]), label="shape")
        if path in FORMS and shape != "bytes":
            fields = fill(FORMS[path], texts)
            if path.startswith("/admin") and path != "/admin/login":
                fields["csrf"] = fuzzed.csrf
            content = form_body(fields)
            headers["content-type"] = "application/x-www-form-urlencoded"
        elif shape == "template":
            content = json.dumps(fill(BODIES.get(path, {}), texts))
            headers["content-type"] = "application/json"
        elif shape == "json":
            content = json.dumps(data.draw(JSON_VALUE, label="json"))
            headers["content-type"] = "application/json"
        else:
            content = data.draw(st.binary(max_size=64), label="bytes")
            headers["content-type"] = data.draw(
                st.sampled_from(["application/json", "application/x-www-form-urlencoded"])
            )
    with caplog.at_level(logging.ERROR):
        response = client.request(
            method, url, content=content, headers=headers, follow_redirects=False
        )
    assert response.status_code < 500, (method, path, response.text[:300])
    assert "unhandled" not in caplog.text
    assert "internal error" not in caplog.text
