"""Rectification (issue #11, item 5): corrections checked like collection, seen by the reviewer.

Staff used to approve corrections they could not see, and approved values
skipped the policy's field types (an e-mail of ``not-an-email``, nested
objects, spreadsheet formulas were stored).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.console.accounts import create_user
from pledge.core import Pledge
from pledge.db.models import RightsRequest
from pledge.records import records_for_email
from pledge.rights.lifecycle import private_data
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, PHONE, collect
from tests.rights.test_fulfilment import run
from tests.staff_accounts import PASSWORD, sign_in
from tests.web.conftest import auth

HELD = "Quartermaine Looms"
PROPOSED = "Quartermaine Mills & Co"


def refused(web: TestClient, corrections: dict[str, Any], type: str = "rectification") -> Any:
    payload = {
        "type": type,
        "email": EMAIL,
        "country": "FR",
        "match": {"phone": PHONE},
        "corrections": corrections,
    }
    response = web.post("/api/v1/requests", json=payload)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    text = json.dumps(error)
    for value in corrections.values():
        if isinstance(value, str):
            assert value not in text, "an error names the field, never the value"
    return error["fields"]


@pytest.mark.parametrize(
    ("corrections", "why"),
    [
        ({"email": "not-an-email"}, "not a valid email"),
        ({"company": {"name": "Mills"}}, "not a list or an object"),
        ({"company": ["Mills"]}, "not a list or an object"),
        ({"company": '=HYPERLINK("http://evil.example","x")'}, "must not begin with"),
        ({"company": "@SUM(A1)"}, "must not begin with"),
        ({"company": "-1+2"}, "must not begin with"),
        ({"phone": "=1+2"}, "must not begin with"),
        ({"company": "x" * 1001}, "not a valid string"),
        ({"company": None}, "give the corrected value"),
        ({"favourite_colour": "blue"}, "not a field of your data"),
        ({"transcript": "said something else"}, "not a field of your data"),
    ],
)
def test_intake_refuses_corrections_collection_would_refuse(
    web: TestClient, corrections: dict[str, Any], why: str
) -> None:
    fields = refused(web, corrections)
    (name,) = corrections
    assert why in fields[f"corrections.{name}"], fields


def test_corrections_belong_to_rectification_only(web: TestClient) -> None:
    assert refused(web, {"company": PROPOSED}, type="access") == {
        "corrections": "only for type rectification"
    }


def test_valid_corrections_are_accepted(web: TestClient) -> None:
    payload = {
        "type": "rectification",
        "email": EMAIL,
        "country": "FR",
        "corrections": {"phone": "+33 6 12 34 56 78", "company": PROPOSED, "email": EMAIL},
    }
    assert web.post("/api/v1/requests", json=payload).status_code == 202


def test_staff_see_old_and_new_values_the_requester_does_not(
    mailer: Pledge,
    smtp: SmtpServer,
    web: TestClient,
    system_key: str,
    admin_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    collect(web, system_key)
    done = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"company": PROPOSED},
    )
    assert done["status"] == "awaiting_review"
    assert "corrections" not in done
    assert PROPOSED not in json.dumps(done)
    own = web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"]))
    assert "corrections" not in own.json()
    assert PROPOSED not in own.text
    assert HELD not in own.text

    staff = web.get(f"/api/v1/requests/{done['id']}", headers=auth(admin_key)).json()
    assert staff["corrections"] == [
        {
            "field": "company",
            "held": [{"category": "identification", "value": HELD}],
            "proposed": PROPOSED,
        }
    ]

    create_user(
        mailer, email="officer@interactions.com", role="staff", password=PASSWORD, actor="t"
    )
    assert sign_in(web, "officer@interactions.com") == 303
    page = web.get(f"/admin/requests/{done['id']}")
    assert page.status_code == 200
    assert HELD in page.text
    assert "Quartermaine Mills &amp; Co" in page.text  # escaped, as every value

    approved = web.post(f"/api/v1/admin/requests/{done['id']}/approve", headers=auth(admin_key))
    assert approved.json()["status"] == "completed"
    assert "corrections" not in approved.json()
    assert records_for_email(mailer, EMAIL)[0].data["company"] == PROPOSED
    for secret in (PROPOSED, HELD):
        assert secret not in caplog.text


def test_a_stored_correction_that_breaks_the_policy_is_not_applied(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    """A correction recorded before intake checked it is checked again when applied."""
    collect(web, system_key)
    done = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"company": PROPOSED},
    )
    with mailer.transaction() as session:
        row = session.scalars(select(RightsRequest).where(RightsRequest.id == done["id"])).one()
        private = private_data(mailer, row)
        private["corrections"] = {
            "company": "=HYPERLINK(1)",
            "email": "not-an-email",
            "name": "Wilhelmina Q.",
        }
        row.private_ciphertext = mailer.keys.encrypt_system(private, f"rights-private:{row.id}")
    approved = web.post(f"/api/v1/admin/requests/{done['id']}/approve", headers=auth(admin_key))
    body = approved.json()
    assert (body["status"], body["outcome"]) == ("completed", "part")
    assert body["result"]["not_applied"] == ["company", "email"]
    assert body["result"]["corrected"] == ["name"]
    (record,) = records_for_email(mailer, EMAIL)
    assert record.data["company"] == HELD
    assert record.data["email"] == EMAIL
    assert record.data["name"] == "Wilhelmina Q."
