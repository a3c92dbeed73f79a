"""Screenshots of the public pages, at 1280 and 360 px wide, into docs/screenshots/.

Runs Pledge as ``pledge serve`` does (a temporary SQLite database, jobs
in-process, mail to a local SMTP server) and walks a person's journey in
Debian's Chromium (``/usr/bin/chromium``; nothing downloads a browser): the
privacy center in English and German, a request sent from the form, its page
before and after the code read from the real mail, the package, the cookie
banner, and the preference center reached from a marketing mail's link. The
steps are the browser tests' own (tests/browser), so the pictures show what
the tests check.

    scripts/screenshots            # writes docs/screenshots/public-*.png
"""

from __future__ import annotations

import argparse
import base64
import re
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, MailingApp, _free_port, serving  # noqa: E402
from tests.browser.test_accessibility import marketing_link, submit_request  # noqa: E402
from tests.browser.test_request_journeys import code_mail, collect  # noqa: E402
from tests.integration.smtp_server import running_smtp_server  # noqa: E402

from pledge.core import Pledge  # noqa: E402
from pledge.jobs.inprocess import InProcessRunner  # noqa: E402
from pledge.settings import Settings  # noqa: E402
from pledge.startup import upgrade_schema  # noqa: E402

WIDTHS = (1280, 360)
DIALOG = "div.pledge-cc[role=dialog]"


def shoot(page: Any, out: Path, name: str) -> list[Path]:
    """The page as it stands, whole, at each width."""
    written = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        path = out / f"public-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        written.append(path)
    return written


def journey(browser: Any, app: MailingApp, out: Path) -> list[Path]:
    written: list[Path] = []
    english = browser.new_context(locale="en-GB")
    german = browser.new_context(locale="de-DE")
    page = german.new_page()
    page.goto(f"{app.url}/privacy-center?country=DE")
    written += shoot(page, out, "privacy-center-de")

    email = "wilhelmina@example.org"
    collect(app, email)
    page = english.new_page()
    page.goto(f"{app.url}/privacy-center?country=FR")
    written += shoot(page, out, "privacy-center-en")
    submit_request(page, email)
    written += shoot(page, out, "privacy-center-sent")
    code, link = code_mail(app, email)
    page.goto(link)
    written += shoot(page, out, "request-code")
    page.get_by_label("Code from the e-mail").fill(code)
    page.get_by_role("button", name="Open my request").click()
    page.get_by_role("heading", name="Status").wait_for()
    written += shoot(page, out, "request-status")
    page.get_by_role("link", name="Download to read in your browser (HTML)").click()
    page.get_by_role("heading", name=re.compile("Your personal data held by")).wait_for()
    written += shoot(page, out, "package")

    banner = browser.new_context(locale="en-GB").new_page()
    banner.goto(f"{app.url}/demo")
    banner.wait_for_selector(DIALOG)
    written += shoot(banner, out, "cookie-banner")
    page.goto(marketing_link(app, "omar@example.org"))
    written += shoot(page, out, "preferences")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp, running_smtp_server() as smtp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/pledge.db",
            master_key=base64.b64encode(secrets.token_bytes(32)).decode(),
            smtp_url=smtp.url,
            smtp_from="Privacy Team <privacy@pledge.example>",
            base_url=f"http://127.0.0.1:{port}",
        )
        pledge = Pledge(settings)
        upgrade_schema(pledge)
        runner = InProcessRunner(pledge)
        runner.start()
        try:
            with serving(pledge, port) as url, sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                try:
                    written = journey(browser, MailingApp(pledge, url, smtp), args.out)
                finally:
                    browser.close()
        finally:
            runner.stop()
            pledge.dispose()
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
