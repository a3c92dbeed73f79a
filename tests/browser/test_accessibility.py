"""Every public page of a person's journey, and the console's sign-in, checked in Chromium.

Each page, as a person reaches it (the privacy center, the request page from
the link and code of the real mail, the package, the cookie banner, the
preference center from a marketing mail's link, the policy), passes
axe-core with no serious or critical violation, fits a 360 px wide window
without sideways scroll, and is usable by keyboard alone: Tab reaches every
control in document order and each shows where the focus is. Every field has
a label; every field error is named by its field.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pledge.access import create_api_key
from tests.browser.accessibility import WIDE, assert_axe_clean, check_page, require_axe
from tests.browser.conftest import LiveApp, MailingApp
from tests.browser.test_request_journeys import code_mail, collect, fill_the_form, open_with_code
from tests.rights.conftest import NAME, PHONE

DIALOG = "div.pledge-cc[role=dialog]"


@pytest.fixture(autouse=True)
def _axe() -> None:
    require_axe()


@pytest.fixture
def german(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="de-DE")
    try:
        yield ctx
    finally:
        ctx.close()


def test_privacy_center_in_english(context: Any, live_app: LiveApp) -> None:
    page = context.new_page()
    page.goto(f"{live_app.url}/privacy-center?country=FR")
    assert page.get_attribute("html", "lang") == "en"
    check_page(page, "the privacy center (EN)")


def test_privacy_center_in_german(german: Any, live_app: LiveApp) -> None:
    page = german.new_page()
    page.goto(f"{live_app.url}/privacy-center?country=DE")
    assert page.get_attribute("html", "lang") == "de"
    check_page(page, "the privacy center (DE)")


def test_the_header_and_footer_name_the_controller_and_its_contacts(
    context: Any, live_app: LiveApp
) -> None:
    controller = live_app.pledge.policy.controller
    page = context.new_page()
    page.goto(f"{live_app.url}/privacy-center?country=FR")
    assert page.locator("header.site-header").inner_text().startswith(controller.name)
    footer = page.locator("footer.site-footer")
    text = footer.inner_text()
    for line in controller.postal_address.lines():
        assert line in text
    assert (
        footer.get_by_role("link", name=controller.privacy_officer_email).get_attribute("href")
        == f"mailto:{controller.privacy_officer_email}"
    )
    assert footer.get_by_role("link", name=controller.phone).count() == 1
    assert footer.get_by_role("link", name="Privacy policy").get_attribute("href") == "/policy"
    assert footer.get_by_role("link", name="Privacy center").get_attribute("href") == (
        "/privacy-center"
    )


def test_the_style_comes_from_the_static_stylesheet_under_the_pages_policy(
    context: Any, live_app: LiveApp
) -> None:
    """The stylesheet is applied (not blocked by the CSP): the body has the style's font."""
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_app.url}/privacy-center?country=FR")
    assert page.evaluate("document.styleSheets.length") == 1
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth").endswith("px")
    assert blocked == []


def test_the_request_page_before_and_after_the_code_and_the_package(
    context: Any, mailing_app: MailingApp
) -> None:
    email = "ines.a11y@example.org"
    collect(mailing_app, email)
    page = context.new_page()
    page.goto(f"{mailing_app.url}/privacy-center?country=FR")
    submit_request(page, email)
    check_page(page, "the privacy center after a request")
    code, link = code_mail(mailing_app, email)

    page.goto(link)
    assert _column(page) == "736px"  # /static/pledge.css applies under the page's CSP
    check_page(page, "the request page before the code")
    page.get_by_label("Code from the e-mail").fill("1234")
    page.get_by_role("button", name="Open my request").click()
    page.locator("#code-error").wait_for()
    check_page(page, "the request page after a wrong code")

    page.get_by_label("Code from the e-mail").fill(code)
    page.get_by_role("button", name="Open my request").click()
    page.get_by_role("heading", name="Status").wait_for()
    check_page(page, "the request page after the code")

    page.get_by_role("link", name="Download to read in your browser (HTML)").click()
    page.get_by_role("heading", name=re.compile("Your personal data held by")).wait_for()
    assert page.get_by_role("cell", name=NAME).count() == 1
    assert _column(page) == "1024px"  # its own <style>, allowed by hash
    check_page(page, "the package")


