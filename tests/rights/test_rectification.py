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
from pledge.db.models import (
    Identity,
    MarketingReach,
    MarketingSuppression,
    RightsRequest,
    SubjectKey,
)
from pledge.records import records_for_email
from pledge.rights.lifecycle import private_data
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, NAME, PHONE, ask, collect, confirm, mailed_code
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
            "warning": None,
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


NEW_EMAIL = "mina.quartermaine@example.net"
NEW_PHONE = "+33 6 98 76 54 32"


def approve(web: TestClient, admin_key: str, request_id: str) -> dict[str, Any]:
    answer = web.post(f"/api/v1/admin/requests/{request_id}/approve", headers=auth(admin_key))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def subject_found(mailer: Pledge, smtp: SmtpServer, web: TestClient, email: str) -> str | None:
    """The subject a new request made with ``email`` finds once its code is entered."""
    request = ask(web, type="know", email=email)
    done = confirm(web, request, mailed_code(mailer, smtp, to=email))
    with mailer.sessions() as session:
        row = session.get(RightsRequest, done["id"])
        assert row is not None
        return row.subject_id


def test_a_field_held_in_no_record_is_not_held_never_corrected(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    collect(web, system_key)  # the record holds name, email and company; no phone
    done = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"phone": NEW_PHONE, "company": PROPOSED},
    )
    body = approve(web, admin_key, done["id"])
    assert (body["status"], body["outcome"]) == ("completed", "part")
    assert body["result"]["corrected"] == ["company"]
    assert body["result"]["not_held"] == ["phone"]
    assert "not_applied" not in body["result"]
    assert body["reason"].startswith("Some fields you asked to correct are not held")
    assert records_for_email(mailer, EMAIL)[0].data["company"] == PROPOSED

    only = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"job_title": "Weaver"},
    )
    body = approve(web, admin_key, only["id"])
    assert (body["outcome"], body["result"]["corrected"]) == ("none", [])
    assert body["result"]["not_held"] == ["job_title"]
    assert "job_title" not in records_for_email(mailer, EMAIL)[0].data


def test_a_corrected_email_moves_the_identity_and_its_indexes(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    subject_id = collect(web, system_key)["subject_id"]
    assert subject_found(mailer, smtp, web, EMAIL) == subject_id
    done = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"email": NEW_EMAIL},
    )
    body = approve(web, admin_key, done["id"])
    assert (body["status"], body["outcome"]) == ("completed", "whole")
    assert body["result"]["corrected"] == ["email"]
    assert records_for_email(mailer, NEW_EMAIL)[0].data["email"] == NEW_EMAIL
    assert records_for_email(mailer, EMAIL) == []
    keys = mailer.keys
    with mailer.sessions() as session:
        reach = set(
            session.scalars(
                select(MarketingReach.email_index).where(MarketingReach.subject_id == subject_id)
            )
        )
        (identity,) = session.scalars(
            select(Identity).where(Identity.subject_id == subject_id, Identity.kind == "email")
        )
        data_key = keys.unwrap(
            session.scalar(
                select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
            ),
            subject_id,
        )
        held = keys.decrypt_json(data_key, identity.ciphertext, f"identity:{identity.id}")
    assert held == NEW_EMAIL
    assert reach == {bytes.fromhex(keys.blind_index("email", NEW_EMAIL))}
    assert subject_found(mailer, smtp, web, NEW_EMAIL) == subject_id
    assert subject_found(mailer, smtp, web, EMAIL) is None


def test_a_corrected_phone_verifies_the_person_and_the_old_one_does_not(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    data = {"name": NAME, "email": EMAIL, "phone": PHONE, "company": HELD}
    collect(web, system_key, data=data)
    done = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"phone": NEW_PHONE},
    )
    body = approve(web, admin_key, done["id"])
    assert (body["outcome"], body["result"]["corrected"]) == ("whole", ["phone"])
    assert records_for_email(mailer, EMAIL)[0].data["phone"] == NEW_PHONE
    new = run(mailer, smtp, web, match={"phone": NEW_PHONE})
    assert new["verification"] == "full"
    old = run(mailer, smtp, web, match={"phone": PHONE})
    assert old["verification"] == "categories"


