"""The request's own page over HTTP: the link, the code, the cookie, the downloads.

Real app, real SMTP server, both databases. The code and the link are read
from the mail the SMTP server received, as a person would read them.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import RequestEvent, RequestPageSession, RightsRequest
from pledge.jobs import deliver_outbox
from pledge.web.app import create_app
from pledge.web.form_tokens import FORM_LIFETIME
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import CODE, EMAIL, NAME, PHONE, ask, collect, wrong_code

LINK = re.compile(r"(http://127\.0\.0\.1:8000(/privacy-center/requests/[0-9a-f-]{36}))")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
COOKIE = "pledge_request"


def mailed(pledge: Pledge, smtp: SmtpServer) -> tuple[str, str]:
    """The newest code mail: (code, path of the link)."""
    deliver_outbox(pledge)
    mails = [m for m in smtp.messages_to(EMAIL) if CODE.search(m.body)]
    assert mails, "no code was mailed"
    body = mails[-1].body
    code, link = CODE.search(body), LINK.search(body)
    assert code is not None, body
    assert link is not None, body
    return code.group(1), link.group(2)


def codes_received(pledge: Pledge, smtp: SmtpServer) -> int:
    deliver_outbox(pledge)
    return len([m for m in smtp.messages_to(EMAIL) if CODE.search(m.body)])


def csrf(page: Any) -> str:
    match = CSRF.search(page.text)
    assert match is not None, page.text
    return match.group(1)


def enter(client: TestClient, path: str, code: str) -> Any:
    form = csrf(client.get(path))
    return client.post(path, data={"csrf": form, "code": code}, follow_redirects=False)


def sign_in(client: TestClient, path: str, code: str) -> str:
    """Enter the right code; returns the session cookie's value."""
    response = enter(client, path, code)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == path
    token = client.cookies.get(COOKIE, path=path)
    assert token
    return str(token)


def row_of(pledge: Pledge, path: str) -> RightsRequest:
    with pledge.sessions() as session:
        row = session.get(RightsRequest, path.rsplit("/", 1)[1])
        assert row is not None
        session.expunge(row)
        return row


def events(pledge: Pledge, path: str) -> list[str]:
    with pledge.sessions() as session:
        return list(
            session.scalars(
                select(RequestEvent.event)
                .where(RequestEvent.request_id == path.rsplit("/", 1)[1])
                .order_by(RequestEvent.id)
            )
        )


def signed_in(page: Any) -> bool:
    return "<h2>Status</h2>" in page.text


def code_form(page: Any) -> bool:
    return '<input id="code" name="code" autocomplete="one-time-code"' in page.text


@pytest.fixture
def access(mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str) -> str:
    """An access request with a second data point, as the API takes it: its page's path."""
    collect(web, system_key)
    ask(web, match={"phone": PHONE})
    return mailed(mailer, smtp)[1]


