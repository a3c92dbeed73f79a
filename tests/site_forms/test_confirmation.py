"""The mailed link of a site form: only its button records, once, within its days.

The held answers are ciphertext under a key that only the link carries: the
database row shows no address, and a forged key opens nothing.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import ConsentEvent, FormConfirmation
from pledge.retention import run_retention
from pledge.site_forms.confirmations import purge_expired
from pledge.web.access_log import scrub_path
from tests.integration.smtp_server import SmtpServer
from tests.site_forms.helpers import confirmation_link, contact, token

EMAIL = "ada@example.org"


def _ticked(client: TestClient, pledge: Pledge, **changes: object) -> None:
    body = contact(pledge, marketing_opt_in=True, **changes)
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201


def _events(pledge: Pledge) -> list[tuple[str, bool]]:
    with pledge.sessions() as session:
        return [(e.purpose, e.granted) for e in session.scalars(select(ConsentEvent))]


def test_opening_the_link_records_nothing_only_the_button_does(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    _ticked(client, mailer)
    path = confirmation_link(mailer, smtp, EMAIL)
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert _events(mailer) == []  # a mail scanner that opens links gives no consent
    assert client.post(path).status_code == 200
    assert _events(mailer) == [("marketing", True)]


def test_the_link_works_once(client: TestClient, mailer: Pledge, smtp: SmtpServer) -> None:
    _ticked(client, mailer)
    path = confirmation_link(mailer, smtp, EMAIL)
    assert client.post(path).status_code == 200
    again = client.post(path)
    assert again.status_code == 404
    assert "does not work" in again.text
    assert client.get(path).status_code == 404
    assert _events(mailer) == [("marketing", True)]


def test_a_forged_key_opens_nothing_and_leaves_the_real_link_working(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    _ticked(client, mailer)
    path = confirmation_link(mailer, smtp, EMAIL)
    row_id, _, key = path.rsplit("/", 1)[1].partition(".")
    forged = f"/forms/confirm/{row_id}.{'A' * len(key)}"
    assert client.get(forged).status_code == 404
    assert client.post(forged).status_code == 404
    for junk in ("x", "x.y", f"{row_id}.", "a" * 5000):
        assert client.post(f"/forms/confirm/{junk}").status_code == 404
    assert client.post("/forms/confirm/%00").status_code == 422  # refused characters
    assert client.post(path).status_code == 200
    assert _events(mailer) == [("marketing", True)]


def test_an_expired_link_records_nothing_and_is_purged(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    _ticked(client, mailer)
    path = confirmation_link(mailer, smtp, EMAIL)
    with mailer.transaction() as session:
        session.execute(update(FormConfirmation).values(expires_at=utcnow() - timedelta(hours=1)))
    assert client.post(path).status_code == 404
    assert _events(mailer) == []
    _ticked(client, mailer, email="someone.else@example.org")  # purges on write too
    assert purge_expired(mailer) == 0
    with mailer.sessions() as session:
        assert len(session.scalars(select(FormConfirmation)).all()) == 1


def test_the_held_row_shows_no_address(client: TestClient, pledge: Pledge) -> None:
    _ticked(client, pledge)
    with pledge.sessions() as session:
        [row] = session.scalars(select(FormConfirmation)).all()
    assert b"ada@example.org" not in row.ciphertext
    assert b"Ada" not in row.ciphertext


def test_the_link_is_masked_in_the_access_log() -> None:
    assert scrub_path("/forms/confirm/abc.def?x=1") == "/forms/confirm/…"


def test_a_ticked_box_changes_nothing_for_a_known_person_until_confirmed(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    _ticked(client, mailer, country="US")  # opt-out jurisdiction: the box starts ticked
    assert _events(mailer) == []
    confirmation_link(mailer, smtp, EMAIL)
    # Someone else, for the same address, says "no" where the box started ticked:
    body = contact(mailer, country="US", form_token=token(mailer, "contact"))
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    assert _events(mailer) == []  # a known person's choice waits for their mailbox
    later = confirmation_link(mailer, smtp, EMAIL)
    assert client.post(later).status_code == 200
    assert _events(mailer) == [("marketing", False)]


def test_a_new_persons_no_is_recorded_at_once(client: TestClient, pledge: Pledge) -> None:
    body = contact(pledge, country="US", email="new.person@example.org")
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    assert _events(pledge) == [("marketing", False)]


def test_the_page_says_what_the_button_confirms(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    _ticked(client, mailer)
    page = client.get(confirmation_link(mailer, smtp, EMAIL))
    assert "You said yes to" in page.text
    assert "Send me news about products, services and events by e-mail." in page.text
    assert "You said no to" not in page.text
    assert "Your form is kept only once you confirm." not in page.text  # kept already
    assert EMAIL not in page.text  # nothing the person typed
    german = client.get(confirmation_link(mailer, smtp, EMAIL), headers={"Accept-Language": "de"})
    assert "Schicken Sie mir Neuigkeiten" in german.text


def test_the_page_shows_a_deliberate_no_and_a_form_that_waits(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    _ticked(client, mailer, country="US")
    confirmation_link(mailer, smtp, EMAIL)  # now a known person
    body = contact(mailer, country="US", form_token=token(mailer, "contact"))
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    page = client.get(confirmation_link(mailer, smtp, EMAIL))
    assert "You said no to" in page.text
    assert "You said yes to" not in page.text
    letter = {
        "form_token": token(mailer, "newsletter"),
        "email": "nina@example.org",
        "country": "FR",
        "birth_year": "1980",
        "newsletter_opt_in": True,
    }
    assert client.post("/api/v1/forms/newsletter", json=letter).status_code == 201
    waiting = client.get(confirmation_link(mailer, smtp, "nina@example.org"))
    assert "Yes, send me the newsletter by e-mail." in waiting.text
    assert "Your form is kept only once you confirm." in waiting.text


def test_the_retention_run_deletes_answers_whose_link_expired(
    client: TestClient, pledge: Pledge
) -> None:
    """Without another form sent, the daily retention run is what clears them."""
    _ticked(client, pledge)
    _ticked(client, pledge, email="second@example.org")
    with pledge.transaction() as session:
        first = session.scalars(select(FormConfirmation.id)).first()
        session.execute(
            update(FormConfirmation)
            .where(FormConfirmation.id == first)
            .values(expires_at=utcnow() - timedelta(hours=1))
        )
    dry = run_retention(pledge, dry_run=True)
    assert dry.form_confirmations == 1
    assert dry.to_dict()["form_confirmations"] == 1
    done = run_retention(pledge)
    assert done.form_confirmations == 1
    assert "unconfirmed site-form answers: 1" in done.lines()
    with pledge.sessions() as session:
        assert session.scalars(select(FormConfirmation.id)).all() != [first]
        assert len(session.scalars(select(FormConfirmation)).all()) == 1
