"""Pages in the visitor's language: ``?lang=``, the ``pledge_lang`` cookie, the browser, English.

Over HTTP against the real app: the privacy center, the consent preference
page and the cookie banner's words; ``<html lang>`` says which language a
page is in, ``Vary`` tells caches the answer depends on it, and the console
stays English.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.consent.test_unsubscribe import READER, token_for

GERMAN = {"accept-language": "de-DE,de;q=0.9,en;q=0.5"}


def lang_of(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def test_a_german_browser_gets_the_privacy_center_in_german(client: TestClient) -> None:
    page = client.get("/privacy-center", params={"country": "DE"}, headers=GERMAN)
    assert page.status_code == 200
    assert lang_of(page.text) == "de"
    for words in (
        "<h1>Datenschutz-Center</h1>",
        'Ihre Rechte: <span lang="de">Europäische Union',
        "Auskunft über Ihre personenbezogenen Daten",
        "Einschränkung der Verarbeitung Ihrer personenbezogenen Daten",
        "Einwilligung widerrufen",
        "Wir antworten spätestens 1 Monat nach Eingang.",
        '<label for="email">Ihre E-Mail-Adresse (dorthin senden wir den Code)</label>',
        ">Anfrage senden</button>",
    ):
        assert words in page.text, words
    assert "Send request" not in page.text
    vary = page.headers["vary"].lower()
    assert "accept-language" in vary
    assert "cookie" in vary
    assert "pledge_lang" not in page.headers.get(
        "set-cookie", ""
    )  # a browser's wish is not a choice


def test_lang_in_the_address_wins_and_is_remembered(client: TestClient) -> None:
    page = client.get("/privacy-center", params={"country": "DE", "lang": "en"}, headers=GERMAN)
    assert lang_of(page.text) == "en"
    assert "<h1>Privacy center</h1>" in page.text
    cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith("pledge_lang="))
    assert cookie.startswith("pledge_lang=en;")
    assert "SameSite=Lax" in cookie
    assert "HttpOnly" in cookie
    assert "Path=/;" in cookie
    # The choice holds on the next pages, whatever the browser says ...
    later = client.get("/privacy-center", params={"country": "FR"}, headers=GERMAN)
    assert lang_of(later.text) == "en"
    # ... until the visitor switches again with the switcher's link.
    link = re.search(r'<a href="([^"]+)" lang="de" hreflang="de">Deutsch</a>', later.text)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert href == "/privacy-center?country=FR&region=&lang=de"  # the same page, the same country
    switched = client.get(href)
    assert lang_of(switched.text) == "de"
    assert 'lang="de" hreflang="de" aria-current="true">Deutsch</a>' in switched.text
    assert lang_of(client.get("/privacy-center").text) == "de"


def test_an_unsupported_language_falls_back_to_english(client: TestClient) -> None:
    for headers in ({"accept-language": "fr-FR, it;q=0.8"}, {}, {"accept-language": "*"}):
        page = client.get("/privacy-center", headers=headers)
        assert page.status_code == 200
        assert lang_of(page.text) == "en"
    odd = client.get(
        "/privacy-center", params={"lang": "<script>"}, headers={"accept-language": "x" * 5000}
    )
    assert odd.status_code == 200
    assert lang_of(odd.text) == "en"
    assert "pledge_lang" not in odd.headers.get("set-cookie", "")
    client.cookies.set("pledge_lang", "klingon")
    assert lang_of(client.get("/privacy-center").text) == "en"


def test_the_form_answers_in_the_visitors_language(client: TestClient) -> None:
    page = client.get("/privacy-center", params={"lang": "de"})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    expired = client.post("/privacy-center", data={"csrf": "stale", "type": "access"})
    assert expired.status_code == 400
    assert lang_of(expired.text) == "de"
    assert "Dieses Formular ist abgelaufen." in expired.text
    form = {"csrf": csrf.group(1), "country": "DE", "type": "access", "email": "not an address"}
    bad = client.post("/privacy-center", data=form)
    assert bad.status_code == 400
    assert "Bitte prüfen Sie: email." in bad.text
    # The switcher of a form's answer leads back to the form's page, never to a POST.
    assert 'href="/privacy-center?country=DE&amp;region=&amp;lang=en"' in bad.text


def test_the_preference_page_speaks_german(pledge: Pledge, client: TestClient) -> None:
    token = token_for(pledge, READER)
    page = client.get(f"/u/{token}", headers=GERMAN)
    assert page.status_code == 200
    assert lang_of(page.text) == "de"
    assert "<h1>Ihre Werbeeinstellungen</h1>" in page.text
    assert ">Von allem abmelden</button>" in page.text
    assert "Telefonanrufe" in page.text
    saved = client.post(f"/u/{token}/everything", headers=GERMAN)
    assert "Sie erhalten von uns keine Werbung mehr, auf keinem Weg." in saved.text
    assert f'href="/u/{token}?lang=en"' in saved.text


def test_the_banner_speaks_the_host_pages_language(client: TestClient) -> None:
    german = client.get("/api/v1/cookie-banner", params={"lang": "de-DE"}).json()
    assert german["lang"] == "de"
    assert german["strings"]["title"] == "Cookies auf dieser Website"
    assert german["strings"]["reject_all"] == "Alle ablehnen"
    english_page = client.get("/api/v1/cookie-banner", params={"lang": "en"}, headers=GERMAN)
    assert english_page.json()["strings"]["title"] == "Cookies on this site"
    assert (
        "set-cookie" not in english_page.headers
    )  # the page's language is not the visitor's choice
    unlabelled = client.get("/api/v1/cookie-banner", params={"lang": ""}, headers=GERMAN)
    assert unlabelled.json()["lang"] == "de"
    assert german["version"] == unlabelled.json()["version"]  # one banner, whatever its words


def test_the_console_stays_english(client: TestClient) -> None:
    page = client.get("/admin/login", headers=GERMAN, params={"lang": "de"})
    assert page.status_code == 200
    assert lang_of(page.text) == "en"
    assert "pledge_lang" not in page.headers.get("set-cookie", "")
