"""The per-right forms, an agent's request and a child report, in real headless Chromium.

The app runs as ``pledge serve`` does (jobs in-process, mail to a real SMTP
server); people act from the page and from the mail they received, staff from
the console in a browser of their own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pledge.console.accounts import create_user
from pledge.db.models import RightsRequest
from pledge.records import records_for_email
from pledge.restrictions import restrictions_for
from pledge.rights import detail
from tests.browser.conftest import MailingApp
from tests.browser.test_request_journeys import code_mail, collect, open_with_code, request_id

OFFICER = "dpo.forms@interactions.example"
PASSWORD = "a long staff passphrase"
PERMISSION = "I, Ada Agentless, authorise Sam Spade to make this request for me. Signed A.A."


def mails(app: MailingApp, to: str, subject: str, *, at_least: int = 1) -> list[Any]:
    """Wait for ``at_least`` mails to ``to`` whose subject holds ``subject``."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [m for m in app.smtp.messages_to(to) if subject in str(m.message["Subject"])]
        if len(found) >= at_least:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} about {subject!r}")


@pytest.fixture(scope="module")
def officer(mailing_app: MailingApp) -> str:
    create_user(
        mailing_app.pledge, email=OFFICER, role="privacy_officer", password=PASSWORD, actor="cli"
    )
    return OFFICER


@pytest.fixture
def console(browser: Any, mailing_app: MailingApp, officer: str) -> Iterator[Any]:
    """A privacy officer signed in to the console, in a browser profile of their own."""
    staff = browser.new_context()
    try:
        page = staff.new_page()
        page.goto(f"{mailing_app.url}/admin/login")
        page.get_by_label("E-mail").fill(officer)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{mailing_app.url}/admin")
        yield page
    finally:
        staff.close()


def open_form(context: Any, app: MailingApp, right: str) -> Any:
    page = context.new_page()
    page.goto(f"{app.url}/privacy-center?country=FR")
    page.get_by_role("link", name=f"Ask for this: {right}").click()
    page.get_by_role("heading", name=right).wait_for()
    return page


def test_a_restriction_from_its_form_lifted_by_staff_after_the_person_is_told(
    context: Any, console: Any, mailing_app: MailingApp
) -> None:
    app, email = mailing_app, "rhea.restrict@example.org"
    collect(app, email)
    page = open_form(context, app, "The restriction of the processing of your personal data")
    assert page.locator("#phone").count() == 0  # a restriction reveals nothing
    page.get_by_label("The e-mail address you gave us (we send the code there)").fill(email)
    page.get_by_role("button", name="Send request").click()
    error = page.locator("#purposes-error")
    assert error.inner_text() == "Choose at least one of the purposes listed."
    page.get_by_label("For marketing purposes").check()
    page.get_by_label("Why (optional)").fill("My marketing preferences were recorded wrongly.")
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("We mailed you a code and a link.").wait_for()

    code, link = code_mail(app, email)
    mine = open_with_code(context, link, code)
    assert mine.locator("p.status").inner_text().strip() == "Completed"
    subject = detail(app.pledge, request_id(link), reader=None)
    assert subject.result["purposes"] == ["marketing"]

    console.goto(f"{app.url}/admin/requests/{request_id(link)}")
    console.get_by_label(re.compile("Reason to lift the restriction")).fill("Records corrected.")
    console.get_by_role("button", name="Lift the restriction").click()
    console.get_by_text("The person is being told.").wait_for()
    (told,) = mails(app, email, "lifting the restriction")
    assert "Records corrected." in told.body
    deadline = time.monotonic() + 20
    while detail(app.pledge, request_id(link), reader=None).result.get("lifted_at") is None:
        assert time.monotonic() < deadline, "the restriction was not lifted"
        time.sleep(0.1)
    console.reload()
    console.locator('[data-lift="lifted"]').wait_for()
    timeline = console.locator("ol.timeline").inner_text()
    assert timeline.index("lift_notice_sent") < timeline.index("restriction_lifted")
    with app.pledge.sessions() as session:
        row = session.get(RightsRequest, request_id(link))
        assert row is not None
        assert row.subject_id is not None
        assert row.status == "completed"
        assert restrictions_for(session, row.subject_id) == []


def test_an_agent_asks_and_the_person_confirms_from_their_mail(
    context: Any, mailing_app: MailingApp
) -> None:
    app, person, agent = mailing_app, "ada.agentless@example.org", "sam.spade@agency.example"
    page = open_form(context, app, "No more marketing")
    page.get_by_label("The e-mail address you gave us (we send the code there)").fill(person)
    page.get_by_label("I am asking for someone else, with their signed permission").check()
    page.get_by_label("Your name").fill("Sam Spade")
    page.get_by_label("Your e-mail address", exact=True).fill(agent)
    page.get_by_role("button", name="Send request").click()
    field = page.get_by_label("Their signed permission for you to act for them (paste the text)")
    assert "signed permission" in page.locator("#agent_permission-error").inner_text()
    assert field.get_attribute("aria-describedby") == "agent_permission-error"
    field.fill(PERMISSION)
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("We mailed the person you act for a code and a link.").wait_for()

    code, link = code_mail(app, person)  # the code goes to the person, never to the agent
    mails(app, agent, "")
    assert not [m for m in app.smtp.messages_to(agent) if code in m.body]
    mine = open_with_code(context, link, code)
    assert mine.locator("p.status").inner_text().strip() == "Completed"
    assert detail(app.pledge, request_id(link), reader=None).by_agent


def test_a_child_report_erased_by_staff_and_the_reporter_told(
    context: Any, console: Any, mailing_app: MailingApp
) -> None:
    app, reporter, child = mailing_app, "parent.of.kim@example.org", "kim.small@example.org"
    collect(app, child)
    page = context.new_page()
    page.goto(f"{app.url}/privacy-center?country=FR")
    page.get_by_role("link", name="A child under 13 gave you data? Tell us here.").click()
    page.get_by_label("Your e-mail address (we write to you there)").fill(reporter)
    page.get_by_label("How you know the child").select_option("parent")
    page.get_by_role("button", name="Send report").click()
    assert "Give the child" in page.locator("#child_email-error").inner_text()
    page.get_by_label("The child's e-mail address").fill(child)
    page.get_by_label("What happened (optional)").fill("She signed up for the newsletter at 10.")
    page.get_by_role("button", name="Send report").click()
    page.get_by_text("We received your report").wait_for()
    (receipt,) = mails(app, reporter, "We received your report about a child's data")
    assert child not in receipt.body

    console.goto(f"{app.url}/admin?status=awaiting_review")
    console.locator("tr", has_text="a child's data reported").get_by_role("link").first.click()
    assert child in console.content()
    console.get_by_role("button", name="Erase the child's data").click()
    assert "3 to 2000" in console.locator("#reason-erase_child-error").inner_text()
    console.get_by_label(re.compile("How you checked the report")).fill(
        "Date of birth confirmed with the parent by phone."
    )
    console.get_by_role("button", name="Erase the child's data").click()
    console.get_by_text("The child's data was erased and the reporter was told.").wait_for()
    assert console.locator("[data-status]").get_attribute("data-status") == "completed"
    assert records_for_email(app.pledge, child) == []
    (told,) = mails(app, reporter, "Your report about a child's data was handled")
    assert "we do not say what we held" in told.body
