"""A German browser's access request, from the privacy center to the download, in Chromium.

A ``de-DE`` profile (its ``Accept-Language`` says German) fills the German
privacy center, reads the German code mail from the real SMTP server, opens
the link, enters the code and finds the request's page in German: status,
timeline, downloads. Nothing here asks for German but the browser.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pledge.db.models import RightsRequest
from tests.browser.conftest import MailingApp
from tests.browser.test_request_journeys import collect, request_id
from tests.rights.conftest import NAME, PHONE

GERMAN_CODE = re.compile(r"Ihr Bestätigungscode lautet (\d{8})")


@pytest.fixture
def german(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="de-DE", accept_downloads=True)
    try:
        yield ctx
    finally:
        ctx.close()


def german_code_mail(app: MailingApp, email: str) -> tuple[str, str, Any]:
    """Wait for the German code mail to ``email``: (code, link, the mail)."""
    link = re.compile(re.escape(app.url) + r"/privacy-center/requests/[0-9a-f-]{36}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [m for m in app.smtp.messages_to(email) if GERMAN_CODE.search(m.body)]
        if mails:
            code, found = GERMAN_CODE.search(mails[-1].body), link.search(mails[-1].body)
            assert code is not None, mails[-1].body
            assert found is not None, mails[-1].body
            return code.group(1), found.group(0), mails[-1]
        time.sleep(0.1)
    raise AssertionError(f"no German code mail to {email}")


def test_a_german_browser_asks_for_access_and_downloads_in_german(
    german: Any, mailing_app: MailingApp
) -> None:
    email = "greta.auskunft@example.org"
    collect(mailing_app, email)
    page = german.new_page()
    page.goto(f"{mailing_app.url}/privacy-center?country=DE")
    assert page.get_attribute("html", "lang") == "de"
    page.get_by_label("Was sollen wir für Sie tun?").select_option("access")
    page.get_by_label("Ihre E-Mail-Adresse (dorthin senden wir den Code)").fill(email)
    page.locator("#phone").fill(PHONE)
    page.get_by_role("button", name="Anfrage senden").click()
    page.get_by_text("Wir haben Ihnen einen Code und einen Link per E-Mail gesendet.").wait_for()

    code, link, mail = german_code_mail(mailing_app, email)
    assert mail.message["Content-Language"] == "de"
    assert "Öffnen Sie die Seite Ihrer Anfrage und geben Sie dort den Code ein:" in mail.body

    page.goto(link)
    assert page.get_attribute("html", "lang") == "de"
    assert page.inner_text("h1") == "Ihre Anfrage"
    page.get_by_label("Code aus der E-Mail").fill(code)
    page.get_by_role("button", name="Meine Anfrage öffnen").click()
    page.get_by_role("heading", name="Stand").wait_for()
    assert page.get_attribute("html", "lang") == "de"
    assert page.locator("p.status").inner_text().strip() == "Erledigt"
    assert page.inner_text("h1") == "Ihre Anfrage: Auskunft über Ihre personenbezogenen Daten"
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("Wir haben Ihre Anfrage erhalten", "Sie haben die Anfrage mit dem Code bestätigt"):
        assert step in timeline, timeline
    assert "Sie können sie noch 5 Mal herunterladen" in page.inner_text("main")

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Als JSON herunterladen").click()
    assert json_download.value.suggested_filename == "personal-data.json"
    data = json.loads(Path(json_download.value.path()).read_text())
    assert data["categories"][0]["records"][0]["data"]["name"] == NAME
    page.get_by_role("link", name="Zum Lesen im Browser herunterladen (HTML)").click()
    page.get_by_role("heading", name=re.compile("Ihre personenbezogenen Daten bei")).wait_for()
    assert page.get_attribute("html", "lang") == "de"
    assert page.get_by_role("cell", name=NAME).count() == 1
    with mailing_app.pledge.sessions() as session:
        row = session.get(RightsRequest, request_id(link))
        assert row is not None
        assert row.copies_served == 2
