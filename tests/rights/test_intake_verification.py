"""Intake and verification over HTTP, with codes read from a real SMTP server."""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from pledge.core import Pledge
from pledge.db.models import RightsRequest
from pledge.jobs import deliver_outbox
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, PHONE, ask, collect, confirm, mailed_code, wrong_code
from tests.web.conftest import auth

AGENT = {"name": "Ada Agent", "email": "agent@agency.example", "permission": "x" * 40}


def test_request_is_acknowledged_with_due_date_and_code(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    request = ask(web)
    assert set(request) == {"id", "status", "due_at", "token"}
    assert request["status"] == "pending_verification"
    mailed_code(mailer, smtp)
    bodies = [m.body for m in smtp.messages_to(EMAIL)]
    assert len(bodies) == 2
    ack = next(b for b in bodies if "What happens next" in b)
    assert request["due_at"][:4] in ack
    status = web.get(f"/api/v1/requests/{request['id']}", headers=auth(request["token"]))
    assert status.status_code == 200
    events = [e["event"] for e in status.json()["timeline"]]
    assert events == ["received", "code_sent", "acknowledged"]


def test_email_and_code_are_never_stored_in_clear(mailer: Pledge, web: TestClient) -> None:
    request = ask(web)
    with mailer.engine.connect() as conn:
        row = conn.execute(
            text("SELECT * FROM rights_requests WHERE id = :id"), {"id": request["id"]}
        ).one()
    flat = repr(tuple(row)).encode()
    assert EMAIL.encode() not in flat
    assert request["token"].encode() not in flat


def test_unknown_id_and_wrong_token_both_answer_404(web: TestClient) -> None:
    request = ask(web)
    wrong = web.get(f"/api/v1/requests/{request['id']}", headers=auth("rq_nope"))
    unknown = web.get(
        "/api/v1/requests/00000000-0000-0000-0000-000000000000", headers=auth(request["token"])
    )
    missing = web.get(f"/api/v1/requests/{request['id']}")
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.json() == unknown.json()
    verify = web.post(
        f"/api/v1/requests/{request['id']}/verify",
        json={"code": "12345678"},
        headers=auth("rq_nope"),
    )
    assert verify.status_code == 404


def test_admin_may_read_a_request_and_system_key_may_not(
    web: TestClient, admin_key: str, system_key: str
) -> None:
    request = ask(web)
    assert web.get(f"/api/v1/requests/{request['id']}", headers=auth(admin_key)).status_code == 200
    assert web.get(f"/api/v1/requests/{request['id']}", headers=auth(system_key)).status_code == 404


def test_five_wrong_codes_lock_the_request(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    request = ask(web)
    code = mailed_code(mailer, smtp)
    url, headers = f"/api/v1/requests/{request['id']}/verify", auth(request["token"])
    for _ in range(5):
        assert web.post(url, json={"code": wrong_code(code)}, headers=headers).status_code == 400
    assert web.post(url, json={"code": code}, headers=headers).status_code == 429
    status = web.get(f"/api/v1/requests/{request['id']}", headers=headers).json()
    assert status["status"] == "locked"


def test_right_code_after_wrong_ones_verifies(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    request = ask(web, type="opt_out_marketing")
    code = mailed_code(mailer, smtp)
    url, headers = f"/api/v1/requests/{request['id']}/verify", auth(request["token"])
    wrong = web.post(url, json={"code": wrong_code(code)}, headers=headers)
    assert wrong.status_code == 400
    # A 400, like a 422, names the field at fault (tests/web/api_checks.py holds every
    # answer to that); a wrong code named none.
    assert wrong.json()["error"]["fields"] == {"code": "not correct"}
    assert confirm(web, request, code)["status"] == "completed"
    assert web.post(url, json={"code": code}, headers=headers).status_code == 409


def test_agent_without_permission_is_refused(web: TestClient, mailer: Pledge) -> None:
    response = web.post(
        "/api/v1/requests",
        json={
            "type": "access",
            "email": EMAIL,
            "country": "FR",
            "agent": {"name": "A", "email": "agent@agency.example"},
        },
    )
    assert response.status_code == 422
    assert "agent.permission" in response.json()["error"]["fields"]
    with mailer.sessions() as session:
        assert session.scalars(select(RightsRequest)).all() == []


def test_agent_with_permission_gets_the_token_and_the_person_the_code(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    request = ask(web, agent=AGENT, match={"phone": PHONE})
    code = mailed_code(mailer, smtp, to=EMAIL)
    assert "authorized agent" in smtp.messages_to(EMAIL)[0].body
    agent_mail = smtp.messages_to(AGENT["email"])
    assert agent_mail
    assert all(code not in m.body for m in agent_mail)
    done = confirm(web, request, code)
    assert done["status"] == "completed"
    assert done["by_agent"] is True


def test_service_data_is_referred_to_the_client(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    request = ask(web, about="service_data", client="Acme Telecom")
    assert request["status"] == "referred"
    status = web.get(f"/api/v1/requests/{request['id']}", headers=auth(request["token"])).json()
    assert "controlled by the Client" in status["reason"]
    deliver_outbox(mailer)
    mailed = [m.body for m in smtp.wait_for(1)]
    assert "Client decides" in mailed[0]


def test_invalid_bodies_name_fields_not_values(web: TestClient) -> None:
    response = web.post("/api/v1/requests", json={"type": "steal", "email": EMAIL, "country": "FR"})
    assert response.status_code == 422
    assert "type" in response.json()["error"]["fields"]
    assert EMAIL not in response.text


def test_ccpa_delete_is_an_alias_of_erasure(web: TestClient) -> None:
    request = ask(web, type="delete", country="US", region="CA")
    status = web.get(f"/api/v1/requests/{request['id']}", headers=auth(request["token"])).json()
    assert (status["type"], status["jurisdiction"]) == ("erasure", "california")


def test_logs_hold_no_personal_data_codes_or_tokens(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    collect(web, system_key)
    request = ask(web, type="erasure", match={"phone": PHONE})
    code = mailed_code(mailer, smtp)
    confirm(web, request, code)
    deliver_outbox(mailer)
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r}" for r in caplog.records if not r.name.startswith("mail.log")
    )
    for secret in (EMAIL, PHONE, code, request["token"]):
        assert secret not in logged


def test_parallel_wrong_codes_are_each_counted(mailer: Pledge, smtp: SmtpServer) -> None:
    """Twenty wrong codes at once: five are judged, the rest find the request locked."""
    from concurrent.futures import ThreadPoolExecutor

    from pledge import rights
    from pledge.errors import BadRequest, TooManyRequests
    from pledge.rights.schemas import RequestIn

    asked = rights.submit(mailer, RequestIn(type="access", email=EMAIL, country="FR"))
    code = mailed_code(mailer, smtp)
    barrier = threading.Barrier(20)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            rights.verify(mailer, asked.id, asked.token, wrong_code(code))
        except BadRequest:
            return "judged"
        except TooManyRequests:
            return "locked"
        return "verified"

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))
    assert answers.count("judged") == 5, answers
    assert answers.count("locked") == 15
    view = rights.view(mailer, asked.id, asked.token)
    assert view.status == "locked"
