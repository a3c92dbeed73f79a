"""The contact and careers forms filled in Chromium on their pages, checked with axe-core.

The app runs as ``pledge serve`` does (jobs in-process, mail to a real SMTP
server): each submission's confirmation mail arrives there, and a ticked box
becomes a consent only when the person follows the mail's link and presses
its button, in the same browser. Each page (the
form, the form with errors, the thank-you) passes axe-core with no serious or
critical violation, fits a narrow window and is usable by keyboard.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from pledge.db.models import ConsentEvent
from pledge.records.service import records_for_email
from pledge.recruiting.positions import open_position
from tests.browser.accessibility import check_page, require_axe
from tests.browser.conftest import MailingApp
from tests.browser.site_form_filling import HUMAN_PAUSE_MS, choose_cookies, fill_in
from tests.site_forms.helpers import pdf, png


@pytest.fixture(autouse=True)
def _axe() -> None:
    require_axe()


def _mail_to(app: MailingApp, email: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = app.smtp.messages_to(email)
        if mails:
            return mails[-1].body
        time.sleep(0.1)
    raise AssertionError(f"no confirmation mail to {email}")


def _link(body: str) -> str:
    found = re.search(r"https?://\S+/forms/confirm/\S+", body)
    assert found, body
    return found.group(0)


def _consents(app: MailingApp) -> list[tuple[str, bool, str]]:
    with app.pledge.sessions() as session:
        return [(e.purpose, e.granted, e.method) for e in session.scalars(select(ConsentEvent))]


def test_the_contact_form_in_chromium(context: object, mailing_app: MailingApp) -> None:
    app = mailing_app
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{app.url}/forms/contact?country=FR")
    page.get_by_role("heading", name="Contact us").wait_for()
    choose_cookies(page, "Reject all")  # the banner's own checks: test_site_form_banner.py
    assert not page.get_by_label("Send me news about products").is_checked()
    check_page(page, "the contact form")

    page.get_by_label("Your name").fill("Clara Contact")
    page.get_by_label("Your e-mail address").fill("not-an-address")
    page.get_by_label("Your message").fill("Please call me about pricing.")
    page.get_by_label("The year you were born").fill("1985")
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.get_by_role("button", name="Send").click()
    page.locator("#email-error").wait_for()
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Your message").input_value() == "Please call me about pricing."
    check_page(page, "the contact form with an error")

    page.get_by_label("Your e-mail address").fill("clara.contact@example.org")
    page.get_by_label("Send me news about products").check()
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you: we received your form").wait_for()
    check_page(page, "the contact form's thank-you")

    page.get_by_text("open the link in that mail").wait_for()
    body = _mail_to(app, "clara.contact@example.org")
    assert "Contact us" in body
    assert "Please call me" not in body  # the mail repeats no value sent
    [held] = records_for_email(app.pledge, "clara.contact@example.org")
    assert held.data["inquiry"] == "Please call me about pricing."
    assert _consents(app) == []  # the ticked box waits for the person's mailbox

    page.goto(_link(body))
    page.get_by_role("heading", name="Confirm your choices").wait_for()
    check_page(page, "the confirmation link's page")
    assert _consents(app) == []  # opening the link is not confirming
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Thank you: your choices are confirmed").wait_for()
    check_page(page, "the confirmed choices")
    assert _consents(app) == [("marketing", True, "email_confirmation")]


def test_the_careers_form_with_a_resume_in_chromium(
    context: object, mailing_app: MailingApp, tmp_path: Path
) -> None:
    app = mailing_app
    wrong = tmp_path / "resume.pdf"
    wrong.write_bytes(png())
    right = tmp_path / "resume.docx"  # a PDF under a Word name: kept as the PDF it is
    right.write_bytes(pdf())
    open_position(app.pledge, "backend-page", "Backend engineer", actor="test")
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{app.url}/forms/careers?country=DE")
    page.get_by_role("heading", name="Apply for a position").wait_for()
    choose_cookies(page, "Reject all")
    check_page(page, "the careers form")

    page.get_by_label("Position (its reference").select_option(label="Backend engineer")
    page.get_by_label("Your name").fill("Carl Careers")
    page.get_by_label("Your e-mail address").fill("carl.careers@example.org")
    page.get_by_label("Your résumé").set_input_files(str(wrong))
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.get_by_role("button", name="Send").click()
    page.locator("#resume-error").wait_for()
    assert "not accepted" in page.locator("#resume-error").inner_text()
    assert records_for_email(app.pledge, "carl.careers@example.org") == []
    check_page(page, "the careers form with a refused file")

    page.get_by_label("Your résumé").set_input_files(str(right))
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you: we received your form").wait_for()
    assert "Apply for a position" in _mail_to(app, "carl.careers@example.org")
    [held] = records_for_email(app.pledge, "carl.careers@example.org")
    assert held.data["resume"]["media_type"] == "application/pdf"
    assert held.data["position"] == "backend-page"


def test_the_embeddable_careers_form_lists_the_open_positions(
    context: object, mailing_app: MailingApp, tmp_path: Path
) -> None:
    app = mailing_app
    open_position(app.pledge, "data-embed", "Data analyst", actor="test")
    open_position(app.pledge, "design-embed", "Designer", actor="test")
    resume = tmp_path / "cv.pdf"
    resume.write_bytes(pdf())
    page = context.new_page()  # type: ignore[attr-defined]
    page.set_content(
        '<main><div data-pledge-form="careers"></div></main>'
        f'<script src="{app.url}/static/forms.js"></script>'
    )
    page.get_by_role("heading", name="Apply for a position").wait_for()
    choices = page.get_by_label("Position (its reference").locator("option").all_inner_texts()
    assert {"Data analyst", "Designer"} <= set(choices[1:])
    page.get_by_label("Your name").fill("Dora Design")
    page.get_by_label("Your e-mail address").fill("dora.design@example.org")
    page.get_by_label("Country where you live").fill("FR")
    page.get_by_label("Your résumé").set_input_files(str(resume))
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.get_by_role("button", name="Send").click()
    page.locator("#pledge-careers-position-error").wait_for()  # none chosen yet
    assert records_for_email(app.pledge, "dora.design@example.org") == []
    page.get_by_label("Position (its reference").select_option(label="Designer")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Thank you: we received your form").wait_for()
    [held] = records_for_email(app.pledge, "dora.design@example.org")
    assert held.data["position"] == "design-embed"


def test_the_embeddable_script_renders_and_posts_a_form_on_another_page(
    context: object, mailing_app: MailingApp
) -> None:
    app = mailing_app
    page = context.new_page()  # type: ignore[attr-defined]
    page.set_content(
        '<main><div data-pledge-form="newsletter"></div></main>'
        f'<script src="{app.url}/static/forms.js"></script>'
    )
    page.get_by_role("heading", name="Subscribe to our newsletter").wait_for()
    page.get_by_label("Your e-mail address").fill("nina.news@example.org")
    page.get_by_label("Country where you live").fill("FR")
    page.get_by_label("The year you were born").fill("1979")
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.get_by_role("button", name="Send").click()
    page.locator("#pledge-newsletter-newsletter_opt_in-error").wait_for()  # EU: opt-in needed
    assert records_for_email(app.pledge, "nina.news@example.org") == []
    page.get_by_label("Yes, send me the newsletter").check()
    page.get_by_role("button", name="Send").click()
    page.get_by_text("open its link to confirm").wait_for()
    assert records_for_email(app.pledge, "nina.news@example.org") == []  # not before the link
    link = _link(_mail_to(app, "nina.news@example.org"))
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Thank you: your choices are confirmed").wait_for()
    [held] = records_for_email(app.pledge, "nina.news@example.org")
    assert held.purpose == "marketing"


@pytest.mark.parametrize(
    "form_id",
    ["contact", "demo_request", "webinar_registration", "newsletter", "support", "careers"],
)
def test_every_form_of_the_policy_is_sent_from_its_page(
    context: object, mailing_app: MailingApp, form_id: str, tmp_path: Path
) -> None:
    """Each declared form, filled as its labels ask, in an EU country: kept (after the link
    where the form rests on consent), its pages free of serious accessibility faults."""
    app = mailing_app
    form = app.pledge.policy.site.form(form_id)
    assert form is not None
    email = f"every.{form_id.replace('_', '.')}@example.org"
    resume = tmp_path / "cv.pdf"
    resume.write_bytes(pdf())
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{app.url}/forms/{form_id}?country=DE")
    page.get_by_role("heading", name=form.title).wait_for()
    choose_cookies(page, "Reject all")
    check_page(page, f"the {form_id} form")
    fill_in(page, form, email=email, country="DE", resume=resume, consenting=True)
    consent_based = app.pledge.policy.legal_basis(form.purpose, "eu") == "consent"
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you: we received your form").wait_for()
    if consent_based:
        assert records_for_email(app.pledge, email) == []
        page.goto(_link(_mail_to(app, email)))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("heading", name="Thank you: your choices are confirmed").wait_for()
    [held] = records_for_email(app.pledge, email)
    assert (held.category, held.purpose) == (form.category, form.purpose)
