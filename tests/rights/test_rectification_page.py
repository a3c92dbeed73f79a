"""Rectification a person finishes on their request's page (issue #12, item 3).

The privacy center's form cannot know what is held, so a rectification made
there arrives without corrections. It used to reach staff and end as "no
corrections were proposed"; now it waits, and the person's page offers the
fields held (names, never values), checks each value like collection, and
hands the corrections to staff. Real app, real SMTP server, both databases.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import RequestEvent, RightsRequest
from pledge.jobs import deliver_outbox
from pledge.rights.lifecycle import private_data
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, NAME, PHONE, collect
from tests.rights.test_request_page import csrf, mailed, sign_in
from tests.web.conftest import auth

HELD_COMPANY = "Quartermaine Looms"
NEW_EMAIL = "mina.quartermaine@example.net"
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def from_the_form(web: TestClient, type: str = "rectification") -> None:
    """The privacy center's form, as a person fills it: type, e-mail, phone; no corrections."""
    page = web.get("/privacy-center", params={"country": "FR"})
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    form = {
        "csrf": match.group(1),
        "country": "FR",
        "region": "",
        "type": type,
        "email": EMAIL,
        "phone": PHONE,
    }
    response = web.post("/privacy-center", data=form)
    assert response.status_code == 200, response.text


@pytest.fixture
def waiting(mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str) -> str:
    """A rectification from the privacy center, its code entered on its page: the page's path."""
    collect(web, system_key)
    from_the_form(web)
    code, path = mailed(mailer, smtp)
    sign_in(web, path, code)
    return path


def row_of(pledge: Pledge, path: str) -> RightsRequest:
    with pledge.sessions() as session:
        row = session.get(RightsRequest, path.rsplit("/", 1)[1])
        assert row is not None
        session.expunge(row)
        return row


def corrections_of(pledge: Pledge, path: str) -> Any:
    return private_data(pledge, row_of(pledge, path)).get("corrections")


def send(web: TestClient, path: str, headers: dict[str, str] | None = None, **values: str) -> Any:
    form = {"csrf": csrf(web.get(path, headers=headers)), **values}
    return web.post(f"{path}/corrections", data=form, headers=headers)


def test_a_rectification_without_corrections_waits_for_them(
    mailer: Pledge, waiting: str, web: TestClient
) -> None:
    row = row_of(mailer, waiting)
    assert (row.status, row.outcome, row.closed_at) == ("awaiting_corrections", None, None)
    page = web.get(waiting)
    assert "Confirmed; waiting for your corrections" in page.text
    assert "Tell us what to correct" in page.text
    for field, label in (("name", "Name"), ("email", "Email address"), ("company", "Company")):
        assert f'<label for="correction-{field}">{label}' in page.text
        assert f'name="correction_{field}"' in page.text
    for not_held in ("phone", "job_title", "inquiry", "event_name"):
        assert f'name="correction_{not_held}"' not in page.text
    for value in (NAME, HELD_COMPANY, EMAIL):
        assert value not in page.text, "names of fields, never their values"


def test_a_bad_value_is_named_beside_its_field_and_nothing_is_kept(
    mailer: Pledge, waiting: str, web: TestClient
) -> None:
    answer = send(web, waiting, correction_email="not-an-email", correction_company="<b>Mills")
    assert answer.status_code == 422
    assert '<p class="field-error" id="correction-email-error">Not a valid email.</p>' in (
        answer.text
    )
    assert 'aria-describedby="correction-email-error" aria-invalid="true"' in answer.text
    assert 'value="&lt;b&gt;Mills"' in answer.text  # what was typed stays, escaped
    assert "<b>Mills" not in answer.text
    formula = send(web, waiting, correction_company="=HYPERLINK(1)")
    assert formula.status_code == 422
    assert 'id="correction-company-error">Must not begin with =' in formula.text
    assert corrections_of(mailer, waiting) is None
    assert row_of(mailer, waiting).status == "awaiting_corrections"


