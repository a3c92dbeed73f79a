"""The request's page speaks the reader's language, as the privacy center does.

Real app, real SMTP server, both databases. The request is made in German
through the API (``language: de``), so its code mail is German; the page
itself follows the browser (``Accept-Language``), ``?lang=`` and the
``pledge_lang`` cookie, whatever language the request was made in.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.i18n import language
from pledge.jobs import deliver_outbox
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, PHONE, ask, collect, wrong_code
from tests.rights.test_request_page import COOKIE, LINK, csrf

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
GERMAN_CODE = re.compile(r"Ihr Bestätigungscode lautet (\d{8})")
ENGLISH_MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)


def german_mail(pledge: Pledge, smtp: SmtpServer) -> tuple[str, str]:
    """The newest German code mail: (code, path of the link)."""
    deliver_outbox(pledge)
    bodies = [m.body for m in smtp.messages_to(EMAIL) if GERMAN_CODE.search(m.body)]
    assert bodies, "no German code mail"
    code, link = GERMAN_CODE.search(bodies[-1]), LINK.search(bodies[-1])
    assert code is not None, bodies[-1]
    assert link is not None, bodies[-1]
    assert "Öffnen Sie die Seite Ihrer Anfrage und geben Sie dort den Code ein:" in bodies[-1]
    return code.group(1), link.group(2)


def enter(web: TestClient, path: str, code: str, headers: dict[str, str]) -> Any:
    form = csrf(web.get(path, headers=headers))
    return web.post(
        path, data={"csrf": form, "code": code}, headers=headers, follow_redirects=False
    )


@pytest.fixture
def german(mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str) -> str:
    """An access request made in German, with a second data point: its page's path."""
    collect(web, system_key)
    ask(web, match={"phone": PHONE}, language="de")
    return german_mail(mailer, smtp)[1]


def test_the_code_form_is_german_for_a_german_browser(german: str, web: TestClient) -> None:
    page = web.get(german, headers=GERMAN)
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    for words in (
        "<title>Ihre Anfrage — ",
        '<label for="code">Code aus der E-Mail</label>',
        "8 Ziffern, 30 Minuten lang gültig.",
        '<button type="submit">Meine Anfrage öffnen</button>',
        "Kein Code oder ein alter?",
        '<button type="submit" aria-describedby="resend-hint">Neuen Code senden</button>',
        '<a href="/privacy-center">Neue Anfrage stellen</a>',
    ):
        assert words in page.text, words
    assert "Open my request" not in page.text
    assert f'<a href="{german}?lang=en" lang="en" hreflang="en">English</a>' in page.text
    assert 'lang="de" hreflang="de" aria-current="true">Deutsch</a>' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert "Accept-Language" in page.headers["vary"]


def test_the_code_form_is_english_otherwise(german: str, web: TestClient) -> None:
    for headers in (ENGLISH, {"Accept-Language": "fr-FR"}, {}):
        page = web.get(german, headers=headers)
        assert '<html lang="en">' in page.text, headers
        assert '<button type="submit">Open my request</button>' in page.text
        assert "Meine Anfrage öffnen" not in page.text


def test_errors_at_the_code_form_are_german(
    mailer: Pledge, smtp: SmtpServer, german: str, web: TestClient
) -> None:
    code, _ = german_mail(mailer, smtp)
    short = enter(web, german, "123", GERMAN)
    assert short.status_code == 400
    assert "Geben Sie die 8 Ziffern des Codes aus unserer E-Mail ein." in short.text
    wrong = enter(web, german, wrong_code(code), GERMAN)
    assert wrong.status_code == 400
    assert '<p class="field-error" id="code-error">Der Code ist nicht korrekt.</p>' in wrong.text
    stale = web.post(german, data={"csrf": "forged", "code": code}, headers=GERMAN)
    assert stale.status_code == 400
    assert "Dieses Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet." in (
        stale.text
    )
    # the answer to a form: the switcher leads back to the page, not to the form's address
    assert f'<a href="{german}?lang=en"' in stale.text
    sent = web.post(f"{german}/code", data={"csrf": csrf(web.get(german))}, headers=GERMAN)
    assert sent.status_code == 200
    assert "haben wir einen neuen Code an ihre E-Mail-Adresse gesendet" in sent.text
    assert f'<a href="{german}?lang=en"' in sent.text


