"""One form per right in the privacy center, on both databases, with the real SMTP server.

Each form asks only what its right needs; a restriction, objection or
withdrawal names purposes from the policy, which fulfilment then uses; an
agent gives their name, address and the signed permission; each kind of bad
input gets its message beside the field and writes nothing.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import Delivery, RightsRequest
from pledge.jobs import deliver_outbox
from pledge.restrictions import restrictions_for
from pledge.web.form_tokens import form_token
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import CODE, EMAIL, PHONE, collect

AGENT = "agent.smith@agency.example"
PERMISSION = "I, Wilhelmina Quartermaine, authorise Agent Smith to act for me. Signed W.Q."


def token_of(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "form without its token"
    return match.group(1)


def send(web: TestClient, type_: str, country: str = "FR", **fields: str) -> Any:
    """Open the form of ``type_`` as a browser would, fill it in and send it."""
    form = web.get(f"/privacy-center/new/{type_}", params={"country": country})
    assert form.status_code == 200, form.text
    data = {"form_token": token_of(form.text), "country": country, "region": "", **fields}
    return web.post(f"/privacy-center/new/{type_}", data=data)


def held(pledge: Pledge) -> tuple[int, int]:
    """(requests, mails) stored: bad input must leave both unchanged."""
    with pledge.sessions() as session:
        requests = session.scalar(select(func.count()).select_from(RightsRequest)) or 0
        mails = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return int(requests), int(mails)


def only_request(pledge: Pledge) -> RightsRequest:
    with pledge.sessions() as session:
        (row,) = session.scalars(select(RightsRequest)).all()
        session.expunge(row)
        return row


def confirm_on_the_page(web: TestClient, pledge: Pledge, smtp: SmtpServer, to: str) -> str:
    """Read the code and the link from the real mail and enter the code on the request page."""
    deliver_outbox(pledge)
    (mail,) = [m for m in smtp.messages_to(to) if CODE.search(m.body)]
    code = CODE.search(mail.body)
    link = re.search(r"/privacy-center/requests/[0-9a-f-]{36}", mail.body)
    assert code is not None
    assert link is not None
    page = web.get(link.group(0))
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    answer = web.post(link.group(0), data={"csrf": csrf.group(1), "code": code.group(1)})
    assert answer.status_code in {200, 303}, answer.text
    return link.group(0).rsplit("/", 1)[1]


def test_the_privacy_center_links_each_right_to_its_form(web: TestClient) -> None:
    page = web.get("/privacy-center", params={"country": "FR"}).text
    for type_ in ("access", "restriction", "objection", "withdraw_consent", "opt_out_marketing"):
        assert f'href="/privacy-center/new/{type_}?country=FR&amp;region="' in page
    assert 'href="/privacy-center/child-report?country=FR' in page
    assert "A child under 13 gave you data?" in page


def test_each_form_asks_only_what_its_right_needs(web: TestClient) -> None:
    def inputs(type_: str, country: str = "FR") -> set[str]:
        html = web.get(f"/privacy-center/new/{type_}", params={"country": country}).text
        return set(re.findall(r'<(?:input|textarea|select)[^>]* name="([^"]+)"', html))

    agent = {"for_someone_else", "agent_name", "agent_email", "agent_permission"}
    base = {"form_token", "country", "region", "email", "details"} | agent
    assert inputs("access") == base | {"phone", "username"}
    assert inputs("erasure") == base | {"phone", "username"}
    assert inputs("opt_out_marketing") == base
    assert inputs("disclosures") == base
    assert inputs("objection") == base | {
        "purpose_marketing",
        "purpose_site_analytics",
        "purpose_career_opportunities",
        "purpose_background_checks",
        "purpose_security",
        "purpose_business_transfer",
    }
    assert inputs("withdraw_consent") == base | {"purpose_marketing"}
    assert "purpose_respond_to_requests" in inputs("restriction")
    # Outside the EU, marketing rests on notice: nothing to withdraw consent from.
    assert inputs("withdraw_consent", "BR") == base
    opt_out = web.get("/privacy-center/new/opt_out_marketing", params={"country": "FR"}).text
    assert "on every channel we use: e-mail, phone, and post." in opt_out
    german = web.get(
        "/privacy-center/new/opt_out_marketing",
        params={"country": "DE"},
        headers={"Accept-Language": "de"},
    ).text
    assert "auf allen Kanälen, die wir nutzen: E-Mail, Telefon und Post." in german


def test_an_objection_names_purposes_and_only_those_stop(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    subject = collect(web, system_key)["subject_id"]
    answer = send(web, "objection", email=EMAIL, purpose_site_analytics="1")
    assert answer.status_code == 200, answer.text
    assert "We received your request" in answer.text
    confirm_on_the_page(web, mailer, smtp, EMAIL)
    row = only_request(mailer)
    assert (row.status, row.result["stopped_purposes"]) == ("completed", ["site_analytics"])
    assert row.result["marketing_suppressed"] is False
    with mailer.sessions() as session:
        assert restrictions_for(session, subject) == ["objection:site_analytics"]


def test_a_restriction_from_its_form_keeps_the_purposes_named(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    subject = collect(web, system_key)["subject_id"]
    answer = send(web, "restriction", email=EMAIL, purpose_marketing="1", details="inaccurate")
    assert answer.status_code == 200, answer.text
    confirm_on_the_page(web, mailer, smtp, EMAIL)
    row = only_request(mailer)
    assert (row.status, row.result["restricted"]) == ("completed", True)
    assert row.result["purposes"] == ["marketing"]
    with mailer.sessions() as session:
        assert restrictions_for(session, subject) == ["restriction"]


def test_an_agent_asks_and_the_person_is_mailed_the_code(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    answer = send(
        web,
        "access",
        email=EMAIL,
        phone=PHONE,
        for_someone_else="1",
        agent_name="Agent Smith",
        agent_email=AGENT,
        agent_permission=PERMISSION,
    )
    assert answer.status_code == 200, answer.text
    assert "We mailed the person you act for a code and a link." in answer.text
    row = only_request(mailer)
    assert row.by_agent
    deliver_outbox(mailer)
    assert [m for m in smtp.messages_to(EMAIL) if CODE.search(m.body)]  # the person's code
    assert not [m for m in smtp.messages_to(AGENT) if CODE.search(m.body)]
    assert smtp.messages_to(AGENT)  # the agent's acknowledgement


# Bad input: a message beside the field, nothing written, never a 500.


def _error_beside(html: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]+)</p>', html)
    assert match, f"no message beside {name}"
    assert re.search(rf'name="{name}"[^>]*aria-describedby="[^"]*{name}-error"', html) or (
        f'aria-describedby="{name}-error"' in html
    )
    return match.group(1)


def test_an_unknown_type_is_answered_with_the_list_of_rights(
    mailer: Pledge, web: TestClient
) -> None:
    page = web.get("/privacy-center/new/sell_my_soul", params={"country": "FR"})
    assert page.status_code == 404
    assert "We do not know this kind of request." in page.text
    assert "/privacy-center/new/access" in page.text
    sent = web.post("/privacy-center/new/sell_my_soul", data={"email": EMAIL, "country": "FR"})
    assert sent.status_code == 404
    assert held(mailer) == (0, 0)


def test_a_malformed_email_is_named_beside_its_field(mailer: Pledge, web: TestClient) -> None:
    answer = send(web, "opt_out_marketing", email="not-an-address")
    assert answer.status_code == 422
    assert _error_beside(answer.text, "email").startswith("Enter your e-mail address")
    assert held(mailer) == (0, 0)


def test_a_request_that_reveals_data_needs_the_second_data_point(
    mailer: Pledge, web: TestClient
) -> None:
    answer = send(web, "access", email=EMAIL)
    assert answer.status_code == 422
    assert "Give your phone number" in _error_beside(answer.text, "phone")
    bad = send(web, "erasure", email=EMAIL, phone="12")
    assert bad.status_code == 422
    not_a_phone = send(web, "erasure", email=EMAIL, phone="call me maybe")
    assert "This is not a phone number" in _error_beside(not_a_phone.text, "phone")
    assert held(mailer) == (0, 0)


def test_an_unknown_or_missing_purpose_is_named(mailer: Pledge, web: TestClient) -> None:
    unknown = send(web, "objection", email=EMAIL, purpose_world_domination="1")
    assert unknown.status_code == 422
    assert _error_beside(unknown.text, "purposes") == "Choose only from the purposes listed."
    # A contract purpose is no ground for an objection.
    contract = send(web, "objection", email=EMAIL, purpose_service_provision="1")
    assert contract.status_code == 422
    missing = send(web, "withdraw_consent", email=EMAIL)
    assert _error_beside(missing.text, "purposes") == "Choose at least one of the purposes listed."
    assert held(mailer) == (0, 0)


def test_an_agent_without_the_signed_permission_is_refused(mailer: Pledge, web: TestClient) -> None:
    answer = send(
        web,
        "opt_out_marketing",
        email=EMAIL,
        for_someone_else="1",
        agent_name="Agent Smith",
        agent_email=AGENT,
        agent_permission="ok",
    )
    assert answer.status_code == 422
    assert "signed permission" in _error_beside(answer.text, "agent_permission")
    assert held(mailer) == (0, 0)


def test_a_stale_form_is_refused_and_a_fresh_one_given(mailer: Pledge, web: TestClient) -> None:
    web.get("/privacy-center/new/opt_out_marketing", params={"country": "FR"})
    nonce = web.cookies.get("pledge_session")
    assert nonce
    path = "/privacy-center/new/opt_out_marketing"
    old = form_token(mailer, nonce, path, now=time.time() - 3 * 3600)
    answer = web.post(path, data={"form_token": old, "country": "FR", "email": EMAIL})
    assert answer.status_code == 409
    assert "This form expired." in answer.text
    assert token_of(answer.text) != old
    assert held(mailer) == (0, 0)


def test_a_form_sent_twice_records_one_request(mailer: Pledge, web: TestClient) -> None:
    path = "/privacy-center/new/opt_out_marketing"
    form = web.get(path, params={"country": "FR"})
    data = {"form_token": token_of(form.text), "country": "FR", "email": EMAIL}
    assert web.post(path, data=data).status_code == 200
    again = web.post(path, data=data)
    assert again.status_code == 409
    assert "This form was already sent" in again.text
    assert held(mailer)[0] == 1


def test_a_form_from_another_site_is_refused(mailer: Pledge, web: TestClient) -> None:
    form = web.get("/privacy-center/new/opt_out_marketing", params={"country": "FR"})
    token = token_of(form.text)
    web.cookies.clear()  # another site's form comes without this browser's cookie
    answer = web.post(
        "/privacy-center/new/opt_out_marketing",
        data={"form_token": token, "country": "FR", "email": EMAIL},
    )
    assert answer.status_code == 409
    assert held(mailer) == (0, 0)


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"type": "access", "purposes": ["marketing"]}, "purposes", 422),
        ({"type": "objection", "purposes": ["nope"]}, "purposes", 422),
        ({"type": "withdraw_consent", "purposes": ["site_analytics"]}, "purposes", 422),
        ({"type": "objection", "purposes": []}, "purposes", 422),
    ],
)
def test_the_api_checks_purposes_against_the_policy(
    mailer: Pledge, web: TestClient, body: dict[str, Any], field: str, status: int
) -> None:
    answer = web.post("/api/v1/requests", json={"email": EMAIL, "country": "FR", **body})
    assert answer.status_code == status, answer.text
    assert field in answer.json()["error"]["fields"]
    assert held(mailer) == (0, 0)


def test_the_api_without_purposes_works_as_before(mailer: Pledge, web: TestClient) -> None:
    answer = web.post(
        "/api/v1/requests", json={"type": "objection", "email": EMAIL, "country": "FR"}
    )
    assert answer.status_code == 202, answer.text


def test_the_forms_speak_german(web: TestClient) -> None:
    german = {"Accept-Language": "de"}
    form = web.get("/privacy-center/new/objection", params={"country": "DE"}, headers=german)
    assert '<html lang="de">' in form.text
    assert "Welchen Verwendungen Ihrer Daten Sie widersprechen" in form.text
    assert "Stellen Sie den Antrag für eine andere Person?" in form.text
    data = {"form_token": token_of(form.text), "country": "DE", "email": "x"}
    answer = web.post("/privacy-center/new/objection", data=data, headers=german)
    assert "Geben Sie Ihre E-Mail-Adresse ein" in _error_beside(answer.text, "email")
    child = web.get("/privacy-center/child-report", params={"country": "DE"}, headers=german)
    assert "Ein Kind unter 13 hat Ihnen Daten gegeben" in child.text


def test_a_form_opened_without_a_country_asks_for_it(mailer: Pledge, web: TestClient) -> None:
    form = web.get("/privacy-center/new/opt_out_marketing")
    assert '<input id="country" name="country"' in form.text
    data = {"form_token": token_of(form.text), "email": EMAIL, "country": "1"}
    answer = web.post("/privacy-center/new/opt_out_marketing", data=data)
    assert answer.status_code == 422
    assert _error_beside(answer.text, "country").startswith("Enter the two letters")
    assert held(mailer) == (0, 0)
    data = {"form_token": token_of(answer.text), "email": EMAIL, "country": "fr"}
    done = web.post("/privacy-center/new/opt_out_marketing", data=data)
    assert done.status_code == 200, done.text
    assert held(mailer)[0] == 1
