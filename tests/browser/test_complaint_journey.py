"""A complaint from the privacy center, confirmed with the code from the real mail, in Chromium.

The app runs as ``pledge serve`` does (jobs in-process, mail to a real SMTP
server). Each page the person sees (the form, the form with an error, the code
page, the confirmation, the form in German) passes axe-core with no serious or
critical violation, fits a narrow window and is usable by keyboard
(:func:`tests.browser.accessibility.check_page`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pledge.db.models import Complaint
from tests.browser.accessibility import check_page, require_axe
from tests.browser.conftest import LiveApp, MailingApp
from tests.complaints.conftest import CODE

EMAIL = "cora.complains@example.org"


@pytest.fixture(autouse=True)
def _axe() -> None:
    require_axe()


def complaint_mail(app: MailingApp, email: str) -> tuple[str, str]:
    """Wait for the complaint's code mail to ``email``: (code, link to the code page)."""
    link = re.compile(re.escape(app.url) + r"/privacy-center/complaint/[0-9a-f-]{36}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [m for m in app.smtp.messages_to(email) if CODE.search(m.body)]
        if mails:
            body = mails[-1].body
            code, found = CODE.search(body), link.search(body)
            assert code is not None, body
            assert found is not None, body
            return code.group(1), found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no code mail to {email}")


def test_a_complaint_from_the_form_confirmed_with_the_mailed_code(
    context: Any, mailing_app: MailingApp
) -> None:
    app = mailing_app
    page = context.new_page()
    page.goto(f"{app.url}/privacy-center?country=FR")
    page.get_by_role("link", name="Make a complaint").click()
    page.get_by_role("heading", name="Make a complaint").wait_for()
    assert page.get_by_label("Country where you live").input_value() == "FR"
    page.get_by_text("we answer within 45 days").wait_for()
    page.get_by_text("Commission Nationale de l'Informatique et des Libertés").wait_for()
    check_page(page, "the complaint form")

    page.get_by_label("Your e-mail address (we send the code there)").fill("not-an-address")
    page.get_by_label("Your complaint", exact=True).fill("You kept mailing me after I opted out.")
    page.get_by_role("button", name="Send complaint").click()
    page.locator("#email-error").wait_for()
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Your complaint", exact=True).input_value().startswith("You kept")
    check_page(page, "the complaint form with an error")

    page.get_by_label("Your e-mail address (we send the code there)").fill(EMAIL)
    page.get_by_role("button", name="Send complaint").click()
    page.get_by_role("heading", name="We received your complaint").wait_for()

    code, link = complaint_mail(app, EMAIL)
    mine = context.new_page()
    mine.goto(link)
    field = mine.get_by_label("The code from our e-mail (8 digits)")
    assert field.get_attribute("autocomplete") == "one-time-code"
    check_page(mine, "the complaint's code page")
    field.fill(f"{(int(code) + 1) % 10**8:08d}")
    mine.get_by_role("button", name="Confirm my complaint").click()
    mine.locator("#code-error").wait_for()
    assert "not correct" in mine.locator("#code-error").inner_text()
    mine.get_by_label("The code from our e-mail (8 digits)").fill(code)
    mine.get_by_role("button", name="Confirm my complaint").click()
    mine.get_by_role("heading", name="Your complaint is confirmed").wait_for()
    check_page(mine, "the confirmed complaint")
    with app.pledge.sessions() as session:
        row = session.get(Complaint, link.rsplit("/", 1)[1])
        assert row is not None
        assert row.verified_at is not None
        assert row.failed_attempts == 1


@pytest.fixture
def german(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="de-DE")
    try:
        yield ctx
    finally:
        ctx.close()


def test_the_complaint_form_in_german(german: Any, live_app: LiveApp) -> None:
    page = german.new_page()
    page.goto(f"{live_app.url}/privacy-center/complaint?country=AT")
    assert page.get_attribute("html", "lang") == "de"
    assert page.get_by_label("Land, in dem Sie leben").input_value() == "AT"
    page.get_by_text("Österreich", exact=False).first.wait_for(state="attached")
    check_page(page, "the complaint form (DE)")
    page.get_by_role("button", name="Beschwerde senden").click()
    page.locator("#text-error").wait_for()
    assert page.locator("#email-error").inner_text().startswith("Geben Sie Ihre E-Mail-Adresse")
    check_page(page, "the complaint form with errors (DE)")