def test_the_code_mail_links_to_the_request_page(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    request = ask(web)
    code, path = mailed(mailer, smtp)
    assert path == f"/privacy-center/requests/{request['id']}"
    assert len(code) == 8


def test_the_link_alone_shows_nothing(mailer: Pledge, access: str, web: TestClient) -> None:
    page = web.get(access)
    assert page.status_code == 200
    assert code_form(page)
    assert '<button type="submit">Open my request</button>' in page.text
    for secret in (EMAIL, "access", "Access", "pending", "completed", NAME):
        assert secret not in page.text, secret
    unknown = web.get(f"/privacy-center/requests/{uuid.uuid4()}")
    garbage = web.get("/privacy-center/requests/not-a-request")

    def same(text: str) -> str:
        return re.sub(r"/privacy-center/requests/[^\"/]+", "ID", CSRF.sub("", text))

    assert unknown.status_code == garbage.status_code == 200
    assert same(unknown.text) == same(page.text) == same(garbage.text)
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert row_of(mailer, access).status == "pending_verification"  # opening verified nothing


def test_the_right_code_verifies_and_signs_in_to_that_request(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    response = enter(web, access, code)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=strict", f"Path={access}", "Max-Age=1800"):
        assert attribute.lower() in cookie.lower(), attribute
    assert "secure" not in cookie.lower()  # plain http in this test
    page = web.get(access)
    assert signed_in(page)
    assert page.headers["cache-control"] == "no-store"
    assert "Completed" in page.text
    assert "Your request: Access to your personal data" in page.text
    assert "The law gives us until" in page.text
    for label in ("We received your request", "You confirmed the request with the code"):
        assert label in page.text
    assert EMAIL not in page.text
    row = row_of(mailer, access)
    assert (row.status, row.verification) == ("completed", "full")
    with mailer.sessions() as session:
        stored = session.scalars(select(RequestPageSession.token_hash)).all()
    assert stored
    assert web.cookies.get(COOKIE, path=access) not in stored


def test_the_cookie_is_secure_behind_https(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    with TestClient(create_app(mailer), base_url="https://testserver") as https:
        response = enter(https, access, code)
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_codes_are_counted_and_the_fifth_locks(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    for attempt in range(1, 6):
        response = enter(web, access, wrong_code(code))
        assert response.status_code == 400
        assert 'id="code-error"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert "The code is not correct." in response.text
        assert row_of(mailer, access).failed_attempts == attempt
    assert row_of(mailer, access).status == "locked"
    locked = enter(web, access, code)
    assert locked.status_code == 429
    assert "locked" in locked.text
    assert COOKIE not in locked.headers.get("set-cookie", "")
    assert not signed_in(web.get(access))


def test_an_expired_code_opens_nothing(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    with mailer.transaction() as session:
        session.execute(
            update(RightsRequest)
            .where(RightsRequest.id == row_of(mailer, access).id)
            .values(code_expires_at=utcnow() - timedelta(seconds=1))
        )
    response = enter(web, access, code)
    assert response.status_code == 400
    assert "The code has expired; ask for a new one." in response.text
    assert row_of(mailer, access).status == "pending_verification"
    assert not signed_in(web.get(access))


@pytest.mark.parametrize("shape", ["1234", "12ab5678", "123456789", "", "١٢٣٤٥٦٧٨"])
def test_a_code_of_the_wrong_shape_changes_nothing(
    mailer: Pledge, access: str, web: TestClient, shape: str
) -> None:
    before = events(mailer, access)
    response = enter(web, access, shape)
    assert response.status_code == 400
    assert "Enter the 8 digits of the code from our e-mail." in response.text
    assert 'aria-describedby="code-hint code-error"' in response.text
    assert row_of(mailer, access).failed_attempts == 0
    assert events(mailer, access) == before


def test_spaces_and_dashes_in_a_code_are_forgiven(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    assert enter(web, access, f"{code[:4]} - {code[4:]}").status_code == 303


def test_a_stale_foreign_or_missing_form_token_gets_a_message_and_changes_nothing(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    other = f"/privacy-center/requests/{uuid.uuid4()}"
    foreign = csrf(web.get(other))
    issued, _, mac = csrf(web.get(access)).partition(".")
    stale = f"{int(issued) - FORM_LIFETIME - 1}.{mac}"
    for token in (foreign, stale, "", "garbage", "1.x"):
        response = web.post(access, data={"csrf": token, "code": code}, follow_redirects=False)
        assert response.status_code == 400, token
        assert "This form has expired" in response.text
    row = row_of(mailer, access)
    assert (row.status, row.failed_attempts) == ("pending_verification", 0)


def test_a_form_without_the_browser_cookie_is_refused(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    token = csrf(web.get(access))
    web.cookies.clear()
    response = web.post(access, data={"csrf": token, "code": code}, follow_redirects=False)
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert row_of(mailer, access).status == "pending_verification"


def test_a_cookie_opens_only_its_own_request(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    ask(web, match={"phone": PHONE})
    code_a, page_a = mailed(mailer, smtp)
    ask(web, match={"phone": PHONE})
    code_b, page_b = mailed(mailer, smtp)
    token_a = sign_in(web, page_a, code_a)
    web.cookies.clear()
    stolen = {"Cookie": f"{COOKIE}={token_a}"}
    assert code_form(web.get(page_b, headers=stolen))
    assert not signed_in(web.get(page_b, headers=stolen))
    download = web.get(f"{page_b}/download/json", headers=stolen, follow_redirects=False)
    assert (download.status_code, download.headers["location"]) == (303, page_b)
    assert signed_in(web.get(page_a, headers=stolen))
    assert row_of(mailer, page_b).copies_served == 0
    assert code_b


def test_the_session_expires(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    sign_in(web, access, mailed(mailer, smtp)[0])
    assert signed_in(web.get(access))
    with mailer.transaction() as session:
        session.execute(
            update(RequestPageSession).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    page = web.get(access)
    assert code_form(page)
    assert not signed_in(page)
    download = web.get(f"{access}/download/zip", follow_redirects=False)
    assert download.status_code == 303
    assert row_of(mailer, access).copies_served == 0


def test_signing_out_ends_the_session_on_the_server(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    token = sign_in(web, access, mailed(mailer, smtp)[0])
    page = web.get(access)
    out = web.post(f"{access}/sign-out", data={"csrf": csrf(page)}, follow_redirects=False)
    assert out.status_code == 303
    assert f'{COOKIE}=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    copied = {"Cookie": f"{COOKIE}={token}"}
    web.cookies.clear()
    assert code_form(web.get(access, headers=copied))
    with mailer.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RequestPageSession)) == 0


def test_downloads_work_with_the_cookie_only(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    sign_in(web, access, mailed(mailer, smtp)[0])
    page = web.get(access)
    links = re.findall(r'<a href="([^"]+)">([^<]*Download[^<]*)</a>', page.text)
    assert [href for href, _ in links] == [
        f"{access}/download/{form}" for form in ("html", "json", "zip")
    ]
    assert "5 more times" in page.text

    html = web.get(f"{access}/download/html")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["cache-control"] == "no-store"
    assert "content-disposition" not in html.headers
    assert NAME in html.text

    body = web.get(f"{access}/download/json")
    assert body.status_code == 200
    assert body.headers["content-type"] == "application/json"
    assert body.headers["content-disposition"] == 'attachment; filename="personal-data.json"'
    assert body.headers["cache-control"] == "no-store"
    data = json.loads(body.content)
    assert data["categories"][0]["records"][0]["data"]["name"] == NAME
    assert data["copy"] == 2

    archive = web.get(f"{access}/download/zip")
    assert archive.headers["content-type"] == "application/zip"
    assert archive.headers["content-disposition"] == 'attachment; filename="personal-data.zip"'
    assert archive.headers["cache-control"] == "no-store"
    files = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert set(files) == {"package.json", "identification.csv"}
    assert "2 more times" in web.get(access).text

    anonymous = TestClient(create_app(mailer))
    for form in ("html", "json", "zip"):
        answer = anonymous.get(f"{access}/download/{form}", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, access)
    assert row_of(mailer, access).copies_served == 3


def test_downloads_stop_after_five_copies(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    sign_in(web, access, mailed(mailer, smtp)[0])
    for form in ("json", "zip", "html", "json", "zip"):
        assert web.get(f"{access}/download/{form}").status_code == 200, form
    gone = web.get(f"{access}/download/json")
    assert gone.status_code == 410
    assert "downloaded 5 times" in gone.text
    assert gone.headers["cache-control"] == "no-store"
    page = web.get(access)
    assert "can no longer be downloaded" in page.text
    assert "/download/" not in page.text


def test_downloads_stop_when_the_package_expires(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    sign_in(web, access, mailed(mailer, smtp)[0])
    with mailer.transaction() as session:
        session.execute(
            update(RightsRequest).values(package_expires_at=utcnow() - timedelta(seconds=1))
        )
    gone = web.get(f"{access}/download/zip")
    assert gone.status_code == 410
    assert "could be downloaded until" in gone.text
    assert "/download/" not in web.get(access).text


def test_a_verified_request_is_opened_again_with_a_new_code(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    sign_in(web, access, mailed(mailer, smtp)[0])
    web.cookies.clear()
    form = csrf(web.get(access))
    sent = web.post(f"{access}/code", data={"csrf": form})
    assert sent.status_code == 200
    assert "we have mailed a new code" in sent.text
    assert EMAIL not in sent.text
    code, _ = mailed(mailer, smtp)
    for attempt in range(1, 5):
        assert enter(web, access, wrong_code(code)).status_code == 400
        assert row_of(mailer, access).sign_in_failures == attempt
    assert "no longer valid" in enter(web, access, wrong_code(code)).text  # the fifth ends it
    assert "no longer valid" in enter(web, access, code).text
    web.post(f"{access}/code", data={"csrf": csrf(web.get(access))})
    fresh, _ = mailed(mailer, smtp)
    assert fresh != code
    sign_in(web, access, fresh)
    assert signed_in(web.get(access))
    row = row_of(mailer, access)
    assert (row.status, row.failed_attempts, row.sign_in_failures) == ("completed", 0, 0)
    assert events(mailer, access).count("page_opened") == 2


def test_a_pending_request_gets_a_new_code_and_the_old_one_stops(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    old, _ = mailed(mailer, smtp)
    web.post(f"{access}/code", data={"csrf": csrf(web.get(access))})
    new, _ = mailed(mailer, smtp)
    assert enter(web, access, old).status_code == 400
    assert row_of(mailer, access).failed_attempts == 1
    sign_in(web, access, new)


def test_new_codes_are_rate_limited(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    mailer.settings.request_code_limit = 2
    before = codes_received(mailer, smtp)
    for _ in range(2):
        assert web.post(f"{access}/code", data={"csrf": csrf(web.get(access))}).status_code == 200
    limited = web.post(f"{access}/code", data={"csrf": csrf(web.get(access))})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Too many codes were asked for this request" in limited.text
    assert 'id="resend-error"' in limited.text
    assert codes_received(mailer, smtp) == before + 2


def test_a_new_code_for_an_unknown_link_says_the_same_and_sends_nothing(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    before = codes_received(mailer, smtp)
    real = web.post(f"{access}/code", data={"csrf": csrf(web.get(access))})
    nowhere = f"/privacy-center/requests/{uuid.uuid4()}"
    unknown = web.post(f"{nowhere}/code", data={"csrf": csrf(web.get(nowhere))})
    assert real.status_code == unknown.status_code == 200
    assert "we have mailed a new code" in unknown.text
    assert codes_received(mailer, smtp) == before + 1
    right = enter(web, nowhere, "12345678")
    assert right.status_code == 400
    assert "The code is not correct." in right.text


def test_a_form_sent_again_after_signing_in_changes_nothing(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    code, _ = mailed(mailer, smtp)
    form = csrf(web.get(access))
    assert web.post(access, data={"csrf": form, "code": code}, follow_redirects=False).status_code
    again = web.post(access, data={"csrf": form, "code": code}, follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, access)
    other = TestClient(create_app(mailer))
    replay = enter(other, access, code)
    assert replay.status_code == 400
    assert "no longer valid" in replay.text
    assert row_of(mailer, access).sign_in_failures == 0


def test_the_privacy_center_says_to_open_the_link(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    page = web.get("/privacy-center", params={"country": "FR"})
    form = {"csrf": csrf(page), "country": "FR", "region": "", "type": "access", "email": EMAIL}
    answer = web.post("/privacy-center", data=form)
    assert answer.status_code == 200
    assert "We mailed you a code and a link. Open the link" in answer.text
    assert "POST /api/v1" not in answer.text
    assert "reply to the e-mail" not in answer.text
    code, path = mailed(mailer, smtp)
    sign_in(web, path, code)
    assert signed_in(web.get(path))


def test_an_erasure_shows_its_completion_and_mails_no_dead_link(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    ask(web, type="erasure", match={"phone": PHONE})
    code, path = mailed(mailer, smtp)
    sign_in(web, path, code)
    page = web.get(path)
    assert "Completed" in page.text
    assert "We erased your personal data" in page.text
    assert "/download/" not in page.text
    deliver_outbox(mailer)
    closing = [m for m in smtp.messages_to(EMAIL) if "is complete" in m.body]
    assert closing
    assert "/privacy-center/requests/" not in closing[-1].body
    web.cookies.clear()
    before = codes_received(mailer, smtp)
    web.post(f"{path}/code", data={"csrf": csrf(web.get(path))})
    assert codes_received(mailer, smtp) == before  # the address is gone with the data


def test_the_cookie_is_secure_when_the_base_url_is_https(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    mailer.settings.base_url = "https://privacy.example.com"
    request = ask(web)
    deliver_outbox(mailer)
    body = [m for m in smtp.messages_to(EMAIL) if CODE.search(m.body)][-1].body
    assert f"https://privacy.example.com/privacy-center/requests/{request['id']}" in body
    code = CODE.search(body)
    assert code is not None
    with TestClient(create_app(mailer), base_url="https://testserver") as behind_a_proxy:
        page = f"/privacy-center/requests/{request['id']}"
        form = behind_a_proxy.get(page)
        assert "secure" in form.headers["set-cookie"].lower()  # the form's nonce too
        response = enter(behind_a_proxy, page, code.group(1))
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


def test_the_daily_pass_deletes_expired_sessions(
    mailer: Pledge, smtp: SmtpServer, access: str, web: TestClient
) -> None:
    from pledge.rights.retention import expire_requests

    sign_in(web, access, mailed(mailer, smtp)[0])
    expire_requests(mailer)
    with mailer.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RequestPageSession)) == 1
    expire_requests(mailer, now=utcnow() + timedelta(minutes=31))
    with mailer.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RequestPageSession)) == 0
