"""Staff: the queue, extensions, denials, manual completion, deadlines on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pledge import rights
from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.errors import Conflict
from pledge.rights import RequestIn
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, ask
from tests.web.conftest import auth

RECEIVED = datetime(2025, 1, 31, 10, 0, tzinfo=UTC)


def submit(
    pledge: Pledge,
    *,
    country: str = "FR",
    region: str | None = None,
    type: str = "access",
    now: datetime = RECEIVED,
) -> str:
    body = RequestIn(type=type, email=EMAIL, country=country, region=region)
    return rights.submit(pledge, body, now=now).id


def test_due_dates_on_a_frozen_clock(pledge: Pledge) -> None:
    eu = rights.detail(pledge, submit(pledge), reader=None)
    ca = rights.detail(pledge, submit(pledge, country="US", region="CA"), reader=None)
    assert eu.due_at == datetime(2025, 2, 28, 10, 0, tzinfo=UTC)
    assert ca.due_at == RECEIVED + timedelta(days=45)
    assert eu.model_dump(mode="json")["due_at"] == "2025-02-28T10:00:00+00:00"


def test_extension_once_with_reason_inside_the_first_month(pledge: Pledge) -> None:
    request_id = submit(pledge)
    extended = rights.extend(
        pledge,
        request_id,
        "many records across systems",
        actor="cli",
        now=RECEIVED + timedelta(days=20),
    )
    assert extended.due_at == datetime(2025, 4, 30, 10, 0, tzinfo=UTC)
    assert extended.extension_reason == "many records across systems"
    with pytest.raises(Conflict, match="already extended"):
        rights.extend(pledge, request_id, "again", actor="cli", now=RECEIVED + timedelta(days=21))
    late = submit(pledge)
    with pytest.raises(Conflict, match="notice period"):
        rights.extend(pledge, late, "too late", actor="cli", now=RECEIVED + timedelta(days=40))


def test_queue_flags_overdue_and_at_risk(pledge: Pledge) -> None:
    overdue = submit(pledge)
    at_risk = submit(pledge, now=RECEIVED + timedelta(days=25))
    fine = submit(pledge, now=RECEIVED + timedelta(days=40))
    items = rights.queue(pledge, now=RECEIVED + timedelta(days=50))
    flags = {i.id: (i.overdue, i.at_risk) for i in items}
    assert [i.id for i in items] == [overdue, at_risk, fine]
    assert flags == {overdue: (True, False), at_risk: (False, True), fine: (False, False)}


def test_admin_routes(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, admin_key: str, system_key: str
) -> None:
    first, second = ask(web), ask(web, type="erasure")
    queue = web.get(
        "/api/v1/admin/requests", params={"status": "pending_verification"}, headers=auth(admin_key)
    )
    assert queue.status_code == 200
    assert {r["id"] for r in queue.json()["requests"]} == {first["id"], second["id"]}
    assert web.get("/api/v1/admin/requests", headers=auth(system_key)).status_code == 403
    assert web.get("/api/v1/admin/requests").status_code == 401
    base = "/api/v1/admin/requests"
    extended = web.post(
        f"{base}/{first['id']}/extend", json={"reason": "complex request"}, headers=auth(admin_key)
    )
    assert extended.status_code == 200
    assert extended.json()["extended"]
    again = web.post(
        f"{base}/{first['id']}/extend", json={"reason": "again please"}, headers=auth(admin_key)
    )
    assert again.status_code == 409
    denied = web.post(
        f"{base}/{second['id']}/deny",
        json={"reason": "manifestly unfounded"},
        headers=auth(admin_key),
    )
    assert denied.json()["status"] == "denied"
    done = web.post(f"{base}/{first['id']}/complete", headers=auth(admin_key))
    assert done.json()["status"] == "completed"
    seen = web.get(f"/api/v1/requests/{second['id']}", headers=auth(second["token"])).json()
    assert seen["reason"] == "manifestly unfounded"


def test_cli_create_and_report(pledge: Pledge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEDGE_DATABASE_URL", pledge.settings.database_url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", pledge.settings.master_key or "")
    runner = CliRunner()
    created = runner.invoke(
        cli_app,
        [
            "requests",
            "create",
            "--type",
            "erasure",
            "--email",
            EMAIL,
            "--country",
            "US",
            "--region",
            "CA",
            "--method",
            "phone",
        ],
    )
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("rq_")
    assert EMAIL not in created.output
    year = datetime.now(UTC).year
    request_id = rights.queue(pledge)[0].id
    rights.deny(pledge, request_id, "identity not verified", actor="cli")
    report = runner.invoke(cli_app, ["report", "requests", "--year", str(year)])
    assert report.exit_code == 0, report.output
    line = next(x for x in report.output.splitlines() if x.startswith("erasure"))
    assert line.split()[1:4] == ["1", "0", "1"]
    listing = runner.invoke(cli_app, ["requests", "list"])
    assert request_id in listing.output
