"""Every read of decrypted personal data leaves one audit entry (issue #15, item 4).

Each path a person's data is shown through, decrypted, is driven as its user
would (HTTP, console, CLI) on both databases; the entry names who read, which
object and what kind of view, with counts only: never a value that was shown.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.audit import READ
from pledge.console.accounts import create_user
from pledge.core import Pledge
from pledge.db.models import AuditEntry
from pledge.rights.holds import create_hold
from tests.console.test_console import PASSWORD, sign_in
from tests.console.test_console_requests import AGENT, PERMISSION, created_id, enter
from tests.integration.smtp_server import SmtpServer
from tests.integration.test_cli import run as cli
from tests.rights.conftest import EMAIL, NAME, PHONE, collect, give_marketing_consent
from tests.rights.test_fulfilment import run
from tests.rights.test_request_page import access, mailed
from tests.rights.test_request_page import sign_in as page_sign_in
from tests.service_data.conftest import conversation, make_client
from tests.web.conftest import auth

__all__ = ["access"]  # the fixture, shared with the request page's tests

OFFICER = "reader@interactions.com"
VALUES = (EMAIL, NAME, PHONE, AGENT, "Maria Gonzalez")


def reads(pledge: Pledge, what: str) -> list[AuditEntry]:
    """The read entries of this kind, oldest first; none of them may carry a value."""
    with pledge.sessions() as session:
        found = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == READ).order_by(AuditEntry.id)
            )
        )
    shown = json.dumps([[e.actor, e.object_id, e.details] for e in found])
    for value in VALUES:
        assert value not in shown, "a read entry holds ids and counts, never a value"
    return [entry for entry in found if entry.details.get("what") == what]


def key_id(pledge: Pledge, key: str) -> str:
    from pledge.access import authenticate_key

    principal = authenticate_key(pledge, key)
    assert principal is not None
    return principal.actor


@pytest.fixture
def staff(mailer: Pledge, client: TestClient) -> TestClient:
    create_user(mailer, email=OFFICER, role="privacy_officer", password=PASSWORD, actor="test")
    assert sign_in(client, OFFICER) == 303
    return client


def test_each_package_download_through_the_api_is_one_read(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    collect(client, system_key)
    done = run(mailer, smtp, client, match={"phone": PHONE})
    for form in ("json", "zip", "html"):
        response = client.get(
            f"/api/v1/requests/{done['id']}/package",
            params={"format": form},
            headers=auth(done["token"]),
        )
        assert response.status_code == 200, response.text
    found = reads(mailer, "package")
    assert [e.details["form"] for e in found] == ["json", "zip", "html"]
    assert [e.details["copy"] for e in found] == [1, 2, 3]
    assert {(e.actor, e.object_type, e.object_id) for e in found} == {
        ("requester", "rights_request", done["id"])
    }
    assert all(e.subject_id and e.details["categories"] >= 1 for e in found)


def test_each_download_from_the_request_page_is_one_read(
    mailer: Pledge, smtp: SmtpServer, access: str, client: TestClient
) -> None:
    page_sign_in(client, access, mailed(mailer, smtp)[0])
    for form in ("html", "json", "zip"):
        assert client.get(f"{access}/download/{form}").status_code == 200
    assert [e.details["form"] for e in reads(mailer, "package")] == ["html", "json", "zip"]


def test_a_refused_download_reads_nothing(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    collect(client, system_key)
    done = run(mailer, smtp, client, match={"phone": PHONE})
    wrong = client.get(f"/api/v1/requests/{done['id']}/package", headers=auth("nope"))
    assert wrong.status_code == 404
    assert reads(mailer, "package") == []


def test_staff_reading_proposed_corrections_is_one_read(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str, admin_key: str
) -> None:
    collect(client, system_key)
    done = run(
        mailer,
        smtp,
        client,
        type="rectification",
        match={"phone": PHONE},
        corrections={"company": "Quartermaine Mills"},
    )
    assert done["status"] == "awaiting_review"
    own = client.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"]))
    assert own.status_code == 200
    assert reads(mailer, "corrections") == []  # the person's own view shows no corrections
    staff = client.get(f"/api/v1/requests/{done['id']}", headers=auth(admin_key))
    assert staff.json()["corrections"]
    [entry] = reads(mailer, "corrections")
    assert entry.actor == key_id(mailer, admin_key)
    assert (entry.object_id, entry.details["fields"]) == (done["id"], 1)


def test_the_console_request_page_with_an_agent_is_one_read(
    mailer: Pledge, staff: TestClient
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
    page = staff.get(f"/admin/requests/{request_id}")
    assert page.status_code == 200
    assert AGENT in page.text
    [entry] = reads(mailer, "request_details")
    assert entry.actor.startswith("user:")
    assert entry.object_id == request_id
    assert entry.details["agent"] is True


def test_the_holds_list_is_one_read_wherever_it_is_shown(
    mailer: Pledge, staff: TestClient, admin_key: str
) -> None:
    create_hold(mailer, email=EMAIL, reason="Litigation matter 7", actor="test")
    assert staff.get("/admin/holds").status_code == 200
    assert staff.get("/api/v1/admin/holds", headers=auth(admin_key)).status_code == 200
    assert cli(mailer.settings, "holds", "list").returncode == 0
    found = reads(mailer, "holds")
    assert [e.actor.split(":")[0] for e in found] == ["user", "api-key", "cli"]
    assert all(e.details["holds"] == 1 for e in found)


def test_the_consent_history_is_one_read_under_the_callers_key(
    mailer: Pledge, client: TestClient, system_key: str
) -> None:
    give_marketing_consent(client, system_key)
    response = client.get("/api/v1/consents", params={"email": EMAIL}, headers=auth(system_key))
    assert response.status_code == 200
    assert (
        client.get(
            "/api/v1/consents", params={"email": "nobody@example.org"}, headers=auth(system_key)
        ).json()["known"]
        is False
    )
    [entry] = reads(mailer, "consent_history")
    assert entry.actor == key_id(mailer, system_key)
    assert entry.object_id == response.json()["subject_id"]
    assert entry.details["events"] == len(response.json()["events"])


def test_a_service_data_read_is_one_read_under_the_client(
    mailer: Pledge, client: TestClient
) -> None:
    keys = make_client(mailer, "Contoso")
    posted = client.post(
        "/api/v1/service/conversations", json=conversation(), headers=auth(keys.key)
    )
    assert posted.status_code == 201, posted.text
    conversation_id = posted.json()["id"]
    other = make_client(mailer, "Other")
    path = f"/api/v1/service/conversations/{conversation_id}"
    assert client.get(path, headers=auth(other.key)).status_code == 404
    assert client.get(path, headers=auth(keys.key)).status_code == 200
    [entry] = reads(mailer, "conversation")
    assert (entry.actor, entry.object_id) == (f"client:{keys.id}", conversation_id)


def test_listing_the_outbox_addresses_is_one_read(
    mailer: Pledge, client: TestClient, system_key: str
) -> None:
    collect(client, system_key)
    client.post("/api/v1/requests", json={"type": "access", "email": EMAIL, "country": "FR"})
    listed = cli(mailer.settings, "outbox", "list")
    assert listed.returncode == 0, listed.stderr
    assert EMAIL in listed.stdout
    [entry] = reads(mailer, "mail_addresses")
    assert entry.actor == "cli"
    assert entry.details["mails"] >= 1
