"""The beacon in real headless Chromium: held back by the cookie banner, one page view after yes.

Every request the browser makes is watched: before a choice and after a refusal
``/static/beacon.js`` is not even fetched. The page view itself is a keepalive
``fetch`` sent while the page unloads, which Playwright's request events do not
report, so it is counted where it lands: the server's page-view rows (the app
under test is the only writer). After "Accept all", leaving the page stores
exactly one. The console's analytics page, with charts drawn, passes axe-core.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pledge.console.accounts import create_user
from pledge.db.models import SiteEvent
from pledge.site_analytics import BeaconIn, record_page_view
from tests.browser.accessibility import assert_axe_clean, require_axe
from tests.browser.conftest import LiveApp
from tests.browser.request_watch import beacon_traffic, watched

DIALOG = "div.pledge-cc[role=dialog]"
AUDITOR = "analytics-auditor@interactions.com"
PASSWORD = "correct horse battery staple"


def page_views(app: LiveApp) -> int:
    with app.pledge.sessions() as session:
        return len(session.scalars(select(SiteEvent.id)).all())


def test_no_beacon_before_a_choice(context: Any, live_app: LiveApp) -> None:
    before = page_views(live_app)
    seen = watched(context)
    page = context.new_page()
    page.goto(f"{live_app.url}/demo")
    page.wait_for_selector(DIALOG)
    page.wait_for_timeout(300)
    page.goto(f"{live_app.url}/policy")
    page.wait_for_timeout(500)
    assert beacon_traffic(seen) == []
    assert page_views(live_app) == before


def test_no_beacon_after_refusal(context: Any, live_app: LiveApp) -> None:
    before = page_views(live_app)
    seen = watched(context)
    page = context.new_page()
    page.goto(f"{live_app.url}/demo")
    page.get_by_role("button", name="Reject all").first.click()
    page.wait_for_function("Number(document.documentElement.dataset.pledgeRecorded || 0) >= 1")
    page.reload()
    page.wait_for_timeout(300)
    page.goto(f"{live_app.url}/policy")
    page.wait_for_timeout(500)
    assert beacon_traffic(seen) == []
    assert page_views(live_app) == before


def test_one_page_view_after_acceptance(context: Any, live_app: LiveApp) -> None:
    with live_app.pledge.sessions() as session:
        before = len(session.scalars(select(SiteEvent.id)).all())
    seen = watched(context)
    page = context.new_page()
    page.goto(f"{live_app.url}/demo")
    page.get_by_role("button", name="Accept all").first.click()
    page.wait_for_function("window.PledgeBeacon !== undefined")
    page.goto(f"{live_app.url}/policy")  # leaving the page sends its page view
    page.wait_for_function("document.readyState === 'complete'")
    page.wait_for_timeout(1000)
    assert any(url.endswith("/static/beacon.js") for url in seen)
    with live_app.pledge.sessions() as session:
        rows = session.scalars(select(SiteEvent)).all()
    assert len(rows) == before + 1
    assert rows[-1].path == "/demo"
    assert rows[-1].browser_family in {"HeadlessChrome", "Chrome", "Chromium"}


def test_the_analytics_page_is_accessible(context: Any, live_app: LiveApp) -> None:
    """With charts to draw: k visitors today, so every chart but the search terms' has bars."""
    require_axe()
    log_data = live_app.pledge.policy.log_data
    assert log_data is not None
    view = BeaconIn(path="/pricing", landing=True, seconds=30)
    for person in range(log_data.min_group_size):
        ip = f"193.51.0.{person + 1}"
        record_page_view(live_app.pledge, view, ip=ip, user_agent="Mozilla/5.0 Firefox/133.0")
    create_user(live_app.pledge, email=AUDITOR, role="auditor", password=PASSWORD, actor="t")
    page = context.new_page()
    page.goto(f"{live_app.url}/admin/login")
    page.get_by_label("E-mail").fill(AUDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Site analytics").click()
    page.get_by_role("heading", name="Site analytics").wait_for()
    page.get_by_role("img", name="Visitors per day").wait_for()
    assert_axe_clean(page, "the site analytics page")