def test_the_signed_in_page_is_german_with_status_timeline_and_downloads(
    mailer: Pledge, smtp: SmtpServer, german: str, web: TestClient
) -> None:
    code, _ = german_mail(mailer, smtp)
    assert enter(web, german, code, GERMAN).status_code == 303
    page = web.get(german, headers=GERMAN)
    assert '<html lang="de">' in page.text
    today = language("de").date(utcnow())
    for words in (
        "<h1>Ihre Anfrage: Auskunft über Ihre personenbezogenen Daten</h1>",
        f"eingegangen am {today}.",
        "<h2>Stand</h2>",
        "Erledigt",
        "<h2>Wie es weitergeht</h2>",
        "Ihre Daten liegen bereit.",
        "Sie können sie noch 5 Mal herunterladen, bis zum ",
        "Die erste Kopie ist kostenlos.",
        f'<a href="{german}/download/html">Zum Lesen im Browser herunterladen (HTML)</a>',
        f'<a href="{german}/download/json">Als JSON herunterladen</a>',
        f'<a href="{german}/download/zip">Als ZIP-Datei mit CSV-Dateien herunterladen</a>',
        "<h2>Frist</h2>",
        "Nach dem Gesetz haben wir bis zum ",
        f"Wir haben am {today} geantwortet.",
        "<h2>Verlauf</h2>",
        "Wir haben Ihre Anfrage erhalten",
        "Wir haben einen Code an Ihre E-Mail-Adresse gesendet",
        "Sie haben die Anfrage mit dem Code bestätigt",
        "Diese Seite wurde mit einem Code geöffnet",
        '<button type="submit">Von dieser Seite abmelden</button>',
    ):
        assert words in page.text, words
    assert ENGLISH_MONTHS.search(page.text) is None
    assert re.search(
        r"<time datetime=\"[^\"]+\">\d{1,2}\. \w+ \d{4}, \d\d:\d\d UTC</time>", page.text
    )
    for english in ("Completed", "Timeline", "What happens next", "Download as JSON"):
        assert english not in page.text, english

    html = web.get(f"{german}/download/html", headers=GERMAN)
    assert html.status_code == 200
    assert '<html lang="de"' in html.text
    assert html.headers["cache-control"] == "no-store"
    assert web.get(f"{german}/download/json", headers=GERMAN).status_code == 200
    again = web.get(german, headers=GERMAN)
    assert "Eine Kopie Ihrer Daten wurde heruntergeladen" in again.text
    assert "Sie können sie noch 3 Mal herunterladen" in again.text

    english = web.get(german, headers=ENGLISH)
    assert '<html lang="en">' in english.text
    assert "<h1>Your request: Access to your personal data</h1>" in english.text
    assert "Completed" in english.text
    assert "You can download it 3 more times, until " in english.text
    assert "A copy of your data was downloaded" in english.text
    assert "Erledigt" not in english.text


def test_a_chosen_language_stays_for_the_signed_in_page(
    mailer: Pledge, smtp: SmtpServer, german: str, web: TestClient
) -> None:
    """``?lang=de`` on an English browser: the cookie keeps German through the code form."""
    code, _ = german_mail(mailer, smtp)
    chosen = web.get(f"{german}?lang=de", headers=ENGLISH)
    assert '<html lang="de">' in chosen.text
    assert "pledge_lang=de" in chosen.headers["set-cookie"]
    assert enter(web, german, code, ENGLISH).status_code == 303
    page = web.get(german, headers=ENGLISH)
    assert '<html lang="de">' in page.text
    assert "Verlauf" in page.text
    assert web.cookies.get(COOKIE, path=german)


def test_a_used_up_package_is_explained_in_german(
    mailer: Pledge, smtp: SmtpServer, german: str, web: TestClient
) -> None:
    code, _ = german_mail(mailer, smtp)
    assert enter(web, german, code, GERMAN).status_code == 303
    for form in ("json", "zip", "html", "json", "zip"):
        assert web.get(f"{german}/download/{form}").status_code == 200, form
    gone = web.get(f"{german}/download/json", headers=GERMAN)
    assert gone.status_code == 410
    assert "Dieses Datenpaket wurde 5 Mal heruntergeladen, so oft wie erlaubt" in gone.text
    assert "Ihre Daten können hier nicht mehr heruntergeladen werden" in gone.text
    api_words = web.get(f"{german}/download/json", headers=ENGLISH)
    assert "This package was downloaded 5 times, the most allowed" in api_words.text
