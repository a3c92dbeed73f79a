"""The SMTP server down for an hour, on a simulated clock, then back.

Waiting an hour is not a test, so the clock is simulated: a delivery pass
runs every :data:`TICK` seconds as the worker's periodic ``deliver`` job does,
and between passes every time the outcome depends on (each delivery's
``next_attempt_at``, each request's code expiry) is moved :data:`TICK`
seconds into the past. The real SMTP server is stopped for
:data:`OUTAGE` simulated seconds, then started again on the same port.

What it proves: no mail goes dead inside its attempt budget (mail is
retried for about a day, an hour's outage uses a handful of attempts),
back-off spaces the attempts out instead of hammering the server, every mail
is sent exactly once when the server returns, and the requests waiting on
them complete: a code that expired while its mail was stuck is replaced by
a fresh one on request.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from pledge.core import Pledge
from pledge.db.models import Delivery
from pledge.delivery import Kind, retry_policy
from pledge.jobs import deliver
from pledge.web.app import create_app
from tests.faults.conftest import audit_count
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import CODE
from tests.web.conftest import auth

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TICK = 5
"""Seconds between delivery passes: the ``deliver`` task's interval."""
OUTAGE = 3600
PEOPLE = 8


def tick(pledge: Pledge, seconds: int = TICK) -> None:
    """Let ``seconds`` pass for everything that waits on the clock (PostgreSQL intervals)."""
    with pledge.transaction() as session:
        session.execute(
            text(
                "UPDATE outbox SET next_attempt_at = next_attempt_at - make_interval(secs => :s) "
                "WHERE status = 'pending'"
            ),
            {"s": seconds},
        )
        session.execute(
            text(
                "UPDATE rights_requests SET code_expires_at = code_expires_at "
                "- make_interval(secs => :s) WHERE code_expires_at IS NOT NULL"
            ),
            {"s": seconds},
        )


def mail_rows(pledge: Pledge) -> list[Delivery]:
    with pledge.sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind == Kind.EMAIL)))


def message_ids(smtp: SmtpServer) -> Counter[str]:
    with smtp.lock:
        return Counter(m.message["Message-ID"].strip("<>").split("@")[0] for m in smtp.received)


def newest_code(smtp: SmtpServer, email: str) -> str:
    codes = [CODE.search(m.body) for m in smtp.messages_to(email)]
    found = [c.group(1) for c in codes if c is not None]
    assert found, f"no code reached {email}"
    return found[-1]


def test_mail_survives_an_hour_without_smtp_and_goes_out_once(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    budget = retry_policy(mailer.settings, Kind.EMAIL).max_attempts
    with TestClient(create_app(mailer), raise_server_exceptions=False) as web:
        smtp.stop()
        requests: dict[str, dict[str, Any]] = {}
        for n in range(PEOPLE):
            email = f"patient.{n}@example.org"
            answer = web.post(
                "/api/v1/requests", json={"type": "access", "email": email, "country": "FR"}
            )
            assert answer.status_code == 202, answer.text
            requests[email] = answer.json()
        queued = {row.id for row in mail_rows(mailer)}
        assert len(queued) == 2 * PEOPLE, "a code and an acknowledgement each"

        for _ in range(0, OUTAGE, TICK):
            report = deliver(mailer, [Kind.EMAIL])
            assert (report.sent, report.dead, report.lost) == (0, 0, 0), report
            tick(mailer)
        during = {row.id: row.attempts for row in mail_rows(mailer)}
        assert all(row.status == "pending" for row in mail_rows(mailer)), "none dead"
        # Back-off: 30 s doubling, jittered; an hour is about eight attempts, far from the budget.
        assert min(during.values()) >= 4, during
        assert max(during.values()) <= 10 < budget, during
        assert smtp.received == []

        smtp.start()
        waited = 0
        while any(row.status == "pending" for row in mail_rows(mailer)):
            assert waited <= 3600, "every mail is tried again within the longest back-off"
            assert deliver(mailer, [Kind.EMAIL]).dead == 0
            tick(mailer)
            waited += TICK
        rows = mail_rows(mailer)
        assert {row.status for row in rows} == {"sent"}
        assert message_ids(smtp) == Counter(dict.fromkeys(queued, 1)), "each sent exactly once"
        assert all(audit_count(mailer, "mail.sent", row.id) == 1 for row in rows)
        assert audit_count(mailer, "mail.failed") == 0

        # The codes expired while their mail was stuck; a fresh one completes each request.
        for email, request in requests.items():
            headers = auth(request["token"])
            path = f"/api/v1/requests/{request['id']}"
            late = web.post(
                f"{path}/verify", json={"code": newest_code(smtp, email)}, headers=headers
            )
            assert late.status_code == 400, late.text
            assert web.post(f"{path}/resend", headers=headers).status_code == 200
        assert deliver(mailer, [Kind.EMAIL]).sent == PEOPLE
        for email, request in requests.items():
            path = f"/api/v1/requests/{request['id']}"
            done = web.post(
                f"{path}/verify",
                json={"code": newest_code(smtp, email)},
                headers=auth(request["token"]),
            )
            assert done.status_code == 200, done.text
            assert done.json()["status"] == "completed"
        assert deliver(mailer, [Kind.EMAIL]).sent == PEOPLE, "one completion mail each"
    counts = message_ids(smtp)
    assert set(counts.values()) == {1}, "no mail was sent twice"
    assert len(counts) == 2 * PEOPLE + PEOPLE + PEOPLE
    assert mailer.verify_audit().ok
