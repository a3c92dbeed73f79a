"""``/api/v1/forms`` on SQLite and PostgreSQL: the contract shapes, records, consent, mail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import ConsentEvent, Delivery, Record
from pledge.jobs import deliver_outbox
from pledge.records.schemas import RecordIn, SubjectIn
from pledge.records.service import collect, records_for_email
from tests.integration.smtp_server import SmtpServer
from tests.site_forms.helpers import NOTHING, contact, counts, follow_link, token


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


def test_the_embeddable_scripts_words_come_in_the_readers_language(client: TestClient) -> None:
    english = client.get("/api/v1/forms/contact").json()["words"]
    german = client.get("/api/v1/forms/contact", headers={"Accept-Language": "de"}).json()
    assert english["send"] == "Send"
    assert german["words"]["send"] == "Senden"
    assert set(german["words"]) == set(english)
    assert all(german["words"][key] != english[key] for key in english)


def test_an_unknown_form_is_404(client: TestClient, pledge: Pledge) -> None:
    assert client.get("/api/v1/forms/nope").status_code == 404
    assert client.post("/api/v1/forms/nope", json=contact(pledge)).status_code == 404


def test_a_contact_submission_is_a_record_and_its_consent_waits_for_the_mail(
    client: TestClient, pledge: Pledge
) -> None:
    response = client.post("/api/v1/forms/contact", json=contact(pledge, marketing_opt_in=True))
    assert response.status_code == 201, response.text
    assert response.json() == {"form": "contact", "status": "confirm_by_mail"}
    [held] = records_for_email(pledge, "ada@example.org")
    assert (held.category, held.purpose) == ("identification", "respond_to_requests")
    assert held.data["inquiry"] == "Please send me your prices."
    assert "birth_year" not in held.data
    with pledge.sessions() as session:
        events = session.scalars(select(ConsentEvent)).all()
        mails = session.scalars(select(Delivery)).all()
    assert events == []  # a ticked box is a consent only once the mailed link is followed
    assert [m.template for m in mails] == ["site_form_confirmation"]


def test_an_unticked_box_records_nothing(client: TestClient, pledge: Pledge) -> None:
    response = client.post("/api/v1/forms/contact", json=contact(pledge))
    assert response.json() == {"form": "contact", "status": "received"}
    with pledge.sessions() as session:
        assert session.scalars(select(ConsentEvent)).all() == []


def test_an_eu_newsletter_needs_the_ticked_box_and_then_the_link(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    body = {
        "form_token": token(mailer, "newsletter"),
        "email": "news@example.org",
        "country": "FR",
        "birth_year": "1980",
    }
    refused = client.post("/api/v1/forms/newsletter", json=body)
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"newsletter_opt_in"}
    assert counts(mailer) == NOTHING
    given = client.post("/api/v1/forms/newsletter", json={**body, "newsletter_opt_in": True})
    assert given.status_code == 201, given.text
    assert given.json()["status"] == "confirm_by_mail"
    assert {**counts(mailer), "mails": 0} == NOTHING  # only the mail: no person, no record
    follow_link(client, mailer, smtp, "news@example.org")
    with mailer.sessions() as session:
        assert session.scalars(select(Record.purpose)).all() == ["marketing"]
        assert [(e.purpose, e.granted) for e in session.scalars(select(ConsentEvent))] == [
            ("marketing", True)
        ]


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


def test_the_confirmed_consent_keeps_the_question_as_evidence(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    from pledge.consent.ledger.evidence import text_hash

    body = contact(mailer, marketing_opt_in=True)
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    follow_link(client, mailer, smtp, "ada@example.org")
    question = mailer.policy.site.forms[0].consents[0]
    with mailer.sessions() as session:
        [event] = session.scalars(select(ConsentEvent)).all()
    assert (event.method, event.channel, event.jurisdiction) == (
        "email_confirmation",
        "email",
        "eu",
    )
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


def test_a_newsletter_waits_for_the_link_wherever_the_submitter_says_they_live(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    """Marketing rests on consent in the EU, and the country is only what was typed: a
    stranger typing "US" for someone's address gets nothing kept until the mailbox confirms."""
    body = {
        "form_token": token(mailer, "newsletter"),
        "email": "us.news@example.org",
        "country": "US",
        "birth_year": "1980",
    }
    given = client.post("/api/v1/forms/newsletter", json=body)
    assert given.status_code == 201, given.text
    assert given.json()["status"] == "confirm_by_mail"
    assert {**counts(mailer), "mails": 0} == NOTHING
    follow_link(client, mailer, smtp, "us.news@example.org")
    with mailer.sessions() as session:
        assert session.scalars(select(Record.legal_basis)).all() == ["notice"]


def test_a_known_californian_claiming_the_us_is_not_held(
    client: TestClient, pledge: Pledge
) -> None:
    """The form asks no region: "US" for a person held in California claims what is held."""
    californian = SubjectIn(email="cal@example.org", country="US", region="CA")
    record = RecordIn(
        subject=californian,
        category="identification",
        purpose="respond_to_requests",
        source="test",
        data={"email": "cal@example.org"},
    )
    collect(pledge, [record], actor="test")
    body = contact(pledge, email="cal@example.org", country="US")
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    with pledge.sessions() as session:
        assert len(session.scalars(select(Record.id)).all()) == 2, "kept at once"
