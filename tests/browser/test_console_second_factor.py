"""An administrator sets up an authenticator app in Chromium and signs in with a code.

The whole path a person takes: password, the set-up page (the only one open
to an admin without an app), the key read off the page, a code from it, sign
out, then password and code again. pyotp stands in for the phone.
"""

from __future__ import annotations

from typing import Any

import pyotp

from pledge.console.accounts import create_user
from tests.browser.conftest import LiveApp
from tests.staff_accounts import PASSWORD, fresh_code, remember

EMAIL = "browser-admin@interactions.com"


def _password_step(page: Any, app: LiveApp) -> None:
    page.goto(f"{app.url}/admin/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_an_admin_sets_up_an_app_then_signs_in_with_a_code(
    context: Any, live_app: LiveApp, tmp_path: Any
) -> None:
    create_user(live_app.pledge, email=EMAIL, role="admin", password=PASSWORD, actor="test")
    page = context.new_page()
    _password_step(page, live_app)
    page.wait_for_url("**/admin/account/second-factor")
    page.goto(f"{live_app.url}/admin")  # nothing else opens before the app is set up
    assert page.url.endswith("/admin/account/second-factor")

    page.click("text=Set up an authenticator app")
    page.wait_for_selector("#secret")
    assert page.locator("figure svg").count() == 1  # the QR code, drawn in the page
    page.screenshot(path=str(tmp_path / "set-up.png"), full_page=True)
    secret = page.get_attribute("#secret", "data-secret")
    assert secret
    remember(EMAIL, secret)
    page.fill("#code", fresh_code(secret))
    page.click("text=Confirm")
    page.wait_for_selector("text=Your authenticator app is set up")
    assert page.locator("#secret").count() == 0  # the key is not shown again

    page.click("text=Sign out")
    page.wait_for_url("**/admin/login")
    _password_step(page, live_app)
    page.wait_for_url("**/admin/login/code")
    assert page.get_attribute("#code", "autocomplete") == "one-time-code"
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("button[type=submit]")
    page.wait_for_selector("text=wrong or used code")
    page.fill("#code", fresh_code(secret))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_app.url}/admin")
    assert page.locator("h1").inner_text() == "Request queue"
    nav = page.locator("nav[aria-label=Console] a").all_inner_texts()
    assert "Staff" in nav
    assert "Audit log" in nav