@pytest.mark.parametrize(
    "forged",
    [
        {"correction_phone": "+33 6 12 34 56 78"},  # declared by the policy, not held
        {"correction_favourite_colour": "blue"},  # declared nowhere
        {"correction_company": "Mills", "correction_inquiry": "none"},
    ],
)
def test_a_field_not_held_cannot_be_corrected(
    mailer: Pledge, waiting: str, web: TestClient, forged: dict[str, str]
) -> None:
    answer = send(web, waiting, **forged)
    assert answer.status_code == 422
    assert 'id="corrections-error" role="alert">We hold no such field about you' in answer.text
    assert 'aria-describedby="corrections-hint corrections-error"' in answer.text
    assert corrections_of(mailer, waiting) is None
    assert row_of(mailer, waiting).status == "awaiting_corrections"


def test_an_empty_form_asks_for_a_value(mailer: Pledge, waiting: str, web: TestClient) -> None:
    answer = send(web, waiting, correction_company="  ")
    assert answer.status_code == 422
    assert "Type the corrected value of at least one field." in answer.text
    assert corrections_of(mailer, waiting) is None


def test_corrections_go_to_staff_once(
    mailer: Pledge, smtp: SmtpServer, waiting: str, web: TestClient
) -> None:
    stale = web.post(f"{waiting}/corrections", data={"csrf": "x", "correction_company": "Mills"})
    assert stale.status_code == 400
    assert corrections_of(mailer, waiting) is None

    answer = send(web, waiting, correction_email=f"  {NEW_EMAIL} ", correction_name="")
    assert answer.status_code == 200, answer.text
    assert "we received your corrections" in answer.text
    assert "Confirmed; our team is reviewing it" in answer.text
    assert "You sent your corrections" in answer.text
    assert 'action="' + waiting + '/corrections"' not in answer.text
    assert corrections_of(mailer, waiting) == {"email": NEW_EMAIL}
    assert row_of(mailer, waiting).status == "awaiting_review"
    deliver_outbox(mailer)
    assert any("A member of our team checks" in m.body for m in smtp.messages_to(EMAIL))

    again = send(web, waiting, correction_email="someone.else@example.net")
    assert again.status_code == 409
    assert "This request does not take corrections now." in again.text
    assert corrections_of(mailer, waiting) == {"email": NEW_EMAIL}
    with mailer.sessions() as session:
        steps = list(
            session.scalars(
                select(RequestEvent.event)
                .where(RequestEvent.request_id == waiting.rsplit("/", 1)[1])
                .order_by(RequestEvent.id)
            )
        )
    assert steps[-3:] == ["awaiting_corrections", "corrections_sent", "awaiting_review"]


def test_without_the_page_session_nothing_is_taken(
    mailer: Pledge, waiting: str, web: TestClient
) -> None:
    form = csrf(web.get(waiting))
    web.cookies.delete("pledge_request", path=waiting)
    answer = web.post(
        f"{waiting}/corrections",
        data={"csrf": form, "correction_company": "Mills"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert corrections_of(mailer, waiting) is None


def test_the_form_in_german(mailer: Pledge, waiting: str, web: TestClient) -> None:
    page = web.get(waiting, headers=GERMAN)
    assert "Bestätigt; wir warten auf Ihre Korrekturen" in page.text
    answer = send(web, waiting, headers=GERMAN, correction_email="not-an-email")
    assert answer.status_code == 422
    assert 'id="correction-email-error">Keine gültige E-Mail-Adresse.</p>' in answer.text
    forged = send(web, waiting, headers=GERMAN, correction_phone="+33 6 12 34 56 78")
    assert "Dieses Feld haben wir nicht über Sie gespeichert" in forged.text


def test_approved_corrections_from_the_page_take_effect(
    mailer: Pledge, smtp: SmtpServer, waiting: str, web: TestClient, admin_key: str
) -> None:
    assert send(web, waiting, correction_company="Quartermaine Mills").status_code == 200
    request_id = waiting.rsplit("/", 1)[1]
    staff = web.get(f"/api/v1/requests/{request_id}", headers=auth(admin_key)).json()
    assert staff["corrections"] == [
        {
            "field": "company",
            "held": [{"category": "identification", "value": HELD_COMPANY}],
            "proposed": "Quartermaine Mills",
            "warning": None,
        }
    ]
    approved = web.post(f"/api/v1/admin/requests/{request_id}/approve", headers=auth(admin_key))
    body = approved.json()
    assert (body["status"], body["outcome"]) == ("completed", "whole")
    assert body["result"]["corrected"] == ["company"]
    page = web.get(waiting)
    assert '<p class="status">\nCompleted' in page.text
