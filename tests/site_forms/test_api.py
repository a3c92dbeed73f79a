"""``/api/v1/forms`` on SQLite and PostgreSQL: the contract shapes, records, consent, mail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import ConsentEvent, Delivery, Record
from pledge.jobs import deliver_outbox
from pledge.records.service import records_for_email
from tests.integration.smtp_server import SmtpServer
from tests.site_forms.helpers import NOTHING, contact, counts, token


def test_the_forms_of_the_policy_are_listed_for_anyone(client: TestClient) -> None:
    response = client.get("/api/v1/forms")
    assert response.status_code == 200
    forms = {form["id"]: form for form in response.json()}
    assert set(forms) == {
        "contact",
        "demo_request",
        "webinar_registration",
        "newsletter",
        "support",
        "careers",
    }
    careers = forms["careers"]
    assert (careers["category"], careers["purpose"]) == ("employment_application", "recruitment")
    resume = next(f for f in careers["fields"] if f["name"] == "resume")
    assert resume["type"] == "file"
    assert resume["required"] is True
    assert forms["contact"]["ask_age"] is True
    assert forms["contact"]["token"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_german_labels_where_the_policy_translates_them(client: TestClient) -> None:
    form = client.get("/api/v1/forms/contact", headers={"Accept-Language": "de"}).json()
    assert form["title"] == "Kontakt"
    assert {f["name"]: f["label"] for f in form["fields"]}["email"] == "Ihre E-Mail-Adresse"


def test_an_unknown_form_is_404(client: TestClient, pledge: Pledge) -> None:
    assert client.get("/api/v1/forms/nope").status_code == 404
    assert client.post("/api/v1/forms/nope", json=contact(pledge)).status_code == 404


def test_a_contact_submission_is_a_record_with_its_consent_and_mail(
    client: TestClient, pledge: Pledge
) -> None:
    response = client.post("/api/v1/forms/contact", json=contact(pledge, marketing_opt_in=True))
    assert response.status_code == 201, response.text
    [held] = records_for_email(pledge, "ada@example.org")
    assert (held.category, held.purpose) == ("identification", "respond_to_requests")
    assert held.data["inquiry"] == "Please send me your prices."
    assert "birth_year" not in held.data
    with pledge.sessions() as session:
        events = session.scalars(select(ConsentEvent)).all()
        mails = session.scalars(select(Delivery)).all()
    assert [(e.purpose, e.granted) for e in events] == [("marketing", True)]
    assert [m.template for m in mails] == ["site_form_confirmation"]


def test_an_eu_visitor_who_leaves_the_box_unticked_is_recorded_as_no(
    client: TestClient, pledge: Pledge
) -> None:
    assert client.post("/api/v1/forms/contact", json=contact(pledge)).status_code == 201
    with pledge.sessions() as session:
        events = session.scalars(select(ConsentEvent)).all()
    assert [(e.purpose, e.granted) for e in events] == [("marketing", False)]


def test_an_eu_newsletter_needs_the_ticked_box(client: TestClient, pledge: Pledge) -> None:
    body = {
        "form_token": token(pledge, "newsletter"),
        "email": "news@example.org",
        "country": "FR",
        "birth_year": "1980",
    }
    refused = client.post("/api/v1/forms/newsletter", json=body)
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"newsletter_opt_in"}
    assert counts(pledge) == NOTHING
    given = client.post("/api/v1/forms/newsletter", json={**body, "newsletter_opt_in": True})
    assert given.status_code == 201, given.text
    with pledge.sessions() as session:
        assert session.scalars(select(Record.purpose)).all() == ["marketing"]


def test_invalid_fields_are_named_and_nothing_is_stored(client: TestClient, pledge: Pledge) -> None:
    body = contact(pledge, email="not-an-address", inquiry=None, country="Germany")
    response = client.post("/api/v1/forms/contact", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"email", "inquiry", "country"}
    assert counts(pledge) == NOTHING


def test_an_under_13_is_refused_and_nothing_kept_not_even_the_address(
    client: TestClient, pledge: Pledge
) -> None:
    from datetime import date

    young = str(date.today().year - 13)  # 12 or 13 today: could be a child
    response = client.post("/api/v1/forms/contact", json=contact(pledge, birth_year=young))
    assert response.status_code == 422
    assert "children under 13" in response.json()["error"]["fields"]["birth_year"]
    assert counts(pledge) == NOTHING
    assert records_for_email(pledge, "ada@example.org") == []
    missing = client.post("/api/v1/forms/contact", json=contact(pledge, birth_year=None))
    assert set(missing.json()["error"]["fields"]) == {"birth_year"}


def test_the_consent_answer_keeps_the_question_as_evidence(
    client: TestClient, pledge: Pledge
) -> None:
    from pledge.consent.ledger.evidence import text_hash

    body = contact(pledge, marketing_opt_in=True)
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    question = pledge.policy.site.forms[0].consents[0]
    with pledge.sessions() as session:
        [event] = session.scalars(select(ConsentEvent)).all()
    assert (event.method, event.channel, event.jurisdiction) == ("web_form", "email", "eu")
    assert event.text_hash == text_hash(question.text)


def test_the_confirmation_is_mailed_in_the_persons_language(
    mailer: Pledge, smtp: SmtpServer, client: TestClient
) -> None:
    headers = {"Accept-Language": "de"}
    response = client.post("/api/v1/forms/contact", json=contact(mailer), headers=headers)
    assert response.status_code == 201
    deliver_outbox(mailer)
    [mail] = smtp.messages_to("ada@example.org")
    assert "Wir haben Ihr Formular erhalten: Kontakt" in mail.message["Subject"]
    assert "Please send me your prices." not in mail.body
