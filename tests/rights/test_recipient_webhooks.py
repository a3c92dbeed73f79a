"""Recipient notices delivered by webhook, against a real local HTTP server.

The policy is the bundled one with a ``webhook_url`` on one processor
(``crm_providers``); the other recipients of the erased categories keep their
notices queued for staff. Both databases.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.core import Pledge
from pledge.crypto.webhook_signing import verify
from pledge.db.base import utcnow
from pledge.db.models import Delivery, RecipientNotice
from pledge.delivery import Kind, retry_policy
from pledge.jobs import deliver, retry_delivery
from pledge.policy import load_policy
from pledge.policy.loader import bundled_policy_path
from pledge.startup import register_policy_version
from pledge.web.app import create_app
from tests.integration.http_server import running_http_server
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, NAME, PHONE, ask, collect, confirm, mailed_code
from tests.web.conftest import auth

HOOKED = "crm_providers"


def deliver_recipient_notices(pledge: Pledge) -> int:
    """One pass over notices, after making every pending one due (no waiting out back-off)."""
    with pledge.transaction() as session:
        session.execute(update(Delivery).values(next_attempt_at=utcnow()))
    return deliver(pledge, [Kind.RECIPIENT_NOTICE]).sent


@dataclass
class Receiver:
    """Answers each POST with the next of ``statuses`` (204 once they run out)."""

    url: str
    statuses: list[int] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                receiver.posts.append(
                    {
                        "path": self.path,
                        "status": status,
                        "body": body,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                    }
                )
            self.send_response(status)
            if status in (301, 302, 303, 307, 308):
                self.send_header("location", "/elsewhere")
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # where a followed redirect would land
            with receiver.lock:
                receiver.gets.append(self.path)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_http_server() as (server, base):
        receiver = Receiver(url=f"{base}/notices")
        server.RequestHandlerClass = _handler(receiver)
        yield receiver


@pytest.fixture
def hooked(mailer: Pledge, receiver: Receiver, tmp_path: Path) -> Iterator[Pledge]:
    """The mailing Pledge with a policy whose ``crm_providers`` has a webhook."""
    data = yaml.safe_load(bundled_policy_path().read_text(encoding="utf-8"))
    (recipient,) = [r for r in data["recipients"] if r["id"] == HOOKED]
    recipient["webhook_url"] = receiver.url
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    variant = Pledge(mailer.settings, policy=load_policy(path))
    register_policy_version(variant)
    try:
        yield variant
    finally:
        variant.dispose()


@pytest.fixture
def hooked_web(hooked: Pledge) -> Iterator[TestClient]:
    with TestClient(create_app(hooked), raise_server_exceptions=False) as client:
        yield client


def erase(hooked: Pledge, smtp: SmtpServer, web: TestClient, key: str) -> dict[str, Any]:
    subject_id = collect(web, key)["subject_id"]
    request = ask(web, type="erasure", match={"phone": PHONE})
    done = confirm(web, request, mailed_code(hooked, smtp))
    assert done["status"] == "completed", done
    return {**done, "token": request["token"], "subject_id": subject_id}


def notices(pledge: Pledge, request_id: str) -> dict[str, RecipientNotice]:
    with pledge.sessions() as session:
        rows = session.scalars(
            select(RecipientNotice).where(RecipientNotice.request_id == request_id)
        ).all()
    return {row.recipient_id: row for row in rows}


def test_an_erasure_notice_is_posted_without_personal_data_and_marked_sent(
    hooked: Pledge, smtp: SmtpServer, hooked_web: TestClient, receiver: Receiver, system_key: str
) -> None:
    done = erase(hooked, smtp, hooked_web, system_key)
    assert HOOKED in done["result"]["notified"]
    assert notices(hooked, done["id"])[HOOKED].status == "queued"
    assert deliver_recipient_notices(hooked) == 1
    (post,) = receiver.posts
    assert post["path"] == "/notices"
    assert post["headers"]["content-type"] == "application/json"
    secret = hooked.keys.recipient_webhook_secret(HOOKED)
    assert verify(secret, post["body"], post["headers"])
    assert not verify(secret, post["body"] + b" ", post["headers"])  # a changed body fails
    assert not verify(
        hooked.keys.recipient_webhook_secret("hubspot"), post["body"], post["headers"]
    )
    body = json.loads(post["body"])
    assert post["headers"]["x-pledge-delivery"] == body["notice_id"]
    assert body == {
        "notice_id": notices(hooked, done["id"])[HOOKED].id,
        "request_id": done["id"],
        "action": "erasure",
        "categories": ["identification"],
    }
    for personal in (EMAIL, NAME, PHONE, "+33123456789", done["subject_id"]):
        assert personal.encode() not in post["body"], personal
    held = notices(hooked, done["id"])
    assert (held[HOOKED].status, held[HOOKED].attempts) == ("sent", 1)
    assert held[HOOKED].sent_at is not None
    assert {n.status for r, n in held.items() if r != HOOKED} == {"queued"}  # no webhook: staff
    view = hooked_web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"])).json()
    (shown,) = [n for n in view["notices"] if n["recipient"] == HOOKED]
    assert shown["status"] == "sent"
    assert shown["sent_at"]
    assert "recipient_notified" in [e["event"] for e in view["timeline"]]
    assert deliver_recipient_notices(hooked) == 0  # sent once, never again
    assert len(receiver.posts) == 1


def test_a_failing_receiver_leaves_the_notice_queued_for_retry(
    hooked: Pledge, smtp: SmtpServer, hooked_web: TestClient, receiver: Receiver, system_key: str
) -> None:
    receiver.statuses = [500, 302]
    done = erase(hooked, smtp, hooked_web, system_key)
    assert deliver_recipient_notices(hooked) == 0
    notice = notices(hooked, done["id"])[HOOKED]
    assert (notice.status, notice.attempts, notice.last_status) == ("queued", 1, "500")
    assert deliver_recipient_notices(hooked) == 0  # a redirect is not a delivery
    notice = notices(hooked, done["id"])[HOOKED]
    assert (notice.status, notice.attempts, notice.last_status) == ("queued", 2, "302")
    assert receiver.gets == []  # the notice was not turned into a GET elsewhere
    assert deliver_recipient_notices(hooked) == 1
    notice = notices(hooked, done["id"])[HOOKED]
    assert (notice.status, notice.attempts) == ("sent", 3)
    assert [p["status"] for p in receiver.posts] == [500, 302, 204]


def test_a_receiver_that_never_answers_leaves_the_notice_to_staff(
    hooked: Pledge, smtp: SmtpServer, hooked_web: TestClient, receiver: Receiver, system_key: str
) -> None:
    MAX_ATTEMPTS = retry_policy(hooked.settings, Kind.RECIPIENT_NOTICE).max_attempts  # noqa: N806
    receiver.statuses = [503] * MAX_ATTEMPTS
    done = erase(hooked, smtp, hooked_web, system_key)
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_recipient_notices(hooked)
    notice = notices(hooked, done["id"])[HOOKED]
    assert (notice.status, notice.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(receiver.posts) == MAX_ATTEMPTS
    view = hooked_web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"])).json()
    assert "recipient_notice_failed" in [e["event"] for e in view["timeline"]]


def test_a_receiver_that_refuses_the_notice_fails_it_at_once_and_retry_sends_it(
    hooked: Pledge, smtp: SmtpServer, hooked_web: TestClient, receiver: Receiver, system_key: str
) -> None:
    receiver.statuses = [410]
    done = erase(hooked, smtp, hooked_web, system_key)
    assert deliver_recipient_notices(hooked) == 0
    notice = notices(hooked, done["id"])[HOOKED]
    assert (notice.status, notice.attempts, notice.last_status) == ("failed", 1, "410")
    view = hooked_web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"])).json()
    assert "recipient_notice_failed" in [e["event"] for e in view["timeline"]]

    retry_delivery(hooked, notice.id, actor="test")
    assert notices(hooked, done["id"])[HOOKED].status == "queued"
    assert deliver_recipient_notices(hooked) == 1
    notice = notices(hooked, done["id"])[HOOKED]
    assert (notice.status, notice.attempts) == ("sent", 2)
    assert [p["status"] for p in receiver.posts] == [410, 204]


def test_notices_queued_before_the_recipient_had_a_webhook_go_out_by_it(
    mailer: Pledge, smtp: SmtpServer, receiver: Receiver, system_key: str, hooked: Pledge
) -> None:
    with TestClient(create_app(mailer), raise_server_exceptions=False) as plain_web:
        done = erase(mailer, smtp, plain_web, system_key)  # the policy without a webhook
    with mailer.sessions() as session:
        assert session.get(Delivery, notices(mailer, done["id"])[HOOKED].id) is None
    assert deliver_recipient_notices(hooked) == 1  # the policy now names one
    assert notices(hooked, done["id"])[HOOKED].status == "sent"
    assert json.loads(receiver.posts[0]["body"])["categories"] == ["identification"]
