"""Reports that a child under the minimum age gave us data, on both databases.

The report needs no code: it becomes a case in the console queue, the
reporter gets a receipt, and staff with ``children.erase`` erase the child's
data after their own check (reason on the timeline and in the audit chain;
the reporter is told). Bad input gets its message beside its field and
writes nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import AuditEntry, Delivery, Record, RightsRequest
from pledge.errors import Conflict
from pledge.jobs import deliver_outbox
from pledge.records import records_for_email
from pledge.rights import approve, complete, deny
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import CODE, PHONE, collect
from tests.site_forms.helpers import careers, pdf
from tests.staff_accounts import create_staff, csrf_of, sign_in

REPORTER = "parent.of.tim@example.org"
CHILD = "tim.tiny@example.org"
PATH = "/privacy-center/child-report"


def report(web: TestClient, **fields: str) -> Any:
    form = web.get(PATH, params={"country": "FR"})
    assert form.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"form_token": token.group(1), "country": "FR", "region": "", **fields}
    return web.post(PATH, data=data)


def good_report(web: TestClient) -> Any:
    return report(web, email=REPORTER, child_email=CHILD, relation="parent", details="He is 9.")


def held(pledge: Pledge) -> tuple[int, int]:
    with pledge.sessions() as session:
        requests = session.scalar(select(func.count()).select_from(RightsRequest)) or 0
        mails = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return int(requests), int(mails)


def the_report(pledge: Pledge) -> RightsRequest:
    with pledge.sessions() as session:
        (row,) = session.scalars(select(RightsRequest)).all()
        session.expunge(row)
        return row


def test_a_report_is_a_case_for_staff_and_the_reporter_gets_a_receipt(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    page = web.get(PATH, params={"country": "FR"})
    assert "A child under 13 gave you data" in page.text
    answer = good_report(web)
    assert answer.status_code == 200, answer.text
    assert "We received your report" in answer.text
    row = the_report(mailer)
    assert (row.type, row.scope, row.status) == ("erasure", "child_report", "awaiting_review")
    assert row.email_index is None  # nothing links the reporter to the child
    deliver_outbox(mailer)
    (receipt,) = smtp.messages_to(REPORTER)
    assert "We received your report about a child's data" in receipt.message["Subject"]
    assert CHILD not in receipt.body
    assert not CODE.search(receipt.body)
    assert smtp.messages_to(CHILD) == []
    with pytest.raises(Conflict):
        approve(mailer, row.id, actor="test")  # no review verifies anyone here


def test_staff_erase_the_childs_data_and_the_reporter_is_told(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key, email=CHILD)
    assert records_for_email(mailer, CHILD)
    good_report(web)
    row = the_report(mailer)
    create_staff(mailer, "officer@interactions.com", "privacy_officer")
    assert sign_in(web, "officer@interactions.com") == 303
    queue = web.get("/admin")
    assert f"/admin/requests/{row.id}" in queue.text
    case = web.get(f"/admin/requests/{row.id}")
    assert CHILD in case.text  # staff see what to check
    assert "Erase the child's data" in case.text
    assert ">Approve<" not in case.text
    empty = web.post(
        f"/admin/requests/{row.id}/erase_child", data={"csrf": csrf_of(case.text), "reason": ""}
    )
    assert empty.status_code == 422
    assert 'id="reason-erase_child-error"' in empty.text
    done = web.post(
        f"/admin/requests/{row.id}/erase_child",
        data={"csrf": csrf_of(case.text), "reason": "Checked with the school: he is 9."},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert records_for_email(mailer, CHILD) == []
    closed = the_report(mailer)
    assert (closed.status, closed.outcome) == ("completed", "whole")
    assert closed.reason == "Checked with the school: he is 9."
    assert (closed.email_ciphertext, closed.private_ciphertext) == (None, None)
    with mailer.sessions() as session:
        actions = set(
            session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == row.id))
        )
    assert "rights.child_data_checked" in actions
    deliver_outbox(mailer)
    told = [m for m in smtp.messages_to(REPORTER) if "was handled" in m.message["Subject"]]
    assert len(told) == 1
    assert "we do not say what we held" in told[0].body
    assert "Checked with the school" not in told[0].body  # staff's reason stays with staff


def _handled_mail(pledge: Pledge, smtp: SmtpServer, web: TestClient, reporter: str) -> str:
    """The body of the mail a report's reporter gets once staff erased what it names."""
    (row,) = [r for r in _reports(pledge) if r.status == "awaiting_review"]
    case = web.get(f"/admin/requests/{row.id}")
    done = web.post(
        f"/admin/requests/{row.id}/erase_child",
        data={"csrf": csrf_of(case.text), "reason": "Looked for the identifiers."},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    deliver_outbox(pledge)
    (told,) = [m for m in smtp.messages_to(reporter) if "was handled" in m.message["Subject"]]
    return told.body


def _reports(pledge: Pledge) -> list[RightsRequest]:
    with pledge.sessions() as session:
        rows = list(session.scalars(select(RightsRequest)))
        session.expunge_all()
        return rows


def test_the_reporter_learns_nothing_of_what_was_held(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    """Anyone may report any address: the answer must not say whether we hold data on it."""
    collect(web, system_key, email=CHILD)
    create_staff(mailer, "officer@interactions.com", "privacy_officer")
    assert sign_in(web, "officer@interactions.com") == 303
    report(web, email=REPORTER, child_email=CHILD, relation="parent")
    held_body = _handled_mail(mailer, smtp, web, REPORTER)
    other = "curious.stranger@example.org"
    with TestClient(web.app) as stranger:  # another browser
        sent = report(
            stranger, email=other, child_email="nobody.known@example.org", relation="other"
        )
        assert sent.status_code == 200, sent.text
    unknown_body = _handled_mail(mailer, smtp, web, other)
    assert held_body == unknown_body


def test_a_phone_shared_by_two_people_erases_no_one(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    """A household line matches an adult and a child: staff must pick by hand (409)."""
    collect(web, system_key, email="parent.adult@example.org")
    collect(web, system_key, email=CHILD)  # both recorded with the same phone
    report(web, email=REPORTER, child_phone=PHONE, relation="parent")
    (row,) = _reports(mailer)
    create_staff(mailer, "officer@interactions.com", "privacy_officer")
    assert sign_in(web, "officer@interactions.com") == 303
    case = web.get(f"/admin/requests/{row.id}")
    assert "People we hold under these identifiers: <strong>2</strong>" in case.text
    refused = web.post(
        f"/admin/requests/{row.id}/erase_child",
        data={"csrf": csrf_of(case.text), "reason": "Looked for the number."},
    )
    assert refused.status_code == 409
    assert "more than one person" in refused.text
    assert records_for_email(mailer, "parent.adult@example.org")
    assert records_for_email(mailer, CHILD)
    assert the_report(mailer).status == "awaiting_review"


def test_the_reporter_cannot_open_the_reports_page(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    """The reporter is not the person and was never verified: no code, no page."""
    good_report(web)
    row = the_report(mailer)
    path = f"/privacy-center/requests/{row.id}"
    page = web.get(path)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    asked = web.post(f"{path}/code", data={"csrf": token.group(1)})
    assert asked.status_code == 200  # the same words as for any id
    deliver_outbox(mailer)
    assert not [m for m in smtp.messages_to(REPORTER) if CODE.search(m.body)]
    entered = web.post(
        path, data={"csrf": token.group(1), "code": "12345678"}, follow_redirects=False
    )
    assert entered.status_code == 400
    assert "pledge_request" not in entered.cookies


def test_support_staff_may_not_erase_a_childs_data(
    mailer: Pledge, web: TestClient, system_key: str
) -> None:
    collect(web, system_key, email=CHILD)
    good_report(web)
    row = the_report(mailer)
    create_staff(mailer, "support@interactions.com", "support")
    assert sign_in(web, "support@interactions.com") == 303
    case = web.get(f"/admin/requests/{row.id}")
    assert "Erase the child's data" not in case.text
    refused = web.post(
        f"/admin/requests/{row.id}/erase_child",
        data={"csrf": csrf_of(case.text), "reason": "I think so."},
    )
    assert refused.status_code == 403
    assert records_for_email(mailer, CHILD)
    assert the_report(mailer).status == "awaiting_review"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "nope", "child_email": CHILD, "relation": "parent"}, "email", "Enter your"),
        ({"email": REPORTER, "relation": "parent"}, "child_email", "Give the child"),
        (
            {"email": REPORTER, "child_email": "x", "relation": "parent"},
            "child_email",
            "This is not an",
        ),
        (
            {"email": REPORTER, "child_phone": "12", "relation": "parent"},
            "child_phone",
            "This is not a",
        ),
        ({"email": REPORTER, "child_email": CHILD, "relation": "uncle"}, "relation", "Choose"),
    ],
)
def test_bad_input_is_named_beside_its_field(
    mailer: Pledge, web: TestClient, fields: dict[str, str], field: str, message: str
) -> None:
    answer = report(web, **fields)
    assert answer.status_code == 422, answer.text
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', answer.text)
    assert found is not None, answer.text
    assert found.group(1).startswith(message)
    assert f"{field}-error" in re.search(rf'<[^>]*name="{field}"[^>]*>', answer.text).group(0)  # type: ignore[union-attr]
    assert held(mailer) == (0, 0)


