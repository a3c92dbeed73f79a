"""The console's complaints: queue, entry by post, a complaint's page, the actions, the CSV.

Signed in through the real forms; the privacy officer works complaints, the
auditor sees the queue but never a person's address or text.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import AuditEntry, Complaint
from pledge.web.app import create_app
from tests.complaints.conftest import EMAIL, TEXT, mails_to
from tests.integration.smtp_server import SmtpServer
from tests.staff_accounts import create_staff, csrf_of, sign_in

QUEUE = "/admin/complaints"


def _enter(client: TestClient, **fields: str) -> object:
    page = client.get(QUEUE)
    token = page.text.split('name="form_token" value="')[1].split('"')[0]
    data = {
        "csrf": csrf_of(page.text),
        "form_token": token,
        "email": EMAIL,
        "country": "FR",
        "text": TEXT,
        "method": "post",
        "language": "",
        **fields,
    }
    return client.post(QUEUE, data=data, follow_redirects=False)


def test_officer_enters_answers_and_escalates_the_auditor_only_reads(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    create_staff(mailer, "officer@example.com", "privacy_officer")
    create_staff(mailer, "auditor@example.com", "auditor")
    with TestClient(create_app(mailer)) as officer, TestClient(create_app(mailer)) as auditor:
        assert sign_in(officer, "officer@example.com") == 303
        assert sign_in(auditor, "auditor@example.com") == 303
        bad = _enter(officer, email="nobody", text=" ")
        assert bad.status_code == 422  # type: ignore[attr-defined]
        assert 'id="email-error"' in bad.text  # type: ignore[attr-defined]
        assert 'id="text-error"' in bad.text  # type: ignore[attr-defined]
        assert _enter(officer).status_code == 303  # type: ignore[attr-defined]
        with mailer.sessions() as session:
            complaint_id = session.scalars(select(Complaint.id)).one()
            session.execute(update(Complaint).values(due_at=utcnow() - timedelta(days=1)))
            session.commit()
        queue = officer.get(QUEUE, params={"state": "received"})
        assert complaint_id in queue.text
        assert "overdue" in queue.text
        page = officer.get(f"{QUEUE}/{complaint_id}")
        assert TEXT in page.text
        assert EMAIL in page.text
        csrf = csrf_of(page.text)
        for action, data in (
            ("investigate", {}),
            ("answer", {"answer": "We removed you from every list."}),
            ("escalate", {"reference": "JAMS-77"}),
        ):
            done = officer.post(
                f"{QUEUE}/{complaint_id}/{action}",
                data={"csrf": csrf, **data},
                follow_redirects=False,
            )
            assert done.status_code == 303, (action, done.text)
        assert "We removed you from every list." in mails_to(mailer, smtp)[-2]
        assert "JAMS-77" in mails_to(mailer, smtp)[-1]
        seen = auditor.get(f"{QUEUE}/{complaint_id}")
        assert seen.status_code == 200
        assert "JAMS-77" in seen.text
        assert TEXT not in seen.text
        assert EMAIL not in seen.text
        refused = auditor.post(
            f"{QUEUE}/{complaint_id}/investigate", data={"csrf": csrf_of(seen.text)}
        )
        assert refused.status_code == 403
        exported = auditor.get(f"{QUEUE}.csv")
        assert exported.status_code == 200
        assert complaint_id in exported.text
        assert EMAIL not in exported.text
    with mailer.sessions() as session:
        actions = set(
            session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "complaint"))
        )
    assert {
        "complaint.received",
        "complaint.read",
        "complaint.investigating",
        "complaint.answered",
        "complaint.escalated",
        "complaint.exported",
    } <= actions


def test_one_persons_complaints_are_found_by_their_address_sent_in_a_form(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    create_staff(mailer, "officer@example.com", "privacy_officer")
    with TestClient(create_app(mailer)) as officer:
        assert sign_in(officer, "officer@example.com") == 303
        assert _enter(officer).status_code == 303  # type: ignore[attr-defined]
        assert _enter(officer, email="someone.else@example.org").status_code == 303  # type: ignore[attr-defined]
        with mailer.sessions() as session:
            ids = dict(session.execute(select(Complaint.email_index, Complaint.id)).all())
        mine = ids[mailer.keys.blind_index("email", EMAIL)]
        other = ids[mailer.keys.blind_index("email", "someone.else@example.org")]
        csrf = csrf_of(officer.get(QUEUE).text)
        found = officer.post(f"{QUEUE}/search", data={"csrf": csrf, "email": EMAIL.upper()})
        assert found.status_code == 200
        assert mine in found.text
        assert other not in found.text
        assert EMAIL not in found.text  # the address is not echoed back
        bad = officer.post(f"{QUEUE}/search", data={"csrf": csrf, "email": "nobody"})
        assert bad.status_code == 422
        assert 'id="search-email-error"' in bad.text