def test_an_email_that_finds_someone_else_is_not_applied(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    collect(web, system_key)
    other = collect(web, system_key, email=NEW_EMAIL)["subject_id"]
    done = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"email": NEW_EMAIL, "company": PROPOSED},
    )
    staff = web.get(f"/api/v1/requests/{done['id']}", headers=auth(admin_key)).json()
    warnings = {c["field"]: c["warning"] for c in staff["corrections"]}
    assert warnings["company"] is None
    assert "another person we hold already has this address" in warnings["email"]
    body = approve(web, admin_key, done["id"])
    assert (body["status"], body["outcome"]) == ("completed", "part")
    assert (body["result"]["corrected"], body["result"]["not_applied"]) == (["company"], ["email"])
    assert "could not be recorded" in body["reason"]
    assert NEW_EMAIL not in json.dumps(body)
    (record,) = records_for_email(mailer, EMAIL)
    assert (record.data["email"], record.data["company"]) == (EMAIL, PROPOSED)
    assert subject_found(mailer, smtp, web, NEW_EMAIL) == other


def test_a_rectification_about_nothing_held_goes_on_as_before(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, admin_key: str
) -> None:
    done = run(mailer, smtp, web, type="rectification")
    assert done["status"] == "awaiting_review"
    body = approve(web, admin_key, done["id"])
    assert (body["status"], body["outcome"]) == ("completed", "none")
    assert body["result"]["note"].startswith("We hold no personal data about you")


def verdict(web: TestClient, system_key: str, *emails: str) -> dict[str, Any]:
    response = web.post(
        "/api/v1/marketing/filter",
        json={"channel": "email", "recipients": list(emails)},
        headers=auth(system_key),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_send_list_follows_a_corrected_email_with_the_persons_wishes(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    collect(web, system_key)
    consent = {
        "subject": {"email": EMAIL, "country": "FR"},
        "purpose": "marketing",
        "channel": "email",
        "granted": True,
        "method": "web_form",
    }
    assert web.post("/api/v1/consents", json=consent, headers=auth(system_key)).status_code == 201
    assert verdict(web, system_key, EMAIL)["allowed"] == [EMAIL]
    done = run(
        mailer,
        smtp,
        web,
        type="rectification",
        match={"phone": PHONE},
        corrections={"email": NEW_EMAIL},
    )
    approve(web, admin_key, done["id"])
    assert verdict(web, system_key, NEW_EMAIL, EMAIL)["allowed"] == [NEW_EMAIL]

    request = ask(web, type="opt_out_marketing", email=NEW_EMAIL)
    confirm(web, request, mailed_code(mailer, smtp, to=NEW_EMAIL))
    back = ask(
        web,
        type="rectification",
        email=NEW_EMAIL,
        match={"phone": PHONE},
        corrections={"email": EMAIL},
    )
    again = confirm(web, back, mailed_code(mailer, smtp, to=NEW_EMAIL))
    approve(web, admin_key, again["id"])
    assert verdict(web, system_key, EMAIL)["allowed"] == []
    with mailer.sessions() as session:
        reasons = set(
            session.scalars(
                select(MarketingSuppression.reason).where(
                    MarketingSuppression.email_index == mailer.keys.blind_index("email", EMAIL)
                )
            )
        )
    assert reasons == {"opt_out_marketing"}  # copied from the address the person opted out with


def test_a_rectification_waiting_for_corrections_can_be_denied(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    collect(web, system_key)
    waiting = run(mailer, smtp, web, type="rectification", match={"phone": PHONE})
    assert waiting["status"] == "awaiting_corrections"
    denied = web.post(
        f"/api/v1/admin/requests/{waiting['id']}/deny",
        json={"reason": "the person did not say what to correct"},
        headers=auth(admin_key),
    )
    assert denied.json()["status"] == "denied"
