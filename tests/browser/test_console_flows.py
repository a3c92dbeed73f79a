"""The staff console in real headless Chromium, with mail read from a real SMTP server.

Staff sign in, enter an erasure received by phone with the phone number as the
second data point (the person's code mail arrives; staff see the request in
the queue), approve a rectification's corrections (the record changes), lift
a restriction (the person's mail reaches the SMTP server before the
restriction goes) and extend a deadline with a reason that is mailed.
"""

from __future__ import annotations

import base64
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pledge.console.accounts import create_user
from pledge.core import Pledge
from pledge.jobs import deliver_outbox
from pledge.records import RecordIn, collect, records_for_email
from pledge.restrictions import restrictions_for
from pledge.rights import RequestIn, detail, submit
from pledge.settings import Settings
from pledge.startup import upgrade_schema
from pledge.web.app import create_app
from tests.integration.smtp_server import SmtpServer, running_smtp_server

OFFICER = "officer@interactions.com"
PASSWORD = "correct horse battery staple"
PHONE = "+33 1 23 45 67 89"
CODE = re.compile(r"verification code is (\d{8})")


@dataclass
class ConsoleApp:
    pledge: Pledge
    url: str
    smtp: SmtpServer


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def console_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleApp]:
    """Pledge on SQLite under uvicorn, mailing to a real SMTP server, with one officer.

    No job runner runs: each test delivers the outbox itself, so it sees what
    reached the mail server before and after each step.
    """
    import uvicorn

    db = tmp_path_factory.mktemp("console") / "pledge.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    with running_smtp_server() as smtp:
        settings = Settings(
            database_url=f"sqlite:///{db}",
            master_key=key,
            smtp_url=smtp.url,
            smtp_from="Privacy Team <privacy@pledge.example>",
        )
        pledge = Pledge(settings)
        upgrade_schema(pledge)
        create_user(pledge, email=OFFICER, role="privacy_officer", password=PASSWORD, actor="test")
        port = _free_port()
        config = uvicorn.Config(
            create_app(pledge), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        try:
            yield ConsoleApp(pledge, f"http://127.0.0.1:{port}", smtp)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            pledge.dispose()


def signed_in(context: Any, app: ConsoleApp) -> Any:
    page = context.new_page()
    page.goto(f"{app.url}/admin/login")
    page.get_by_label("E-mail").fill(OFFICER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app.url}/admin")
    return page


def held(app: ConsoleApp, email: str) -> str:
    """A person we hold data about, with their phone as an identity."""
    record = RecordIn.model_validate(
        {
            "subject": {"email": email, "phone": PHONE, "name": "Ada Byron", "country": "FR"},
            "category": "identification",
            "purpose": "respond_to_requests",
            "source": "web_form:contact_us",
            "data": {"name": "Ada Byron", "email": email, "company": "Analytical Engines"},
        }
    )
    (written,) = collect(app.pledge, [record], actor="test")
    return str(written.subject_id)


def mails(app: ConsoleApp, to: str, subject: str = "") -> list[Any]:
    return [m for m in app.smtp.messages_to(to) if subject in str(m.message["Subject"])]


def code_for(app: ConsoleApp, email: str) -> str:
    deliver_outbox(app.pledge)
    (mail,) = [m for m in app.smtp.messages_to(email) if CODE.search(m.body)]
    found = CODE.search(mail.body)
    assert found is not None
    return found.group(1)


def verify(app: ConsoleApp, request_id: str, token: str, code: str) -> dict[str, Any]:
    response = httpx.post(
        f"{app.url}/api/v1/requests/{request_id}/verify",
        json={"code": code},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def enter_request(page: Any, app: ConsoleApp, **fields: str) -> None:
    page.goto(f"{app.url}/admin/requests/new")
    page.get_by_label("Type").select_option(fields.pop("type"))
    page.get_by_label("Received by").select_option(fields.pop("channel"))
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Record the request").click()


def test_an_erasure_received_by_phone(context: Any, console_app: ConsoleApp) -> None:
    app, email = console_app, "ada.phone@example.org"
    held(app, email)
    page = signed_in(context, app)
    address = "The person's e-mail (the code and the link go there)"
    fields = {address: email, "Country (two letters, e.g. FR)": "FR", "Phone number": "12x"}
    enter_request(page, app, type="erasure", channel="phone", **fields)
    error = page.locator("#match_phone-error")
    assert "not a phone number" in error.inner_text()
    assert (
        page.get_by_label("Phone number").get_attribute("aria-describedby") == "match_phone-error"
    )
    assert page.get_by_label(address).input_value() == email  # kept, not typed again
    page.get_by_label("Phone number").fill(PHONE)
    page.get_by_role("button", name="Record the request").click()
    page.get_by_role("status").filter(has_text="Request recorded").wait_for()
    request_id = page.get_by_role("link", name="open it").get_attribute("href").rsplit("/", 1)[1]
    code = code_for(app, email)
    assert code not in page.content()  # staff never see the code
    page.get_by_role("link", name="Requests", exact=True).click()
    row = page.locator(f'tr[data-request="{request_id}"]')
    assert "erasure" in row.inner_text()
    assert "phone" in row.inner_text()
    assert detail(app.pledge, request_id, reader=None).status == "pending_verification"


def test_staff_approve_a_rectification(context: Any, console_app: ConsoleApp) -> None:
    app, email = console_app, "ada.rectify@example.org"
    held(app, email)
    request = submit(
        app.pledge,
        RequestIn.model_validate(
            {
                "type": "rectification",
                "email": email,
                "country": "FR",
                "match": {"phone": PHONE},
                "corrections": {"company": "Difference Engines"},
            }
        ),
        method="post",
    )
    done = verify(app, request.id, request.token, code_for(app, email))
    assert done["status"] == "awaiting_review"
    page = signed_in(context, app)
    page.get_by_label("Status").select_option("awaiting_review")
    page.get_by_role("button", name="Filter").click()
    page.locator(f'tr[data-request="{request.id}"] a').click()
    table = page.locator("table.corrections")
    assert table.locator("del").inner_text() == "Analytical Engines"
    assert table.locator("ins").inner_text() == "Difference Engines"
    page.get_by_role("button", name="Approve the corrections").click()
    page.get_by_role("status").filter(has_text="Approved").wait_for()
    assert page.get_by_role("alert").count() == 0
    assert page.locator("[data-status]").get_attribute("data-status") == "completed"
    (record,) = records_for_email(app.pledge, email)
    assert record.data["company"] == "Difference Engines"


def test_staff_lift_a_restriction_after_the_person_is_told(
    context: Any, console_app: ConsoleApp
) -> None:
    app, email = console_app, "ada.restrict@example.org"
    subject_id = held(app, email)
    request = submit(
        app.pledge,
        RequestIn.model_validate({"type": "restriction", "email": email, "country": "FR"}),
    )
    assert verify(app, request.id, request.token, code_for(app, email))["status"] == "completed"
    page = signed_in(context, app)
    page.goto(f"{app.url}/admin/requests/{request.id}")
    page.get_by_label(re.compile("Reason to lift the restriction")).fill("The dispute is settled.")
    page.get_by_role("button", name="Lift the restriction").click()
    page.locator('[data-lift="pending"]').wait_for()
    with app.pledge.sessions() as session:
        assert "restriction" in restrictions_for(session, subject_id)
    assert not mails(app, email, "lifting the restriction")
    deliver_outbox(app.pledge)
    (mail,) = mails(app, email, "lifting the restriction")
    assert "The dispute is settled." in mail.body
    with app.pledge.sessions() as session:
        assert restrictions_for(session, subject_id) == []
    page.reload()
    page.locator('[data-lift="lifted"]').wait_for()
    timeline = page.locator("ol.timeline").inner_text()
    assert timeline.index("lift_notice_sent") < timeline.index("restriction_lifted")


def test_staff_extend_a_deadline_with_a_mailed_reason(
    context: Any, console_app: ConsoleApp
) -> None:
    app, email = console_app, "ada.extend@example.org"
    request = submit(
        app.pledge,
        RequestIn.model_validate({"type": "access", "email": email, "country": "FR"}),
        method="email",
    )
    page = signed_in(context, app)
    page.goto(f"{app.url}/admin/requests/{request.id}")
    page.get_by_role("button", name="Extend").click()  # no reason yet
    assert "3 to 2000 characters" in page.locator("#reason-extend-error").inner_text()
    page.get_by_label(re.compile("Reason to extend to")).fill("We are restoring an archive.")
    page.get_by_role("button", name="Extend").click()
    page.get_by_role("status").filter(has_text="Extended").wait_for()
    due = detail(app.pledge, request.id, reader=None).due_at
    deliver_outbox(app.pledge)
    (mail,) = mails(app, email, "more time")
    assert "We are restoring an archive." in mail.body
    assert f"{due.day} {due:%B %Y}" in mail.body  # Babel writes the day without a leading 0
    assert "already extended once" in page.content()