def test_a_report_sent_twice_is_recorded_once(mailer: Pledge, web: TestClient) -> None:
    form = web.get(PATH, params={"country": "FR"})
    token = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {
        "form_token": token.group(1),
        "country": "FR",
        "email": REPORTER,
        "child_email": CHILD,
        "relation": "parent",
    }
    assert web.post(PATH, data=data).status_code == 200
    again = web.post(PATH, data=data)
    assert again.status_code == 409
    assert "already sent" in again.text
    assert held(mailer)[0] == 1


def test_a_report_staff_deny_tells_the_reporter_no_reason(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    good_report(web)
    row = the_report(mailer)
    with pytest.raises(Conflict):
        complete(mailer, row.id, actor="test")  # closes by erasure or denial only
    deny(mailer, row.id, "The account belongs to an adult.", actor="test")
    assert the_report(mailer).status == "denied"
    deliver_outbox(mailer)
    (told,) = [m for m in smtp.messages_to(REPORTER) if "was handled" in m.message["Subject"]]
    assert "The account belongs to an adult." not in told.body  # it would say one exists
    assert "we do not say what we held" in told.body
    assert "/privacy-center/requests/" not in told.body


def test_a_childs_application_sent_with_the_careers_form_is_erased_with_its_resume(
    mailer: Pledge, web: TestClient
) -> None:
    """The careers form asks no age (the policy's choice): a child's résumé sent through it
    is erased like any of their data once staff check a report."""
    body = careers(mailer, email=CHILD, name="Tim Tiny", country="FR")
    sent = web.post(
        "/api/v1/forms/careers", data=body, files={"resume": ("cv.pdf", pdf(), "application/pdf")}
    )
    assert sent.status_code == 201
    [application] = records_for_email(mailer, CHILD)
    assert application.data["resume"]["size"] > 0
    good_report(web)
    row = the_report(mailer)
    create_staff(mailer, "officer.cv@interactions.com", "privacy_officer")
    assert sign_in(web, "officer.cv@interactions.com") == 303
    case = web.get(f"/admin/requests/{row.id}")
    done = web.post(
        f"/admin/requests/{row.id}/erase_child",
        data={"csrf": csrf_of(case.text), "reason": "Checked: she is 12."},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert records_for_email(mailer, CHILD) == []
    with mailer.sessions() as session:
        left = session.scalar(
            select(func.count())
            .select_from(Record)
            .where(Record.category == "employment_application")
        )
    assert left == 0
