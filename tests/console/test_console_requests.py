"""The console's request flows over HTTP, on both databases, with the real SMTP server.

Staff enter requests received by phone or post with what the API takes (second
data point, corrections, agent), act on every state (approve corrections,
extend with a mailed reason, deny, lift a restriction once the person is told),
and see overdue and at-risk requests first. Bad input gets a message beside
its field and stores nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from pledge.console.accounts import create_user
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Delivery, RightsRequest
from pledge.jobs import deliver_outbox
from pledge.records import records_for_email
from pledge.rights import detail
from pledge.rights.identity import new_token, token_hash
from pledge.rights.schemas import RequestIn
from pledge.rights.service import submit
from tests.console.test_console import PASSWORD, csrf_of, form_token_of, sign_in
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import CODE, EMAIL, PHONE, collect, confirm, mailed_code

OFFICER = "officer@interactions.com"
AGENT = "agent.smith@agency.example"
PERMISSION = "I, Wilhelmina Quartermaine, authorise Agent Smith to act for me. Signed W.Q."


@pytest.fixture
def staff(mailer: Pledge, client: TestClient) -> TestClient:
    """The HTTP client, signed in as an administrator of the mailing Pledge."""
    create_user(mailer, email=OFFICER, role="privacy_officer", password=PASSWORD, actor="test")
    assert sign_in(client, OFFICER) == 303
    return client


def enter(staff: TestClient, **fields: str) -> Any:
    """Fill in the new-request form as a member of staff would, and send it."""
    form = staff.get("/admin/requests/new")
    data = {
        "csrf": csrf_of(form.text),
        "form_token": form_token_of(form.text),
        "channel": "phone",
        "country": "FR",
        "email": EMAIL,
        **fields,
    }
    return staff.post("/admin/requests/new", data=data)


def created_id(response: Any) -> str:
    assert response.status_code == 200, response.text
    found = re.search(r'href="/admin/requests/([0-9a-f-]{36})"', response.text)
    assert found, "no link to the new request"
    return found.group(1)


def requests_held(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(RightsRequest)) or 0)


def mails_queued(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Delivery)) or 0)


def person_token(pledge: Pledge, request_id: str) -> str:
    """Stand-in for the person's own page (another part of issue #12): the person, who
    holds the mailed code, gets a token of their own to confirm it over the API."""
    token = new_token()
    with pledge.transaction() as session:
        session.execute(
            update(RightsRequest)
            .where(RightsRequest.id == request_id)
            .values(token_hash=token_hash(pledge.keys, request_id, token))
        )
    return token


def confirmed(pledge: Pledge, smtp: SmtpServer, web: TestClient, request_id: str) -> dict[str, Any]:
    request = {"id": request_id, "token": person_token(pledge, request_id)}
    return confirm(web, request, mailed_code(pledge, smtp))


def action(staff: TestClient, request_id: str, name: str, **data: str) -> Any:
    page = staff.get(f"/admin/requests/{request_id}")
    return staff.post(
        f"/admin/requests/{request_id}/{name}", data={"csrf": csrf_of(page.text), **data}
    )


def test_an_erasure_by_phone_with_the_phone_as_second_point_is_carried_out(
    mailer: Pledge, smtp: SmtpServer, staff: TestClient, system_key: str
) -> None:
    collect(staff, system_key)
    response = enter(staff, type="erasure", channel="phone", match_phone=PHONE)
    request_id = created_id(response)
    assert "verification code" in response.text
    page = staff.get(f"/admin/requests/{request_id}")
    assert "by phone" in page.text
    assert "second data point given: phone" in page.text
    assert PHONE not in page.text
    deliver_outbox(mailer)
    (code_mail,) = [m for m in smtp.messages_to(EMAIL) if CODE.search(m.body)]
    code = CODE.search(code_mail.body)
    assert code is not None
    assert code.group(1) not in page.text  # staff never see the code
    done = confirmed(mailer, smtp, staff, request_id)
    assert (done["status"], done["verification"]) == ("completed", "full"), done
    assert records_for_email(mailer, EMAIL) == []


def test_without_the_second_point_a_phone_erasure_is_denied_as_before(
    mailer: Pledge, smtp: SmtpServer, staff: TestClient, system_key: str
) -> None:
    collect(staff, system_key)
    request_id = created_id(enter(staff, type="erasure"))
    done = confirmed(mailer, smtp, staff, request_id)
    assert done["status"] == "denied"
    assert records_for_email(mailer, EMAIL)


BAD_FORMS: list[tuple[dict[str, str], str, str]] = [
    ({"email": "not-an-address"}, "email", "not a valid e-mail address"),
    ({"country": "France"}, "country", "two-letter country code"),
    ({"type": "world_peace"}, "type", "choose a request type"),
    ({"channel": "carrier_pigeon"}, "channel", "one of phone"),
    ({"match_phone": "not a phone"}, "match_phone", "not a phone number"),
    ({"match_phone": EMAIL}, "match_phone", "repeats the e-mail address"),
    ({"match_username": "aaaa"}, "match_username", "too simple"),
    (
        {"type": "rectification", "correction_field_0": "favourite_colour"},
        "correction_field_0",
        "not a field of your data",
    ),
    (
        {"type": "rectification", "correction_field_0": "email", "correction_value_0": "nope"},
        "correction_value_0",
        "not a valid email",
    ),
    (
        {"type": "rectification", "correction_field_1": "company", "correction_value_1": "=1+2"},
        "correction_value_1",
        "must not begin with",
    ),
    (
        {"type": "rectification", "correction_field_0": "company"},
        "correction_value_0",
        "give the corrected value",
    ),
    ({"type": "rectification", "correction_value_2": "Mills"}, "corrections", "name the field"),
    (
        {"type": "access", "correction_field_0": "company", "correction_value_0": "Mills"},
        "corrections",
        "only for type rectification",
    ),
    ({"agent_name": "Agent Smith", "agent_email": AGENT}, "agent_permission", "signed permission"),
    (
        {"agent_name": "Agent Smith", "agent_email": "smith", "agent_permission": PERMISSION},
        "agent_email",
        "not a valid e-mail address",
    ),
    ({"agent_email": AGENT, "agent_permission": PERMISSION}, "agent_name", "at least 1"),
    ({"language": "xx"}, "language", "one of en, de"),
]


@pytest.mark.parametrize(("fields", "input_name", "why"), BAD_FORMS)
def test_a_bad_field_gets_its_message_beside_it_and_nothing_is_stored(
    mailer: Pledge, staff: TestClient, fields: dict[str, str], input_name: str, why: str
) -> None:
    queued = mails_queued(mailer)
    response = enter(staff, **{"type": "erasure", **fields})
    assert response.status_code == 422, response.text
    assert "Nothing was recorded" in response.text
    beside = re.search(
        rf'<span class="field-error" id="{input_name}-error">([^<]*)</span>', response.text
    )
    assert beside, f"no message beside {input_name}"
    assert why in beside.group(1)
    assert f'aria-describedby="{input_name}-error"' in response.text
    assert requests_held(mailer) == 0
    assert mails_queued(mailer) == queued
    # What staff typed stays in the form, so they correct it rather than type it again.
    for name, value in fields.items():
        if name.startswith(("email", "country", "agent_name", "match_")) and value:
            assert f'value="{value}"' in response.text


def test_every_problem_is_shown_at_once(mailer: Pledge, staff: TestClient) -> None:
    response = enter(
        staff,
        type="rectification",
        email="nope",
        match_phone="nope",
        correction_field_0="favourite_colour",
        correction_value_0="blue",
        agent_name="Agent Smith",
    )
    assert response.status_code == 422
    for name in ("email", "correction_field_0", "agent_email", "agent_permission"):
        assert f'id="{name}-error"' in response.text, name
    assert requests_held(mailer) == 0


def test_a_form_sent_twice_records_one_request(mailer: Pledge, staff: TestClient) -> None:
    form = staff.get("/admin/requests/new")
    data = {
        "csrf": csrf_of(form.text),
        "form_token": form_token_of(form.text),
        "type": "access",
        "channel": "post",
        "email": EMAIL,
        "country": "DE",
    }
    assert staff.post("/admin/requests/new", data=data).status_code == 200
    again = staff.post("/admin/requests/new", data=data)
    assert again.status_code == 409
    assert "already sent" in again.text
    assert requests_held(mailer) == 1


@pytest.mark.parametrize(
    "token",
    ["", "forged", "abc.123.def", "x." + str(int(utcnow().timestamp()) - 5 * 3600) + ".sig"],
)
def test_a_stale_or_forged_form_is_refused(mailer: Pledge, staff: TestClient, token: str) -> None:
    form = staff.get("/admin/requests/new")
    data = {"csrf": csrf_of(form.text), "form_token": token, "type": "access"}
    data.update({"channel": "post", "email": EMAIL, "country": "DE"})
    response = staff.post("/admin/requests/new", data=data)
    assert response.status_code == 409
    assert "expired" in response.text
    assert requests_held(mailer) == 0


def test_an_expired_form_token_is_refused(mailer: Pledge) -> None:
    from pledge.web.console_forms import FORM_LIFETIME, new_form_token, spend_form_token

    old = new_form_token(mailer, now=1_000_000)
    assert spend_form_token(mailer, old, now=1_000_000 + FORM_LIFETIME + 1) is not None
    fresh = new_form_token(mailer, now=2_000_000)
    assert spend_form_token(mailer, fresh, now=2_000_000 + FORM_LIFETIME - 1) is None
    assert spend_form_token(mailer, fresh, now=2_000_000 + FORM_LIFETIME) is not None
    assert spend_form_token(mailer, "x.².y") is not None  # a digit int() refuses: no 500


def test_a_rectification_by_post_is_approved_and_the_record_changes(
    mailer: Pledge, smtp: SmtpServer, staff: TestClient, system_key: str
) -> None:
    collect(staff, system_key)
    request_id = created_id(
        enter(
            staff,
            type="rectification",
            channel="post",
            match_phone=PHONE,
            correction_field_0="company",
            correction_value_0="Quartermaine Mills",
        )
    )
    done = confirmed(mailer, smtp, staff, request_id)
    assert done["status"] == "awaiting_review"
    page = staff.get(f"/admin/requests/{request_id}")
    assert "Nothing changed" not in page.text
    assert "<del>Quartermaine Looms</del>" in page.text
    assert "<ins>Quartermaine Mills</ins>" in page.text
    assert "Approve the corrections" in page.text
    assert "Reject the corrections" in page.text
    approved = action(staff, request_id, "approve")
    assert approved.status_code == 200
    assert "Approved" in approved.text
    assert 'role="alert"' not in approved.text
    (record,) = records_for_email(mailer, EMAIL)
    assert record.data["company"] == "Quartermaine Mills"
    assert detail(mailer, request_id, reader=None).result["corrected"] == ["company"]
    stale = action(staff, request_id, "approve")  # a second click, or another officer's
    assert stale.status_code == 409
    assert "Nothing changed" in stale.text


def test_corrections_can_be_rejected_with_a_reason_mailed(
    mailer: Pledge, smtp: SmtpServer, staff: TestClient, system_key: str
) -> None:
    collect(staff, system_key)
    request_id = created_id(
        enter(
            staff,
            type="rectification",
            match_phone=PHONE,
            correction_field_0="company",
            correction_value_0="Quartermaine Mills",
        )
    )
    confirmed(mailer, smtp, staff, request_id)
    short = action(staff, request_id, "deny", reason="no")
    assert short.status_code == 422
    assert 'id="reason-deny-error"' in short.text
    assert detail(mailer, request_id, reader=None).status == "awaiting_review"
    rejected = action(staff, request_id, "deny", reason="Our register shows the old name.")
    assert rejected.status_code == 200
    assert detail(mailer, request_id, reader=None).status == "denied"
    (record,) = records_for_email(mailer, EMAIL)
    assert record.data["company"] == "Quartermaine Looms"
    deliver_outbox(mailer)
    assert any("register shows the old name" in m.body for m in smtp.messages_to(EMAIL))


def test_an_agent_entered_by_staff_gets_the_acknowledgement_and_the_person_the_code(
    mailer: Pledge, smtp: SmtpServer, staff: TestClient
) -> None:
    request_id = created_id(
        enter(
            staff,
            type="access",
            channel="email",
            agent_name="Agent Smith",
            agent_email=AGENT,
            agent_permission=PERMISSION,
        )
    )
    deliver_outbox(mailer)
    (code_mail,) = [m for m in smtp.messages_to(EMAIL) if CODE.search(m.body)]
    assert "authorized agent" in code_mail.body
    assert [m for m in smtp.messages_to(AGENT) if "We received" in m.message["Subject"]]
    assert not [m for m in smtp.messages_to(AGENT) if CODE.search(m.body)]
    page = staff.get(f"/admin/requests/{request_id}")
    assert "through an authorized agent" in page.text
    assert "Agent Smith" in page.text


@pytest.mark.parametrize(
    ("country", "region", "months", "days"), [("FR", "", 3, 0), ("US", "CA", 0, 90)]
)
def test_extending_mails_the_reason_within_the_legal_limit(
    mailer: Pledge,
    smtp: SmtpServer,
    staff: TestClient,
    country: str,
    region: str,
    months: int,
    days: int,
) -> None:
    request_id = created_id(enter(staff, type="erasure", country=country, region=region))
    received = detail(mailer, request_id, reader=None).received_at
    page = staff.get(f"/admin/requests/{request_id}")
    assert "Reason to extend to" in page.text
    assert action(staff, request_id, "extend", reason="").status_code == 422
    assert not detail(mailer, request_id, reader=None).extended
    extended = action(staff, request_id, "extend", reason="Our archive is being restored.")
    assert extended.status_code == 200
    assert "mailed the new date and the reason" in extended.text
    due = detail(mailer, request_id, reader=None).due_at
    if months:  # GDPR Art. 12(3): one month, and two more
        month = received.month - 1 + months
        assert (due.year, due.month) == (received.year + month // 12, month % 12 + 1)
    else:  # CCPA: 45 days, and 45 more
        assert due - received == timedelta(days=days)
    deliver_outbox(mailer)
    (mail,) = [m for m in smtp.messages_to(EMAIL) if "more time" in m.message["Subject"]]
    assert "Our archive is being restored." in mail.body
    assert f"{due.day} {due:%B %Y}" in mail.body  # Babel writes the day without a leading 0
    again = staff.get(f"/admin/requests/{request_id}")
    assert "Reason to extend to" not in again.text
    assert "already extended once" in again.text
    refused = action(staff, request_id, "extend", reason="And again, please.")
    assert refused.status_code == 409
    assert detail(mailer, request_id, reader=None).due_at == due


def test_no_extension_once_the_notice_period_has_passed(mailer: Pledge, staff: TestClient) -> None:
    body = RequestIn.model_validate({"type": "access", "email": EMAIL, "country": "FR"})
    late = submit(mailer, body, method="post", now=utcnow() - timedelta(days=40))
    page = staff.get(f"/admin/requests/{late.id}")
    assert "Reason to extend" not in page.text
    assert "notice period has passed" in page.text


def test_the_queue_shows_overdue_and_at_risk_first_and_filters(
    mailer: Pledge, staff: TestClient
) -> None:
    now = utcnow()

    def received(days_ago: int, type: str = "access") -> str:
        body = RequestIn.model_validate({"type": type, "email": EMAIL, "country": "FR"})
        return submit(mailer, body, method="phone", now=now - timedelta(days=days_ago)).id

    fresh, overdue, at_risk = received(0), received(40, "erasure"), received(27)
    page = staff.get("/admin")
    assert page.status_code == 200
    order = [m.group(1) for m in re.finditer(r'data-request="([^"]+)"', page.text)]
    assert order == [overdue, at_risk, fresh]
    assert "1 overdue" in page.text
    assert "1 at risk" in page.text
    rows = {
        m.group(2): (m.group(1), m.group(3))
        for m in re.finditer(
            r'<tr class="([^"]*)" data-request="([^"]+)">(.*?)</tr>', page.text, re.S
        )
    }
    assert rows[overdue][0] == "row-overdue"
    assert rows[at_risk][0] == "row-at-risk"
    assert rows[fresh][0] == ""
    row = re.search("(.*)", rows[overdue][1], re.S)
    assert row is not None
    assert "badge overdue" in row.group(1)
    assert "late" in row.group(1)
    row = re.search("(.*)", rows[at_risk][1], re.S)
    assert row is not None
    assert "badge at-risk" in row.group(1)
    assert "left" in row.group(1)
    only = staff.get("/admin", params={"type": "erasure"})
    assert re.findall(r'data-request="([^"]+)"', only.text) == [overdue]
    action(staff, fresh, "deny", reason="Asked twice.")
    assert fresh not in staff.get("/admin").text  # open requests by default
    assert fresh in staff.get("/admin", params={"status": "denied"}).text
    assert fresh in staff.get("/admin", params={"status": "all"}).text
    assert staff.get("/admin", params={"status": "nonsense", "type": "x"}).status_code == 200


def test_a_stuck_verified_request_can_be_carried_out(
    mailer: Pledge, smtp: SmtpServer, staff: TestClient
) -> None:
    request_id = created_id(enter(staff, type="opt_out_marketing"))
    with mailer.transaction() as session:  # verified, then the process died before fulfilment
        session.execute(
            update(RightsRequest).where(RightsRequest.id == request_id).values(status="verified")
        )
    page = staff.get(f"/admin/requests/{request_id}")
    assert "Carry it out now" in page.text
    done = action(staff, request_id, "fulfil")
    assert done.status_code == 200
    assert detail(mailer, request_id, reader=None).status == "completed"
    assert "No action is open" in done.text


def test_unknown_requests_and_actions_are_404(staff: TestClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert staff.get(f"/admin/requests/{missing}").status_code == 404
    page = staff.get("/admin/requests/new")
    data = {"csrf": csrf_of(page.text)}
    assert staff.post(f"/admin/requests/{missing}/deny", data=data).status_code == 404
    request_id = created_id(enter(staff, type="access"))
    assert staff.post(f"/admin/requests/{request_id}/explode", data=data).status_code == 404


def test_the_admin_api_queue_filters_open_requests_by_type(
    mailer: Pledge, client: TestClient, admin_key: str
) -> None:
    def received(type: str) -> str:
        body = RequestIn.model_validate({"type": type, "email": EMAIL, "country": "FR"})
        return submit(mailer, body, method="post").id

    erasure, access = received("erasure"), received("access")
    headers = {"Authorization": f"Bearer {admin_key}"}
    answer = client.get("/api/v1/admin/requests?status=open&type=erasure", headers=headers)
    assert [r["id"] for r in answer.json()["requests"]] == [erasure]
    every = client.get("/api/v1/admin/requests", headers=headers).json()["requests"]
    assert {r["id"] for r in every} == {erasure, access}


def test_a_request_entered_in_german_is_answered_in_german(
    mailer: Pledge, smtp: SmtpServer, staff: TestClient
) -> None:
    """Staff say which language the person spoke; the mails to them are written in it."""
    form = staff.get("/admin/requests/new")
    assert '<option value="de">Deutsch (German)</option>' in form.text
    response = enter(staff, type="opt_out_marketing", language="de")
    assert response.status_code == 200, response.text
    assert "created=" in str(response.url)
    deliver_outbox(mailer)
    (mail,) = [m for m in smtp.messages_to(EMAIL) if re.search(r"\b\d{8}\b", m.body)]
    assert mail.message["Subject"] == "Ihr Bestätigungscode"
    assert mail.message["Content-Language"] == "de"
