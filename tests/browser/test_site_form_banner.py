"""Every site form's page in headless Chromium, with the cookie banner and the held-back beacon.

For each of the bundled policy's six forms, a fresh browser profile (no earlier choice):

- before a choice the banner is open (and the page passes axe-core), ``/static/beacon.js``
  is not fetched and leaving the page stores no page view;
- after "Reject all" the form still submits, and neither the form page nor its thank-you
  page fetches the beacon or stores a page view;
- after "Accept all", submitting the form stores exactly one page view naming the form in
  ``forms`` (its path the form page's); leaving the thank-you page stores one more, naming
  no form.

Requests are watched on the browser context; the page view itself is a keepalive ``fetch``
sent while the page unloads, so it is counted where it lands, in ``site_events`` (this
module's app is the only writer). The "Cookie settings" link opens the banner again. With
scripts off the form still works and no script is fetched. And an under-13 year of birth is
refused on the page, by its field, with nothing stored.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pledge.db.models import SiteEvent
from pledge.records.service import records_for_email
from tests.browser.accessibility import assert_axe_clean, require_axe
from tests.browser.conftest import MailingApp
from tests.browser.request_watch import beacon_traffic, watched
from tests.browser.site_form_filling import BANNER, HUMAN_PAUSE_MS, choose_cookies, fill_in
from tests.site_forms.helpers import pdf

FORMS = ["contact", "demo_request", "webinar_registration", "newsletter", "support", "careers"]
THANKS = "Thank you: we received your form"


def page_views(app: MailingApp) -> list[SiteEvent]:
    with app.pledge.sessions() as session:
        return list(session.scalars(select(SiteEvent)))


def new_page_views(app: MailingApp, before: set[str], count: int) -> list[tuple[str, list[str]]]:
    """The page views stored since ``before`` (their ids), as (path, forms), once there are
    ``count`` (a keepalive fetch lands a little after the page is left) or after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        rows = [r for r in page_views(app) if r.id not in before]
        if len(rows) >= count or time.monotonic() > deadline:
            return sorted((r.path, r.forms) for r in rows)
        time.sleep(0.05)


def open_form(page: Any, app: MailingApp, form_id: str) -> float:
    """The form's page, loaded; returns when it was (the spam check's clock starts then)."""
    page.goto(f"{app.url}/forms/{form_id}?country=DE")
    return time.monotonic()


def send(page: Any, loaded_at: float) -> None:
    """Send the form, no sooner than a person could have filled it."""
    waited = (time.monotonic() - loaded_at) * 1000
    page.wait_for_timeout(max(0, HUMAN_PAUSE_MS - waited))
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name=THANKS).wait_for()


def _resume(tmp_path: Path) -> Path:
    path = tmp_path / "cv.pdf"
    path.write_bytes(pdf())
    return path


@pytest.mark.parametrize("form_id", FORMS)
def test_no_beacon_before_a_choice_nor_after_a_refusal(
    context: Any, mailing_app: MailingApp, form_id: str, tmp_path: Path
) -> None:
    app = mailing_app
    form = app.pledge.policy.site.form(form_id)
    assert form is not None
    before = len(page_views(app))
    seen = watched(context)
    page = context.new_page()

    open_form(page, app, form_id)
    page.wait_for_selector(BANNER)
    require_axe()
    assert_axe_clean(page, f"the {form_id} form with the cookie banner open")
    page.goto(f"{app.url}/policy")  # left without a choice
    page.wait_for_timeout(300)
    assert beacon_traffic(seen) == []
    assert len(page_views(app)) == before

    loaded_at = open_form(page, app, form_id)
    choose_cookies(page, "Reject all")
    email = f"refusing.{form_id.replace('_', '.')}@example.org"
    fill_in(page, form, email=email, country="DE", resume=_resume(tmp_path), consenting=True)
    send(page, loaded_at)
    page.goto(f"{app.url}/policy")  # the thank-you page left too
    page.wait_for_timeout(500)
    assert beacon_traffic(seen) == []
    assert len(page_views(app)) == before


