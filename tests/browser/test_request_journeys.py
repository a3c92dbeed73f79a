"""A person's request from the privacy center to its answer, in real headless Chromium.

The app runs as ``pledge serve`` does (jobs in-process), mails through a real
SMTP server, and the tests read the code and the link from the mail it
received. Staff act in the console, in a browser of their own.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from pledge.access import create_api_key
from pledge.console.accounts import create_user
from pledge.db.models import RightsRequest
from pledge.policy import load_policy
from pledge.policy.loader import bundled_policy_path
from tests.browser.conftest import MailingApp
from tests.rights.conftest import CODE, NAME, PHONE, record_body

STAFF_EMAIL = "dpo@interactions.example"
STAFF_PASSWORD = "a long staff passphrase"


def collect(app: MailingApp, email: str) -> None:
    """Data about the person, recorded by a system as the API takes it."""
    key = create_api_key(app.pledge, name=f"crm-{email}", role="system")[1]
    response = httpx.post(
        f"{app.url}/api/v1/records",
        json=record_body(email),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.text


def code_mail(app: MailingApp, email: str, seen: int = 0) -> tuple[str, str]:
    """Wait for a code mail to ``email`` beyond the first ``seen``: (code, link)."""
    link = re.compile(re.escape(app.url) + r"/privacy-center/requests/[0-9a-f-]{36}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [m for m in app.smtp.messages_to(email) if CODE.search(m.body)]
        if len(mails) > seen:
            body = mails[-1].body
            code, found = CODE.search(body), link.search(body)
            assert code is not None, body
            assert found is not None, body
            return code.group(1), found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no code mail to {email}")


def fill_the_form(context: Any, app: MailingApp, email: str, kind: str) -> None:
    page = context.new_page()
    page.goto(f"{app.url}/privacy-center?country=FR")
    page.get_by_label("What would you like us to do?").select_option(kind)
    page.get_by_label("Your e-mail address (we send the code there)").fill(email)
    page.locator("#phone").fill(PHONE)
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("We mailed you a code and a link.").wait_for()
    page.close()


def open_with_code(context: Any, link: str, code: str) -> Any:
    page = context.new_page()
    page.goto(link)
    assert page.locator("input[name=code]").get_attribute("autocomplete") == "one-time-code"
    page.get_by_label("Code from the e-mail").fill(code)
    page.get_by_role("button", name="Open my request").click()
    page.get_by_role("heading", name="Status").wait_for()
    return page


def request_id(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_access_from_the_form_to_the_download(context: Any, mailing_app: MailingApp) -> None:
    email = "ada.access@example.org"
    collect(mailing_app, email)
    fill_the_form(context, mailing_app, email, "access")
    code, link = code_mail(mailing_app, email)

    page = context.new_page()
    page.goto(link)
    for secret in (email, "Access to your personal data", "Completed"):
        assert secret not in page.content()  # the link alone shows nothing
    page.close()

    page = open_with_code(context, link, code)
    assert page.locator("p.status").inner_text().strip() == "Completed"
    (cookie,) = [c for c in context.cookies() if c["name"] == "pledge_request"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (
        True,
        "Strict",
        link.removeprefix(mailing_app.url),
    )
    assert 1700 < cookie["expires"] - time.time() <= 1800
    page.reload()
    for label in ("We received your request", "You confirmed the request with the code"):
        assert page.get_by_text(label).count() == 1
    _downloads(page)
    with mailing_app.pledge.sessions() as session:
        row = session.get(RightsRequest, request_id(link))
        assert row is not None
        assert row.copies_served == 3


def _downloads(page: Any) -> None:
    """Each Download link: the HTML to read, the JSON and the ZIP as files."""
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(Path(json_download.value.path()).read_text())
    assert json_download.value.suggested_filename == "personal-data.json"
    (category,) = data["categories"]
    assert category["records"][0]["data"]["name"] == NAME
    with page.expect_download() as zip_download:
        page.get_by_role("link", name="Download as a ZIP of CSV files").click()
    assert zip_download.value.suggested_filename == "personal-data.zip"
    archive = zipfile.ZipFile(io.BytesIO(Path(zip_download.value.path()).read_bytes()))
    assert set(archive.namelist()) == {"package.json", "identification.csv"}
    assert NAME in archive.read("identification.csv").decode()
    page.get_by_role("link", name="Download to read in your browser (HTML)").click()
    page.get_by_role("heading", name=re.compile("Your personal data held by")).wait_for()
    assert page.get_by_role("cell", name=NAME).count() == 1


@pytest.fixture
def access_reviewed_by_staff(mailing_app: MailingApp, tmp_path: Path) -> Iterator[None]:
    """A policy whose EU access right asks staff to review each request first."""
    text = bundled_policy_path().read_text()
    marker = "      - type: access\n"
    assert marker in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(marker, marker + "        staff_review: true\n", 1))
    pledge = mailing_app.pledge
    original = pledge.policy
    pledge.__dict__["policy"] = load_policy(path)
    try:
        yield
    finally:
        pledge.__dict__["policy"] = original


def test_staff_approve_in_the_console_and_the_person_downloads(
    browser: Any, context: Any, mailing_app: MailingApp, access_reviewed_by_staff: None
) -> None:
    email = "grace.reviewed@example.org"
    collect(mailing_app, email)
    fill_the_form(context, mailing_app, email, "access")
    code, link = code_mail(mailing_app, email)
    page = open_with_code(context, link, code)
    assert "our team is reviewing it" in page.locator("p.status").inner_text()
    assert page.get_by_role("link", name=re.compile("Download")).count() == 0

    create_user(
        mailing_app.pledge,
        email=STAFF_EMAIL,
        role="privacy_officer",  # an admin would first have to set up an authenticator app
        password=STAFF_PASSWORD,
        actor="cli",
    )
    staff = browser.new_context()
    try:
        console = staff.new_page()
        console.goto(f"{mailing_app.url}/admin/login")
        console.get_by_label("E-mail").fill(STAFF_EMAIL)
        console.get_by_label("Password").fill(STAFF_PASSWORD)
        console.get_by_role("button", name="Sign in").click()
        console.wait_for_url(f"{mailing_app.url}/admin")
        console.goto(f"{mailing_app.url}/admin/requests/{request_id(link)}")
        console.get_by_role("button", name="Approve").click()
        console.get_by_text("Approved: the request was carried out").wait_for()
    finally:
        staff.close()

    page.reload()
    assert page.locator("p.status").inner_text().strip() == "Completed"
    _downloads(page)


def test_erasure_from_the_form_to_completion(context: Any, mailing_app: MailingApp) -> None:
    email = "lin.erasure@example.org"
    collect(mailing_app, email)
    fill_the_form(context, mailing_app, email, "erasure")
    code, link = code_mail(mailing_app, email)

    page = context.new_page()
    page.goto(link)
    page.get_by_label("Code from the e-mail").fill("1234")
    page.get_by_role("button", name="Open my request").click()
    error = page.locator("#code-error")
    assert error.inner_text() == "Enter the 8 digits of the code from our e-mail."
    assert page.get_by_label("Code from the e-mail").get_attribute("aria-invalid") == "true"
    page.get_by_label("Code from the e-mail").fill(code)
    page.get_by_role("button", name="Open my request").click()
    page.get_by_role("heading", name="Status").wait_for()

    assert page.locator("p.status").inner_text().strip() == "Completed"
    assert page.get_by_text("We erased your personal data").count() == 1
    assert page.get_by_role("link", name=re.compile("Download")).count() == 0
    with mailing_app.pledge.sessions() as session:
        row = session.scalar(select(RightsRequest).where(RightsRequest.id == request_id(link)))
        assert row is not None
        assert (row.type, row.status, row.email_ciphertext) == ("erasure", "completed", None)

    page.get_by_role("button", name="Sign out of this page").click()
    page.get_by_label("Code from the e-mail").wait_for()
    assert [c for c in context.cookies() if c["name"] == "pledge_request"] == []


def test_a_new_code_asked_for_on_the_page(context: Any, mailing_app: MailingApp) -> None:
    email = "mae.newcode@example.org"
    fill_the_form(context, mailing_app, email, "access")
    first, link = code_mail(mailing_app, email)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Send me a new code").click()
    page.get_by_text("we have mailed a new code").wait_for()
    second, again = code_mail(mailing_app, email, seen=1)
    assert (again, second != first) == (link, True)
    page.get_by_label("Code from the e-mail").fill(first)
    page.get_by_role("button", name="Open my request").click()
    assert page.locator("#code-error").inner_text() == "The code is not correct."
    page.get_by_label("Code from the e-mail").fill(second)
    page.get_by_role("button", name="Open my request").click()
    page.get_by_role("heading", name="Status").wait_for()
    assert page.locator("p.status").inner_text().strip() == "Completed"  # nothing held
