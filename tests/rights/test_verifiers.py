"""The second data point (issue #11, item 3): only declared verifiers, never the address.

``match: {"email": <the request's own address>}`` used to pass as a second data
point, giving full access, erasure and rectification to whoever read the
mailbox. Now intake accepts only the policy's verifiers (``phone`` and
``username`` in the bundled policy), refuses any that repeats the address or
is too simple, and verification ignores such a point recorded before.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import RightsRequest
from pledge.records import records_for_email
from pledge.rights.lifecycle import private_data
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, NAME, PHONE, ask, collect, confirm, mailed_code
from tests.rights.test_fulfilment import package, run

USERNAME = "wquartermaine-7731"


def refused(web: TestClient, **body: Any) -> dict[str, str]:
    payload = {"type": "access", "email": EMAIL, "country": "FR", **body}
    response = web.post("/api/v1/requests", json=payload)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    text = json.dumps(error)
    for value in body.get("match", {}).values():
        assert value not in text, "an error must name the field, never echo the value"
    fields: dict[str, str] = error["fields"]
    return fields


def account(web: TestClient, system_key: str, username: str = USERNAME) -> None:
    collect(
        web,
        system_key,
        category="client_account",
        purpose="client_account_management",
        source="sign_up",
        data={"name": NAME, "username": username, "email": EMAIL},
    )


@pytest.mark.parametrize("type", ["access", "portability", "erasure", "rectification"])
def test_the_address_is_never_a_second_data_point(
    mailer: Pledge, web: TestClient, system_key: str, type: str
) -> None:
    collect(web, system_key)
    for match in ({"email": EMAIL}, {"email": EMAIL.upper()}, {"phone": PHONE, "email": EMAIL}):
        fields = refused(web, type=type, match=match)
        assert list(fields) == ["match.email"], fields
    assert len(records_for_email(mailer, EMAIL)) == 1


def test_a_verifier_that_repeats_the_address_is_refused(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    """A username equal to the address (in any case or spacing) proves nothing more."""
    account(web, system_key, username=EMAIL)
    for value in (EMAIL, f"  {EMAIL.upper()} ", "Wilhelmina.Quartermaine", f"x{EMAIL}"):
        fields = refused(web, type="erasure", match={"username": value})
        assert "repeats the e-mail address" in fields["match.username"]


def test_undeclared_and_too_simple_points_are_refused(web: TestClient, system_key: str) -> None:
    collect(web, system_key)
    fields = refused(web, match={"company": "Quartermaine Looms", "name": NAME})
    assert set(fields) == {"match.company", "match.name"}
    assert "not a detail the policy accepts" in fields["match.company"]
    fields = refused(web, match={"username": "aaaa-aaaa"})
    assert "too simple" in fields["match.username"]
    assert refused(web, match={"phone": "xyzzy-plugh"}) == {"match.phone": "invalid"}


def test_a_declared_verifier_held_in_records_gives_full_access(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    account(web, system_key)
    done = run(mailer, smtp, web, match={"username": USERNAME.upper()})
    assert (done["status"], done["verification"], done["outcome"]) == ("completed", "full", "whole")
    body = package(web, done).json()
    assert body["categories"][0]["records"][0]["data"]["username"] == USERNAME


def test_without_a_verifier_access_gives_categories_and_erasure_is_denied(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    access = run(mailer, smtp, web, match={"phone": ""})
    assert (access["verification"], access["outcome"]) == ("categories", "part")
    assert NAME not in json.dumps(package(web, access).json())
    erasure = run(mailer, smtp, web, type="erasure")
    assert erasure["status"] == "denied"
    assert "could not verify your identity" in erasure["reason"]
    assert len(records_for_email(mailer, EMAIL)) == 1


def test_an_address_recorded_as_a_point_before_the_fix_does_not_verify(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    """A request taken before intake refused ``match.email`` still falls to the e-mail level."""
    collect(web, system_key, data={"name": NAME, "email": EMAIL, "company": "Quartermaine Looms"})
    request = ask(web, type="erasure")
    with mailer.transaction() as session:
        row = session.scalars(select(RightsRequest).where(RightsRequest.id == request["id"])).one()
        private = private_data(mailer, row)
        private["match"] = {
            "email": mailer.keys.blind_index("match:email", EMAIL),
            "company": mailer.keys.blind_index("match:company", "Quartermaine Looms"),
        }
        row.private_ciphertext = mailer.keys.encrypt_system(private, f"rights-private:{row.id}")
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert (done["status"], done["verification"]) == ("denied", "email")
    assert len(records_for_email(mailer, EMAIL)) == 1
