"""Restriction of processing: collection refused while it holds, lifted only once its mail is sent.

Both databases, over HTTP, with the real SMTP server the mails go through.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from pledge.core import Pledge
from pledge.db.models import Record, RightsRequest
from pledge.jobs import deliver_outbox
from pledge.records import collect as collect_records
from pledge.records.schemas import RecordIn
from pledge.restrictions import restrictions_for
from tests.integration.smtp_server import SmtpServer
from tests.queries import recorded_statements
from tests.rights.conftest import EMAIL, ask, collect, confirm, mailed_code, record_body
from tests.staff_accounts import create_staff, csrf_of, sign_in
from tests.web.conftest import auth

OTHER = "ottoline.brackenbury@example.org"


def restrict(mailer: Pledge, smtp: SmtpServer, web: TestClient) -> dict[str, Any]:
    request = ask(web, type="restriction")
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert (done["status"], done["result"]["restricted"]) == ("completed", True), done
    return done


def records_held(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def lift(web: TestClient, request_id: str, key: str, **body: Any) -> Any:
    return web.post(f"/api/v1/admin/requests/{request_id}/lift", json=body, headers=auth(key))


def test_collection_is_refused_while_processing_is_restricted(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    restrict(mailer, smtp, web)
    held = records_held(mailer)
    one = web.post("/api/v1/records", json=record_body(), headers=auth(system_key))
    assert one.status_code == 409, one.text
    error = one.json()["error"]
    assert error["code"] == "processing_restricted"
    assert error["fields"] == {"subject": "processing restricted"}
    assert EMAIL not in one.text
    batch = {"records": [record_body(OTHER), record_body()]}
    refused = web.post("/api/v1/records", json=batch, headers=auth(system_key))
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["fields"] == {"records[1].subject": "processing restricted"}
    assert records_held(mailer) == held  # all or nothing: the other person was not stored
    alone = web.post("/api/v1/records", json=record_body(OTHER), headers=auth(system_key))
    assert alone.status_code == 201


def test_a_batch_checks_restrictions_with_one_query(mailer: Pledge) -> None:
    people = [RecordIn.model_validate(record_body(f"person{i}@example.org")) for i in range(40)]
    collect_records(mailer, people, actor="test", batch=True)
    with recorded_statements(mailer.engine) as statements:
        collect_records(mailer, people, actor="test", batch=True)
    assert len([s for s in statements if "subject_restrictions" in s]) == 1
    assert records_held(mailer) == 80


def test_lifting_mails_the_person_first_then_lets_processing_resume(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    subject_id = collect(web, system_key)["subject_id"]
    done = restrict(mailer, smtp, web)
    assert lift(web, done["id"], system_key).status_code == 403
    response = lift(web, done["id"], admin_key, reason="The accuracy check is finished.")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"]["lift_pending"] is True
    assert "lifted_at" not in body["result"]
    events = [e["event"] for e in body["timeline"]]
    assert "lift_notice_sent" in events
    assert "restriction_lifted" not in events
    # Art. 18(3): until the person's mail is delivered, the restriction holds.
    with mailer.sessions() as session:
        assert "restriction" in restrictions_for(session, subject_id)
    refused = web.post("/api/v1/records", json=record_body(), headers=auth(system_key))
    assert refused.status_code == 409
    assert lift(web, done["id"], admin_key).status_code == 409  # already on its way
    assert not [m for m in smtp.messages_to(EMAIL) if "lifting" in m.message["Subject"]]
    deliver_outbox(mailer)
    (mail,) = [m for m in smtp.messages_to(EMAIL) if "lifting" in m.message["Subject"]]
    assert "accuracy check" in mail.body
    body = web.get(f"/api/v1/requests/{done['id']}", headers=auth(admin_key)).json()
    events = [e["event"] for e in body["timeline"]]
    assert events.index("lift_notice_sent") < events.index("restriction_lifted")
    assert body["result"]["lifted_at"]
    assert "lift_pending" not in body["result"]
    told = {n["recipient"] for n in body["notices"] if n["action"] == "restriction_lifted"}
    assert told == {n["recipient"] for n in body["notices"] if n["action"] == "restriction"}
    with mailer.sessions() as session:
        assert "restriction" not in restrictions_for(session, subject_id)
    again = web.post("/api/v1/records", json=record_body(), headers=auth(system_key))
    assert again.status_code == 201, again.text
    assert lift(web, done["id"], admin_key).status_code == 409  # nothing left to lift


def test_a_lift_notice_that_cannot_be_delivered_keeps_the_restriction(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    subject_id = collect(web, system_key)["subject_id"]
    done = restrict(mailer, smtp, web)
    smtp.refused.add(EMAIL)  # the mailbox is gone: a permanent 550
    assert lift(web, done["id"], admin_key).status_code == 200
    deliver_outbox(mailer)
    body = web.get(f"/api/v1/requests/{done['id']}", headers=auth(admin_key)).json()
    assert [e["event"] for e in body["timeline"]][-1] == "lift_notice_failed"
    assert body["result"]["lift_notice_failed"] is True
    with mailer.sessions() as session:
        assert "restriction" in restrictions_for(session, subject_id)
    smtp.refused.clear()  # the address works again: staff try once more
    assert lift(web, done["id"], admin_key).status_code == 200
    deliver_outbox(mailer)
    with mailer.sessions() as session:
        assert "restriction" not in restrictions_for(session, subject_id)


def test_no_lift_without_a_way_to_tell_the_person(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, admin_key: str
) -> None:
    subject_id = collect(web, system_key)["subject_id"]
    done = restrict(mailer, smtp, web)
    with mailer.transaction() as session:
        session.execute(
            update(RightsRequest)
            .where(RightsRequest.id == done["id"])
            .values(email_ciphertext=None)
        )
    response = lift(web, done["id"], admin_key)
    assert response.status_code == 409
    with mailer.sessions() as session:
        assert "restriction" in restrictions_for(session, subject_id)
    access = ask(web, type="access")
    assert lift(web, access["id"], admin_key).status_code == 409


@pytest.mark.parametrize("reason", ["Checked.", ""])
def test_staff_lift_a_restriction_from_the_console(
    mailer: Pledge,
    smtp: SmtpServer,
    web: TestClient,
    system_key: str,
    reason: str,
) -> None:
    subject_id = collect(web, system_key)["subject_id"]
    done = restrict(mailer, smtp, web)
    create_staff(mailer, "officer@example.com", "admin")
    assert sign_in(web, "officer@example.com") == 303
    page = web.get(f"/admin/requests/{done['id']}")
    assert f"/admin/requests/{done['id']}/lift" in page.text
    response = web.post(
        f"/admin/requests/{done['id']}/lift", data={"csrf": csrf_of(page.text), "reason": reason}
    )
    assert response.status_code == 200
    assert "The person is being told" in response.text
    assert f"/admin/requests/{done['id']}/lift" not in response.text
    with mailer.sessions() as session:
        assert "restriction" in restrictions_for(session, subject_id)
    deliver_outbox(mailer)
    assert [m for m in smtp.messages_to(EMAIL) if "lifting" in m.message["Subject"]]
    with mailer.sessions() as session:
        assert restrictions_for(session, subject_id) == []
    assert "was lifted after the person was told" in web.get(f"/admin/requests/{done['id']}").text