def _column(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth"))


def test_the_request_page_when_no_more_codes_may_be_sent(context: Any, live_app: LiveApp) -> None:
    """The message beside "Send me a new code" is tied to the button it answers."""
    page = context.new_page()
    page.goto(f"{live_app.url}/privacy-center/requests/00000000-0000-4000-8000-000000000001")
    for _ in range(live_app.pledge.settings.request_code_limit + 1):
        page.get_by_role("button", name="Send me a new code").click()
    page.locator("#resend-error").wait_for()
    described = page.get_by_role("button", name="Send me a new code").get_attribute(
        "aria-describedby"
    )
    assert described is not None
    assert "resend-error" in described.split()
    check_page(page, "the request page when no more codes may be sent")


def submit_request(page: Any, email: str) -> None:
    page.get_by_label("What would you like us to do?").select_option("access")
    page.get_by_label("Your e-mail address (we send the code there)").fill(email)
    page.locator("#phone").fill(PHONE)
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("We mailed you a code and a link.").wait_for()


def test_the_cookie_banner_and_the_page_behind_it(context: Any, live_app: LiveApp) -> None:
    page = context.new_page()
    page.goto(f"{live_app.url}/demo")
    page.wait_for_selector(DIALOG)
    check_page(page, "the cookie banner", scope=DIALOG)
    page.get_by_role("button", name="Customise").click()
    check_page(page, "the cookie banner's choices", scope=DIALOG)
    page.get_by_role("button", name="Reject all").first.click()
    page.locator(DIALOG).wait_for(state="detached")
    check_page(page, "the demo page after a choice")


def test_the_preference_center_from_a_marketing_mail(context: Any, mailing_app: MailingApp) -> None:
    email = "omar.reader@example.org"
    link = marketing_link(mailing_app, email)
    page = context.new_page()
    page.goto(link)
    check_page(page, "the preference center")
    page.get_by_role("button", name="Unsubscribe from everything").click()
    page.get_by_role("status").wait_for()
    check_page(page, "the preference center after unsubscribing")


def marketing_link(app: MailingApp, email: str) -> str:
    """The person is known (a US consent record) and sent one marketing mail: its link."""
    key = create_api_key(app.pledge, name=f"mailer-{email}", role="system")[1]
    headers = {"Authorization": f"Bearer {key}"}
    consent = {
        "subject": {"email": email, "country": "US"},
        "purpose": "marketing",
        "channel": "post",
        "granted": True,
        "method": "web_form",
    }
    answer = httpx.post(f"{app.url}/api/v1/consents", json=consent, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    mail = {"to": email, "subject": "Our spring webinar", "body": "Join us on 12 May."}
    answer = httpx.post(f"{app.url}/api/v1/marketing/send", json=mail, headers=headers)
    assert answer.status_code == 202, answer.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for message in app.smtp.messages_to(email):
            found = re.fullmatch(r"<(.+)>", str(message.message["List-Unsubscribe"]))
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no marketing mail to {email}")


def test_the_policy_page(context: Any, live_app: LiveApp) -> None:
    page = context.new_page()
    page.goto(f"{live_app.url}/policy")
    check_page(page, "the policy")
    page.emulate_media(color_scheme="dark")  # the policy follows the reader's dark mode
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(21, 25, 31)"
    assert_axe_clean(page, "the policy in dark mode")


def test_the_console_sign_in(context: Any, live_app: LiveApp) -> None:
    page = context.new_page()
    page.goto(f"{live_app.url}/admin/login")
    check_page(page, "the console sign-in")
    page.get_by_label("E-mail").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    check_page(page, "the console sign-in after a failed attempt")


def test_a_request_is_sent_without_javascript(browser: Any, live_app: LiveApp) -> None:
    """The privacy center is a plain form: styled, labelled and sent with scripts off."""
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": WIDE, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(f"{live_app.url}/privacy-center?country=FR")
        assert page.locator("header.site-header").count() == 1
        submit_request(page, "noscript@example.org")
        assert page.get_by_role("heading", name="We received your request").is_visible()
    finally:
        ctx.close()


@pytest.mark.parametrize(
    "kind", ["access", "restriction", "objection", "withdraw_consent", "opt_out_marketing"]
)
def test_each_rights_form_and_its_errors(context: Any, live_app: LiveApp, kind: str) -> None:
    """Each right's own form, as opened and after a send with a malformed address."""
    page = context.new_page()
    page.goto(f"{live_app.url}/privacy-center/new/{kind}?country=FR")
    check_page(page, f"the {kind} form")
    page.locator("#email").fill("not-an-address")
    page.locator("form[method=post] button[type=submit]").click()
    page.locator("#email-error").wait_for()
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    check_page(page, f"the {kind} form with an error")


def test_a_rights_form_in_german(german: Any, live_app: LiveApp) -> None:
    page = german.new_page()
    page.goto(f"{live_app.url}/privacy-center/new/erasure?country=DE")
    assert page.get_attribute("html", "lang") == "de"
    check_page(page, "the erasure form (DE)")


def test_the_child_report_form_and_its_errors(context: Any, live_app: LiveApp) -> None:
    page = context.new_page()
    page.goto(f"{live_app.url}/privacy-center/child-report?country=US")
    check_page(page, "the child report form")
    page.locator("#email").fill("not-an-address")
    page.locator("form[method=post] button[type=submit]").click()
    page.locator("#email-error").wait_for()
    check_page(page, "the child report form with an error")


def test_the_corrections_form_on_the_request_page(context: Any, mailing_app: MailingApp) -> None:
    """A rectification's page, waiting for the corrections, then with a field's error."""
    email = "grace.hopper@example.org"
    collect(mailing_app, email)
    fill_the_form(context, mailing_app, email, "rectification")
    code, link = code_mail(mailing_app, email)
    page = open_with_code(context, link, code)
    check_page(page, "the corrections form")
    page.get_by_label("Email address").fill("01 23 45 67 89")
    page.get_by_role("button", name="Send my corrections").click()
    page.locator("#correction-email-error").wait_for()
    check_page(page, "the corrections form with an error")
