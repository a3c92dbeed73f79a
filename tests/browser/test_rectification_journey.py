"""Rectification from the privacy center to the corrected store, in real headless Chromium.

The person asks in the privacy center's form (which cannot show what is
held), reads the code and the link from the real mail, and gives the
correction on the request's page, among the fields held; a privacy officer
approves it in the console, seeing old and new; the store then finds the
person by the new address only. A German browser does the person's part in
German. The app runs as ``pledge serve`` does.
"""

from __future__ import annotations

import re
from typing import Any

from pledge.console.accounts import create_user
from pledge.db.models import RightsRequest
from pledge.records import records_for_email
from tests.browser.conftest import MailingApp
from tests.browser.test_request_journey_german import german_code_mail
from tests.browser.test_request_journeys import (
    code_mail,
    collect,
    fill_the_form,
    open_with_code,
    request_id,
)
from tests.rights.conftest import NAME, PHONE

OFFICER = "officer.rectify@interactions.example"
PASSWORD = "a long officer passphrase"


def approve_in_the_console(browser: Any, app: MailingApp, request: str, old: str, new: str) -> None:
    """A privacy officer signs in, compares old and new, and approves."""
    create_user(app.pledge, email=OFFICER, role="privacy_officer", password=PASSWORD, actor="t")
    staff = browser.new_context()
    try:
        console = staff.new_page()
        console.goto(f"{app.url}/admin/login")
        console.get_by_label("E-mail").fill(OFFICER)
        console.get_by_label("Password").fill(PASSWORD)
        console.get_by_role("button", name="Sign in").click()
        console.wait_for_url(f"{app.url}/admin")
        console.goto(f"{app.url}/admin/requests/{request}")
        table = console.locator("table.corrections")
        assert table.locator("th[scope=row]").inner_text() == "email"
        assert table.locator("del").inner_text() == old
        assert table.locator("ins").inner_text() == new
        console.get_by_role("button", name="Approve the corrections").click()
        console.get_by_role("status").filter(has_text="Approved").wait_for()
        assert console.locator("[data-status]").get_attribute("data-status") == "completed"
    finally:
        staff.close()


def test_a_person_corrects_their_address_from_the_privacy_center(
    browser: Any, context: Any, mailing_app: MailingApp
) -> None:
    app, email, new = mailing_app, "ada.lovelace@example.org", "ada.king@example.org"
    collect(app, email)
    fill_the_form(context, app, email, "rectification")
    code, link = code_mail(app, email)
    page = open_with_code(context, link, code)
    status = page.locator("p.status")
    assert status.inner_text().strip() == "Confirmed; waiting for your corrections"
    assert page.get_by_text("Tell us what to correct").count() == 1
    labels = page.locator("fieldset label").all_inner_texts()
    assert labels == ["Name", "Email address", "Company information"]  # held, in policy order
    assert page.get_by_label("Phone number").count() == 0  # not held: not offered
    assert email not in page.content()
    assert NAME not in page.content()

    address = page.get_by_label("Email address")
    address.fill("01 23 45 67 89")  # a phone number, typed into the wrong field
    page.get_by_role("button", name="Send my corrections").click()
    message = page.locator("#correction-email-error")
    assert message.inner_text() == "Not a valid email."
    address = page.get_by_label("Email address")
    assert address.get_attribute("aria-describedby") == "correction-email-error"
    assert address.get_attribute("aria-invalid") == "true"
    with app.pledge.sessions() as session:
        row = session.get(RightsRequest, request_id(link))
        assert row is not None
        assert row.status == "awaiting_corrections"

    address.fill(new)
    page.get_by_role("button", name="Send my corrections").click()
    page.get_by_text("Thank you: we received your corrections.").wait_for()
    assert page.locator("p.status").inner_text().strip() == "Confirmed; our team is reviewing it"
    assert page.get_by_role("button", name="Send my corrections").count() == 0

    approve_in_the_console(browser, app, request_id(link), email, new)

    page.reload()
    assert page.locator("p.status").inner_text().strip() == "Completed"
    assert page.get_by_text("We carried out your request.").count() == 1
    (record,) = records_for_email(app.pledge, new)
    assert (record.data["email"], record.data["name"]) == (new, NAME)
    assert records_for_email(app.pledge, email) == []

    fill_the_form(context, app, new, "access")  # the new address finds the person
    code, link = code_mail(app, new)
    page = open_with_code(context, link, code)
    assert page.locator("p.status").inner_text().strip() == "Completed"
    page.get_by_text("Your data is ready.").wait_for()
    page.get_by_role("link", name="Download to read in your browser (HTML)").click()
    page.get_by_role("heading", name=re.compile("Your personal data held by")).wait_for()
    assert page.get_by_role("cell", name=NAME).count() == 1
    assert page.get_by_role("cell", name=new).count() == 1


def test_a_german_browser_gives_its_correction_in_german(
    browser: Any, mailing_app: MailingApp
) -> None:
    app, email = mailing_app, "greta.berichtigung@example.org"
    collect(app, email)
    german = browser.new_context(locale="de-DE")
    try:
        page = german.new_page()
        page.goto(f"{app.url}/privacy-center?country=DE")
        page.get_by_label("Was sollen wir für Sie tun?").select_option("rectification")
        page.get_by_label("Ihre E-Mail-Adresse (dorthin senden wir den Code)").fill(email)
        page.locator("#phone").fill(PHONE)
        page.get_by_role("button", name="Anfrage senden").click()
        page.get_by_text("Wir haben Ihnen einen Code und einen Link per E-Mail").wait_for()
        code, link, _ = german_code_mail(app, email)
        page.goto(link)
        page.get_by_label("Code aus der E-Mail").fill(code)
        page.get_by_role("button", name="Meine Anfrage öffnen").click()
        page.get_by_role("heading", name="Stand").wait_for()
        status = page.locator("p.status")
        assert status.inner_text().strip() == "Bestätigt; wir warten auf Ihre Korrekturen"
        page.get_by_label("Email address").fill("greta@")  # field names are the policy's
        page.get_by_role("button", name="Meine Korrekturen senden").click()
        error = page.locator("#correction-email-error")
        assert error.inner_text() == "Keine gültige E-Mail-Adresse."
        page.get_by_label("Company information").fill("Berichtigt GmbH")
        page.get_by_label("Email address").fill("")
        page.get_by_role("button", name="Meine Korrekturen senden").click()
        page.get_by_text("Vielen Dank: Wir haben Ihre Korrekturen erhalten.").wait_for()
        assert page.get_by_text("Sie haben Ihre Korrekturen gesendet").count() == 1
    finally:
        german.close()
