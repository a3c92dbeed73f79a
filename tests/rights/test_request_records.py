"""Records of requests: kept 24 months, then deleted by a daily task; they survive the
person's erasure without a way back to them. Both databases, frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import (
    AuditEntry,
    MarketingSuppression,
    RecipientNotice,
    RequestEvent,
    RightsRequest,
)
from pledge.jobs import deliver_outbox
from pledge.jobs.tasks import PERIODIC_TASKS
from pledge.policy.durations import add_months
from pledge.rights.retention import expire_requests
from tests.integration.smtp_server import SmtpServer
from tests.integration.test_store import _database_bytes
from tests.rights.conftest import EMAIL, NAME, PHONE, ask, collect, confirm, mailed_code
from tests.web.conftest import auth

OTHER = "ottoline.brackenbury@example.org"


def run(mailer: Pledge, smtp: SmtpServer, web: TestClient, **body: Any) -> dict[str, Any]:
    request = ask(web, **body)
    to = body.get("email", EMAIL)
    done = confirm(web, request, mailed_code(mailer, smtp, to))
    return {**done, "token": request["token"]}


def count(pledge: Pledge, model: Any, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    with pledge.sessions() as session:
        return int(session.scalar(query) or 0)


def passes(pledge: Pledge) -> list[dict[str, Any]]:
    with pledge.sessions() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "rights.requests_expired")
            .order_by(AuditEntry.id)
        ).all()
        return [dict(row.details) for row in rows]


def test_closed_requests_are_deleted_24_months_after_they_closed(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    collect(web, system_key, email=OTHER)
    access = run(mailer, smtp, web, type="access", match={"phone": PHONE})
    erased = run(mailer, smtp, web, type="erasure", email=OTHER, match={"phone": PHONE})
    restricted = run(mailer, smtp, web, type="restriction")  # still in force: kept
    waiting = run(mailer, smtp, web, type="rectification", match={"phone": PHONE})
    abandoned = ask(web, type="access")  # the code is never entered
    assert (access["status"], erased["status"], restricted["status"]) == ("completed",) * 3
    assert waiting["status"] == "awaiting_corrections"  # the page asks the person for them
    assert count(mailer, RecipientNotice, request_id=erased["id"]) > 0
    closed_at = max(datetime.fromisoformat(r["closed_at"]) for r in (access, erased, restricted))
    keep_until = add_months(closed_at, 24)

    early = expire_requests(mailer, now=keep_until - timedelta(days=1))
    assert (early.requests, early.events, early.notices) == (0, 0, 0)
    assert count(mailer, RightsRequest) == 5

    late = expire_requests(mailer, now=keep_until + timedelta(days=1))
    assert late.requests == 3  # the access, the erasure, the abandoned request
    assert late.notices == len(erased["notices"])
    assert late.kept_in_force == 1
    with mailer.sessions() as session:
        left = set(session.scalars(select(RightsRequest.id)))
        orphans = session.scalar(
            select(func.count())
            .select_from(RequestEvent)
            .where(RequestEvent.request_id.not_in(left))
        )
    assert left == {restricted["id"], waiting["id"]}
    assert orphans == 0
    assert late.events > 0
    assert count(mailer, RecipientNotice, request_id=erased["id"]) == 0
    assert count(mailer, MarketingSuppression, reason="erasure") == 1  # stays: off the lists
    gone = web.get(f"/api/v1/requests/{access['id']}", headers=auth(access["token"]))
    assert gone.status_code == 404
    assert abandoned["id"] not in left

    audit = passes(mailer)
    assert len(audit) == 1  # one entry for the pass that deleted, none for the idle one
    assert {k: audit[0][k] for k in ("requests", "events", "notices", "kept_in_force")} == {
        "requests": 3,
        "events": late.events,
        "notices": late.notices,
        "kept_in_force": 1,
    }
    assert set(audit[0]) == {
        "requests",
        "events",
        "notices",
        "kept_in_force",
        "kept_on_hold",
        "closed_before",
    }


def test_the_retention_task_runs_daily(pledge: Pledge) -> None:
    (task,) = [t for t in PERIODIC_TASKS if t.name == "retention"]
    assert task.interval == 86400
    assert task.function(pledge) == 0
    assert passes(pledge) == []  # nothing to delete, nothing to record


def test_earlier_requests_survive_the_persons_erasure_without_their_data(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str, tmp_path: Path
) -> None:
    collect(web, system_key)
    access = run(mailer, smtp, web, type="access", match={"phone": PHONE})
    denied = run(mailer, smtp, web, type="erasure", match={"phone": "+33 6 99 99 99 99"})
    assert (access["status"], denied["status"]) == ("completed", "denied")
    erased = run(mailer, smtp, web, type="erasure", match={"phone": PHONE})
    assert erased["status"] == "completed", erased
    with mailer.sessions() as session:
        rows = {r.id: r for r in session.scalars(select(RightsRequest))}
        assert set(rows) == {access["id"], denied["id"], erased["id"]}
        for row in rows.values():
            assert (row.email_ciphertext, row.private_ciphertext, row.email_index) == (
                None,
                None,
                None,
            ), row.type
        assert rows[denied["id"]].reason
        assert "could not verify" in rows[denied["id"]].reason
        assert rows[access["id"]].result["records"] == 1
    for done, last in ((access, "completed"), (denied, "denied")):
        view = web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"]))
        assert view.status_code == 200  # the holder of the token still sees the proof
        events = [e["event"] for e in view.json()["timeline"]]
        assert events[0] == "received"
        assert events[-1] == last
        assert count(mailer, RequestEvent, request_id=done["id"]) == len(events)
    deliver_outbox(mailer)
    raw = _database_bytes(mailer, tmp_path)
    assert b"rights_request_events" in raw
    for secret in (EMAIL, NAME, "Quartermaine"):
        assert secret.encode() not in raw, secret


def test_erasure_leaves_open_requests_able_to_answer(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    """A request still open owes the person an answer: it keeps their address."""
    collect(web, system_key)
    pending = ask(web, type="access")
    deliver_outbox(mailer)
    erased = run(mailer, smtp, web, type="erasure", match={"phone": PHONE})
    assert erased["status"] == "completed"
    with mailer.sessions() as session:
        row = session.get(RightsRequest, pending["id"])
        assert row is not None
        assert row.email_ciphertext is not None
