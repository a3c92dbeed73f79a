"""A request reaches a processor's API (the example CRM) that finishes its erasure later.

The CRM answers the erasure ``202`` and posts a signed callback to Pledge's
real HTTP server (uvicorn on loopback) a moment later; only then is the
request completed. A forged callback changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.connectors.registry import Systems
from pledge.core import Pledge
from pledge.crypto.webhook_signing import signed_headers
from pledge.db.models import ConnectorTask
from pledge.rights.connected.waiting import WAIT_LIMIT, give_up_waiting
from tests.browser.conftest import _free_port, serving
from tests.connectors.http_support import CRM_YAML, SECRET, Crm, rows, running_crm
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import ask, confirm, mailed_code
from tests.web.conftest import auth

ADA = "ada@example.org"


@pytest.fixture
def crm(
    tmp_path: Path, mailer: Pledge, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Crm, str]]:
    """The example CRM (callbacks on) declared as a connected system of a served Pledge."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    declared = tmp_path / "systems.yaml"
    declared.write_text(CRM_YAML, encoding="utf-8")
    with running_crm(tmp_path / "crm.sqlite", callbacks=True, callback_delay=0.3) as running:
        monkeypatch.setenv("CRM_URL", running.url)
        monkeypatch.setenv("CRM_SECRET", SECRET)
        monkeypatch.setenv("PLEDGE_BASE_URL", base)
        mailer.settings.systems = declared
        mailer.settings.base_url = base
        mailer.forget_state(Systems)
        with serving(mailer, port):
            yield running, base
        mailer.state(Systems, lambda: Systems.load(None)).close()


def _status(web: TestClient, done: dict[str, Any]) -> str:
    answer = web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"]))
    status: str = answer.json()["status"]
    return status


def test_an_erasure_waits_for_the_processors_callback(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, crm: tuple[Crm, str]
) -> None:
    running, _ = crm
    request = ask(client, email=ADA, country="GB", type="erasure", match={"phone": "020 7123 4567"})
    done = {**confirm(client, request, mailed_code(mailer, smtp, ADA)), "token": request["token"]}
    assert done["status"] == "awaiting_systems"  # the CRM accepted; it answers later
    deadline = time.monotonic() + 15
    while _status(client, done) != "completed" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _status(client, done) == "completed"
    assert rows(running.db, "SELECT email, name FROM contacts WHERE id = 1") == [(None, None)]
    assert rows(running.db, "SELECT id FROM notes ORDER BY id") == [(2,), (3,)]  # others' stay
    with mailer.sessions() as session:
        (task,) = session.scalars(select(ConnectorTask)).all()
    assert task.status == "done"
    assert task.report is not None
    assert task.report["pending"] is None


def test_a_forged_or_unknown_callback_changes_nothing(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, crm: tuple[Crm, str]
) -> None:
    _, base = crm
    answer = {"collections": {}, "residual": 0}
    body = json.dumps(
        {"reference": "r1", "action": "erase", "idempotency_key": "nope", **answer}
    ).encode()
    url = f"{base}/api/v1/systems/crm/callbacks"
    forged = httpx.post(url, content=body, headers=signed_headers("not-the-secret", body, "x"))
    assert forged.status_code == 401
    assert "secret" in forged.json()["error"]["message"]
    unknown_task = httpx.post(url, content=body, headers=signed_headers(SECRET, body, "x"))
    assert unknown_task.status_code == 404, unknown_task.text
    bad = b'{"reference": 1}'
    malformed = httpx.post(url, content=bad, headers=signed_headers(SECRET, bad, "x"))
    assert malformed.status_code == 400
    signed = signed_headers(SECRET, body, "x")
    other = httpx.post(f"{base}/api/v1/systems/shop/callbacks", content=body, headers=signed)
    assert other.status_code == 401  # an unknown system looks like a bad signature


@pytest.fixture
def slow_crm(
    tmp_path: Path, mailer: Pledge, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Crm, str]]:
    """The example CRM that acts only a minute after accepting an erasure."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    declared = tmp_path / "systems.yaml"
    declared.write_text(CRM_YAML, encoding="utf-8")
    with running_crm(tmp_path / "crm.sqlite", callbacks=True, callback_delay=60) as running:
        monkeypatch.setenv("CRM_URL", running.url)
        monkeypatch.setenv("CRM_SECRET", SECRET)
        monkeypatch.setenv("PLEDGE_BASE_URL", base)
        mailer.settings.systems = declared
        mailer.settings.base_url = base
        mailer.forget_state(Systems)
        with serving(mailer, port):
            yield running, base
        mailer.state(Systems, lambda: Systems.load(None)).close()


def test_a_callback_that_claims_an_erasure_before_it_happened_is_not_believed(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, slow_crm: tuple[Crm, str]
) -> None:
    _, base = slow_crm
    request = ask(client, email=ADA, country="GB", type="erasure", match={"phone": "020 7123 4567"})
    done = {**confirm(client, request, mailed_code(mailer, smtp, ADA)), "token": request["token"]}
    assert done["status"] == "awaiting_systems"
    with mailer.sessions() as session:
        (task,) = session.scalars(select(ConnectorTask)).all()
    assert task.report is not None
    claim = {
        "reference": task.report["pending"],
        "action": "erase",
        "idempotency_key": task.id,
        "collections": {},
        "residual": 0,
    }
    body = json.dumps(claim).encode()
    url = f"{base}/api/v1/systems/crm/callbacks"
    answer = httpx.post(url, content=body, headers=signed_headers(SECRET, body, "x"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "failed"  # Pledge re-read: Ada is still there
    assert _status(client, done) == "awaiting_systems"  # never reported complete


def test_a_processor_that_never_calls_back_fails_its_task_for_staff(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, slow_crm: tuple[Crm, str]
) -> None:
    request = ask(client, email=ADA, country="GB", type="erasure", match={"phone": "020 7123 4567"})
    done = {**confirm(client, request, mailed_code(mailer, smtp, ADA)), "token": request["token"]}
    assert give_up_waiting(mailer) == 0  # not yet
    later = datetime.now(UTC) + WAIT_LIMIT + timedelta(minutes=1)
    assert give_up_waiting(mailer, now=later) == 1
    with mailer.sessions() as session:
        (task,) = session.scalars(select(ConnectorTask)).all()
    assert (task.status, task.last_error, task.identities_ciphertext) == (
        "failed",
        "no_callback",
        None,
    )
    assert _status(client, done) == "awaiting_systems"