@pytest.mark.parametrize("form_id", FORMS)
def test_one_page_view_naming_the_form_after_acceptance(
    context: Any, mailing_app: MailingApp, form_id: str, tmp_path: Path
) -> None:
    app = mailing_app
    form = app.pledge.policy.site.form(form_id)
    assert form is not None
    before = {r.id for r in page_views(app)}
    seen = watched(context)
    page = context.new_page()

    loaded_at = open_form(page, app, form_id)
    assert beacon_traffic(seen) == []
    choose_cookies(page, "Accept all")
    page.wait_for_function("() => window.PledgeBeacon !== undefined")
    assert [u for u in seen if u.endswith("/static/beacon.js")] == [f"{app.url}/static/beacon.js"]
    email = f"accepting.{form_id.replace('_', '.')}@example.org"
    fill_in(page, form, email=email, country="DE", resume=_resume(tmp_path), consenting=True)
    send(page, loaded_at)  # submitting leaves the form's page: its page view is sent

    assert new_page_views(app, before, 1) == [(f"/forms/{form_id}", [form_id])]
    page.wait_for_timeout(300)
    assert len(new_page_views(app, before, 1)) == 1  # one, not one per event

    page.goto(f"{app.url}/policy")  # the thank-you page left: its own page view, no form used
    assert new_page_views(app, before, 2) == [
        (f"/forms/{form_id}", []),
        (f"/forms/{form_id}", [form_id]),
    ]


def test_an_under_13_year_of_birth_is_refused_on_the_page(
    context: Any, mailing_app: MailingApp, tmp_path: Path
) -> None:
    app = mailing_app
    form = app.pledge.policy.site.form("contact")
    assert form is not None
    assert form.ask_age
    email = "young.visitor@example.org"
    page = context.new_page()
    loaded_at = open_form(page, app, "contact")
    choose_cookies(page, "Reject all")
    fill_in(page, form, email=email, country="DE", resume=_resume(tmp_path), consenting=True)
    page.locator("#birth_year").fill(str(datetime.now(UTC).year - 10))
    waited = (time.monotonic() - loaded_at) * 1000
    page.wait_for_timeout(max(0, HUMAN_PAUSE_MS - waited))
    page.get_by_role("button", name="Send").click()

    message = page.locator("#birth_year-error")
    message.wait_for()
    assert "13" in message.inner_text()
    field = page.locator("#birth_year")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "birth_year-error"
    beside = "node => node.previousElementSibling && node.previousElementSibling.id"
    assert field.evaluate(beside) == "birth_year-error"  # between the label and the field
    assert page.get_by_role("heading", name=THANKS).count() == 0
    assert records_for_email(app.pledge, email) == []


def test_with_scripts_off_the_form_still_works_and_no_banner_shows(
    browser: Any, mailing_app: MailingApp, tmp_path: Path
) -> None:
    app = mailing_app
    form = app.pledge.policy.site.form("support")
    assert form is not None
    email = "no.script@example.org"
    before = len(page_views(app))
    context = browser.new_context(java_script_enabled=False)
    try:
        seen = watched(context)
        page = context.new_page()
        loaded_at = open_form(page, app, "support")
        fill_in(page, form, email=email, country="DE", resume=_resume(tmp_path), consenting=True)
        send(page, loaded_at)
        assert page.locator(BANNER).count() == 0
        assert [u for u in seen if u.endswith(".js")] == []
    finally:
        context.close()
    [held] = records_for_email(app.pledge, email)
    assert held.purpose == form.purpose
    assert len(page_views(app)) == before


def test_the_cookie_settings_link_opens_the_banner_again(
    context: Any, mailing_app: MailingApp
) -> None:
    app = mailing_app
    seen = watched(context)
    page = context.new_page()
    open_form(page, app, "webinar_registration")
    choose_cookies(page, "Reject all")
    assert page.locator(BANNER).count() == 0
    page.get_by_role("link", name="Cookie settings").click()
    page.wait_for_selector(BANNER)
    assert page.url.endswith("/forms/webinar_registration?country=DE")  # not followed
    assert beacon_traffic(seen) == []
    page.get_by_role("button", name="Accept all").first.click()
    page.wait_for_function("() => window.PledgeBeacon !== undefined")
    assert [u for u in seen if u.endswith("/static/beacon.js")] == [f"{app.url}/static/beacon.js"]
