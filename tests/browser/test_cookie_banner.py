"""The cookie banner in real headless Chromium: blocking, consent, withdrawal, GPC, keyboard."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from pledge.db.models import CookieConsent
from pledge.policy import Cookie
from tests.browser.conftest import LiveApp

ANALYTICS_COOKIES = {"_ga", "_gid", "__hstc", "hubspotutk"}
DIALOG = "div.pledge-cc[role=dialog]"


def open_demo(context: Any, app: LiveApp) -> Any:
    page = context.new_page()
    page.goto(f"{app.url}/demo")
    page.wait_for_selector(DIALOG)
    return page


def ran(page: Any) -> dict[str, bool]:
    return {
        "ga": bool(page.evaluate("window.__analyticsRan === true")),
        "hubspot": bool(page.evaluate("window.__hubspotRan === true")),
    }


def cookie_names(context: Any) -> set[str]:
    return {c["name"] for c in context.cookies()}


def wait_recorded(page: Any, count: int = 1) -> None:
    page.wait_for_function(
        f"Number(document.documentElement.dataset.pledgeRecorded || 0) >= {count}"
    )
    assert page.evaluate("document.documentElement.dataset.pledgeRecordStatus") == "201"


def latest_choice(app: LiveApp, page: Any) -> CookieConsent:
    visitor = page.evaluate("PledgeConsent.state().id")
    with app.pledge.sessions() as session:
        rows = session.scalars(
            select(CookieConsent)
            .where(CookieConsent.visitor_id == visitor)
            .order_by(CookieConsent.recorded_at)
        ).all()
    assert rows
    return rows[-1]


def test_nothing_runs_before_a_choice(context: Any, live_app: LiveApp) -> None:
    page = open_demo(context, live_app)
    page.wait_for_timeout(300)
    assert ran(page) == {"ga": False, "hubspot": False}
    assert not cookie_names(context) & ANALYTICS_COOKIES
    assert page.locator("#status-ga").inner_text() == "not run"


def test_accept_all_runs_the_scripts_and_is_recorded(context: Any, live_app: LiveApp) -> None:
    page = open_demo(context, live_app)
    page.get_by_role("button", name="Accept all").first.click()
    page.wait_for_function("window.__analyticsRan === true && window.__hubspotRan === true")
    assert {"_ga", "__hstc", "pledge_consent"} <= cookie_names(context)
    wait_recorded(page)
    row = latest_choice(live_app, page)
    assert row.method == "banner"
    assert row.choices["categories"]["analytics"] is True
    assert row.ip_truncated == "127.0.0.0/24"
    page.reload()
    page.wait_for_function("window.__analyticsRan === true")
    assert page.locator(DIALOG).count() == 0


def test_reject_all_never_runs_them(context: Any, live_app: LiveApp) -> None:
    page = open_demo(context, live_app)
    page.get_by_role("button", name="Reject all").first.click()
    wait_recorded(page)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator(DIALOG).count() == 0
    assert ran(page) == {"ga": False, "hubspot": False}
    assert not cookie_names(context) & ANALYTICS_COOKIES
    assert latest_choice(live_app, page).choices["categories"]["analytics"] is False


def test_withdrawal_clears_their_cookies(context: Any, live_app: LiveApp) -> None:
    page = open_demo(context, live_app)
    page.get_by_role("button", name="Accept all").first.click()
    page.wait_for_function("window.__analyticsRan === true && window.__hubspotRan === true")
    assert cookie_names(context) >= ANALYTICS_COOKIES
    page.get_by_text("Cookie settings").click()
    page.wait_for_selector(DIALOG)
    page.get_by_role("button", name="Customise").click()
    analytics = page.get_by_label("Analytics", exact=True)
    assert analytics.is_checked()
    analytics.uncheck()
    page.get_by_label("Google Analytics (Google Inc.)").uncheck()
    page.get_by_label("HubSpot, Inc.").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    wait_recorded(page, 2)
    assert not cookie_names(context) & ANALYTICS_COOKIES
    assert latest_choice(live_app, page).choices["categories"]["analytics"] is False
    page.reload()
    page.wait_for_load_state("networkidle")
    assert ran(page) == {"ga": False, "hubspot": False}


def test_one_service_only(context: Any, live_app: LiveApp) -> None:
    page = open_demo(context, live_app)
    page.get_by_role("button", name="Customise").click()
    boxes = page.locator(f"{DIALOG} input[type=checkbox]:not([disabled])")
    assert all(not boxes.nth(i).is_checked() for i in range(boxes.count()))  # nothing pre-ticked
    page.get_by_label("Google Analytics (Google Inc.)").check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_function("window.__analyticsRan === true")
    wait_recorded(page)
    assert ran(page) == {"ga": True, "hubspot": False}
    assert "__hstc" not in cookie_names(context)
    assert latest_choice(live_app, page).choices["services"] == {
        "google_analytics": True,
        "hubspot": False,
    }


def test_global_privacy_control_records_an_opt_out_without_a_banner(
    browser: Any, live_app: LiveApp
) -> None:
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    try:
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl',"
            " {get: () => true, configurable: true});"
        )
        page = context.new_page()
        page.goto(f"{live_app.url}/demo")
        wait_recorded(page)
        assert page.locator(DIALOG).count() == 0
        row = latest_choice(live_app, page)
        assert row.method == "gpc"
        assert row.choices["categories"]["analytics"] is False
        assert ran(page) == {"ga": False, "hubspot": False}
    finally:
        context.close()


@pytest.fixture
def swap_policy(live_app: LiveApp) -> Iterator[Callable[..., None]]:
    """Serve a changed policy (as after an edit of the YAML), restored afterwards."""
    pledge = live_app.pledge
    original = pledge.policy

    def swap(**changes: Any) -> None:
        pledge.__dict__["policy"] = original.model_copy(update=changes)

    try:
        yield swap
    finally:
        pledge.__dict__["policy"] = original


CLARITY = Cookie(
    name="_clck",
    provider="Microsoft",
    service="clarity",
    purpose="Session replay",
    lifetime="P1Y",
    category="analytics",
)


def test_a_changed_cookie_section_brings_the_banner_back(
    context: Any, live_app: LiveApp, swap_policy: Callable[..., None]
) -> None:
    page = open_demo(context, live_app)
    page.get_by_role("button", name="Accept all").first.click()
    wait_recorded(page)
    page.reload()
    page.wait_for_function("window.__analyticsRan === true")
    assert page.locator(DIALOG).count() == 0
    swap_policy(cookies=[*live_app.pledge.policy.cookies, CLARITY])
    page.reload()
    page.wait_for_selector(DIALOG)
    assert ran(page) == {"ga": False, "hubspot": False}
    page.get_by_role("button", name="Customise").click()
    assert page.get_by_label("Microsoft (clarity)").count() == 1


def test_keyboard_and_screen_reader(context: Any, live_app: LiveApp) -> None:
    page = open_demo(context, live_app)
    dialog = page.locator(DIALOG)
    assert dialog.get_attribute("aria-modal") == "true"
    title_id = dialog.get_attribute("aria-labelledby")
    assert page.locator(f"#{title_id}").inner_text() == "Cookies on this site"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "dialog"
    focused = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent"))
    assert "Accept all" in focused
    assert "Reject all" in focused
    assert page.evaluate("!!document.activeElement.closest('.pledge-cc')")  # focus is trapped
    accept, reject = (
        page.get_by_role("button", name=n).first for n in ("Accept all", "Reject all")
    )
    style = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).fontSize]"
    assert accept.evaluate(style) == reject.evaluate(style)
    assert accept.bounding_box()["height"] == reject.bounding_box()["height"]
    page.get_by_role("button", name="Customise").focus()
    page.keyboard.press("Enter")
    assert page.locator("[data-layer=custom]").is_visible()
    for box in page.locator(f"{DIALOG} input[type=checkbox]").all():
        assert page.locator(f"label[for='{box.get_attribute('id')}']").count() == 1
    page.keyboard.press("Escape")
    assert page.locator("[data-layer=first]").is_visible()
    page.get_by_role("button", name="Reject all").first.focus()
    page.keyboard.press("Enter")
    wait_recorded(page)
    assert dialog.count() == 0
    assert ran(page) == {"ga": False, "hubspot": False}


def test_escape_on_a_first_visit_refuses(context: Any, live_app: LiveApp) -> None:
    page = open_demo(context, live_app)
    page.keyboard.press("Escape")
    wait_recorded(page)
    assert page.locator(DIALOG).count() == 0
    assert latest_choice(live_app, page).choices["categories"]["analytics"] is False


DNT_SCRIPT = (
    "Object.defineProperty(Navigator.prototype, 'doNotTrack',"
    " {get: () => '1', configurable: true});"
)


@pytest.mark.parametrize("honoured", [False, True])
def test_do_not_track_follows_the_policy_switch(
    browser: Any, live_app: LiveApp, swap_policy: Callable[..., None], honoured: bool
) -> None:
    swap_policy(honours_do_not_track=honoured)
    context = browser.new_context(extra_http_headers={"DNT": "1"})
    try:
        context.add_init_script(DNT_SCRIPT)
        page = context.new_page()
        page.goto(f"{live_app.url}/demo")
        if honoured:
            wait_recorded(page)
            assert page.locator(DIALOG).count() == 0
            assert latest_choice(live_app, page).method == "dnt"
        else:
            page.wait_for_selector(DIALOG)  # ignored: the banner asks as usual
        assert ran(page) == {"ga": False, "hubspot": False}
    finally:
        context.close()
