"""Text that cannot be stored or shown is refused at the edge, naming the field (issue #11,
item 15): lone surrogates and control characters in JSON bodies (keys and values, at any
depth), forms, query strings and paths. Comparisons of submitted secrets never raise, and a
value stored before the edge refused it no longer breaks its person's package."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import Record
from pledge.records import RecordIn, collect
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, PHONE, ask, confirm, mailed_code, record_body
from tests.web.conftest import auth
from tests.web.test_records_api import contact_record

JSON = {"content-type": "application/json"}


def post_json(client: TestClient, path: str, body: Any, **headers: str) -> Any:
    """``json.dumps`` escapes lone surrogates (``\\ud800``), as an attacker's client would."""
    return client.post(path, content=json.dumps(body), headers={**JSON, **headers})


def stored(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


@pytest.mark.parametrize(
    ("where", "value", "field", "why"),
    [
        ("company", "Analytical \ud800 Engines", "data.company", "unpaired surrogate"),
        ("company", "nul\x00byte", "data.company", "control character"),
        ("company", "C1 \x85 next line", "data.company", "control character"),
        ("company", "escape \x1b[31m", "data.company", "control character"),
    ],
)
def test_records_with_refused_text_are_422_naming_the_field(
    pledge: Pledge,
    client: TestClient,
    system_key: str,
    where: str,
    value: str,
    field: str,
    why: str,
) -> None:
    body = contact_record()
    body["data"][where] = value
    response = post_json(client, "/api/v1/records", body, **auth(system_key))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert why in error["fields"][field]
    assert value not in response.text
    assert stored(pledge) == 0


def test_keys_and_nested_values_are_checked_too(client: TestClient, system_key: str) -> None:
    body = contact_record()
    body["records"] = None
    body["subject"]["name"] = "A\ud83d"  # half of an emoji
    body["data"]["notes\x07"] = "x"
    response = post_json(client, "/api/v1/records", body, **auth(system_key))
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"subject.name", "data.(key)"}


def test_good_text_passes(pledge: Pledge, client: TestClient, system_key: str) -> None:
    body = contact_record()
    body["data"]["company"] = "Zoë's \ud83d\ude00 Café\tLtd.\r\nSecond line, \\u0000 as text"
    response = post_json(client, "/api/v1/records", body, **auth(system_key))
    assert response.status_code == 201, response.text
    assert stored(pledge) == 1


def test_match_values_client_names_and_codes_are_checked(
    client: TestClient, admin_key: str
) -> None:
    intake = {"type": "access", "email": EMAIL, "country": "FR", "match": {"phone": "\ud800"}}
    response = post_json(client, "/api/v1/requests", intake)
    assert response.status_code == 422
    assert "match.phone" in response.json()["error"]["fields"]
    named = {"name": "Acme\x00", "instructions": {"collect": [], "retention_days": 1}}
    response = post_json(client, "/api/v1/admin/clients", named, **auth(admin_key))
    assert response.status_code == 422
    assert "name" in response.json()["error"]["fields"]
    code = post_json(client, "/api/v1/requests/x/verify", {"code": "\udfff"})
    assert code.status_code == 422


def test_query_strings_and_paths_are_checked(client: TestClient, admin_key: str) -> None:
    query = client.get("/api/v1/admin/requests?status=open%00", headers=auth(admin_key))
    assert query.status_code == 422
    assert query.json()["error"]["fields"] == {"query.status": "contains a control character"}
    path = client.get("/api/v1/requests/abc%00def", headers=auth("rq_x"))
    assert path.status_code == 422
    assert "path" in path.json()["error"]["fields"]


def test_forms_are_checked_urlencoded_and_multipart(client: TestClient) -> None:
    page = client.get("/privacy-center", params={"country": "FR"})
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {"csrf": csrf, "country": "FR", "type": "access", "email": EMAIL, "details": "a\x00b"}
    urlencoded = client.post("/privacy-center", data=form)
    assert urlencoded.status_code == 422
    assert "details" in urlencoded.json()["error"]["fields"]
    multipart = client.post(
        "/privacy-center", data=form, files={"attachment": ("a.txt", b"\x00\x01", "text/plain")}
    )
    assert multipart.status_code == 422
    assert "details" in multipart.json()["error"]["fields"]


def test_odd_csrf_fields_and_link_signatures_never_raise(
    pledge: Pledge, client: TestClient
) -> None:
    """``compare_digest`` refuses non-ASCII ``str``: every comparison is on bytes now."""
    client.get("/privacy-center", params={"country": "FR"})
    form = {"csrf": "é" * 40, "country": "FR", "type": "access", "email": EMAIL}
    assert client.post("/privacy-center", data=form).status_code == 400
    client.get("/admin/login")
    login = client.post("/admin/login", data={"csrf": "ü", "email": "a@b.c", "password": "x"})
    assert login.status_code == 200
    assert "Please try again" in login.text
    unsubscribe = client.get("/u/AAAAAAAAAAAAAAAAAAAAAA.newsletter.1.ÿÿÿÿ")
    assert unsubscribe.status_code == 404


def test_a_value_stored_before_the_edge_refused_it_does_not_break_the_package(
    mailer: Pledge, smtp: SmtpServer, client: TestClient
) -> None:
    """Written straight through the service, as the API allowed before."""
    body = record_body()
    body["data"]["company"] = "Broken \ud800 Looms"
    collect(mailer, [RecordIn.model_validate(body)], actor="test")
    request = ask(client, match={"phone": PHONE})
    confirm(client, request, mailed_code(mailer, smtp))
    path = f"/api/v1/requests/{request['id']}/package"
    package = client.get(path, headers=auth(request["token"]))
    assert package.status_code == 200, package.text
    assert "Broken \\ud800 Looms" in package.text
    html = client.get(path, params={"format": "html"}, headers=auth(request["token"]))
    assert html.status_code == 200
    assert "Broken ? Looms" in html.text
