"""The breach and business-transfer registers through the admin API, on both databases:
create, list with search, get, decide, send; 4xx naming the field with nothing written;
admin keys only; each answer showing sealed text is one audited read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from pledge.audit import READ
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Breach, BusinessTransfer, RegisterNotice
from pledge.jobs import deliver_outbox
from tests.integration.smtp_server import SmtpServer
from tests.registers.conftest import (
    ANNA,
    BRUNO,
    application,
    audit_of,
    count,
    identification,
    post_records,
)
from tests.web.conftest import auth

BREACHES = "/api/v1/admin/breaches"
TRANSFERS = "/api/v1/admin/transfers"
SUMMARY = "CRM export left on a public share"
NOTE = "Asset deal with Acme, contract 7"


def breach(**overrides: Any) -> dict[str, Any]:
    known = (utcnow() - timedelta(hours=80)).isoformat()
    return {"summary": SUMMARY, "known_at": known, "categories": ["identification"], **overrides}


def transfer(**overrides: Any) -> dict[str, Any]:
    return {
        "buyer": "Acme Holdings",
        "transferred_on": "2027-03-01",
        "categories": ["employment_application"],
        "note": NOTE,
        **overrides,
    }


def reads(pledge: Pledge, what: str) -> list[dict[str, Any]]:
    return [d for _, d in audit_of(pledge, READ) if d["what"] == what]


def test_a_breach_is_recorded_decided_and_notified_through_the_api(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, admin_key: str, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA), application(BRUNO))
    made = client.post(BREACHES, json=breach(), headers=auth(admin_key))
    assert made.status_code == 201, made.text
    entry = made.json()
    assert (entry["people_affected"], entry["overdue"], entry["notify_people"]) == (1, True, None)
    breach_url = f"{BREACHES}/{entry['id']}"
    undecided = client.post(f"{breach_url}/notices", headers=auth(admin_key))
    assert undecided.status_code == 409

    listed = client.get(BREACHES, params={"search": "public share"}, headers=auth(admin_key))
    assert [b["id"] for b in listed.json()["breaches"]] == [entry["id"]]
    none = client.get(BREACHES, params={"search": "ransomware"}, headers=auth(admin_key))
    assert none.json() == {"breaches": []}
    assert client.get(breach_url, headers=auth(admin_key)).json()["summary"] == SUMMARY
    assert client.get(f"{BREACHES}/nope", headers=auth(admin_key)).status_code == 404

    decision = {
        "notify_authority": True,
        "authority_reason": "contact data exposed",
        "notify_people": True,
        "people_reason": "phishing risk",
    }
    refused = client.post(f"{breach_url}/decision", json=decision, headers=auth(admin_key))
    assert refused.status_code == 422
    assert "people_notice" in refused.json()["error"]["fields"]
    decided = client.post(
        f"{breach_url}/decision",
        json={
            **decision,
            "people_notice": "Beware of phishing.",
            "authority_told_at": "2027-01-01T09:00:00Z",
        },
        headers=auth(admin_key),
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["overdue"], decided.json()["notify_people"]) == (False, True)
    sent = client.post(f"{breach_url}/notices", headers=auth(admin_key))
    assert sent.json() == {"queued": 1, "people_affected": 1, "people_told": 1}
    again = client.post(f"{breach_url}/notices", headers=auth(admin_key)).json()
    assert again["queued"] == 0
    deliver_outbox(mailer)
    assert any("Beware of phishing." in m.body for m in smtp.messages_to(ANNA))
    assert smtp.messages_to(BRUNO) == []

    # list, get, decision's answer: three reads of the sealed text, none for 0 hits or a 404
    assert [d["form"] for d in reads(mailer, "breach_text")] == ["json"] * 3
    actions = [a for a, _ in audit_of(mailer, "breaches.") if a != "breaches.notices_queued"]
    assert actions == ["breaches.created", "breaches.decided"] + ["breaches.notices_sent"] * 2
    assert all(SUMMARY not in str(d) and ANNA not in str(d) for _, d in audit_of(mailer, ""))


def test_a_transfer_is_recorded_and_notified_through_the_api(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, admin_key: str, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA), application(BRUNO))
    made = client.post(TRANSFERS, json=transfer(), headers=auth(admin_key))
    assert made.status_code == 201, made.text
    entry = made.json()
    assert (entry["buyer"], entry["people_affected"], entry["people_told"]) == (
        "Acme Holdings",
        1,
        0,
    )
    listed = client.get(TRANSFERS, params={"search": "contract 7"}, headers=auth(admin_key))
    assert [t["id"] for t in listed.json()["transfers"]] == [entry["id"]]
    one = client.get(f"{TRANSFERS}/{entry['id']}", headers=auth(admin_key))
    assert one.json()["note"] == NOTE
    assert client.get(f"{TRANSFERS}/nope", headers=auth(admin_key)).status_code == 404
    sent = client.post(f"{TRANSFERS}/{entry['id']}/notices", headers=auth(admin_key))
    assert sent.json() == {"queued": 1, "people_affected": 1, "people_told": 1}
    deliver_outbox(mailer)
    assert any("Acme Holdings" in m.body for m in smtp.messages_to(BRUNO))
    assert smtp.messages_to(ANNA) == []
    assert [d["form"] for d in reads(mailer, "transfer_note")] == ["json", "json"]
    actions = [a for a, _ in audit_of(mailer, "transfers.") if a != "transfers.notices_queued"]
    assert actions == ["transfers.created", "transfers.notices_sent"]


def test_bad_input_names_the_field_and_writes_nothing(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str
) -> None:
    future = (utcnow() + timedelta(days=1)).isoformat()
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (BREACHES, "summary", breach(summary="  ")),
        (BREACHES, "known_at", breach(known_at=future)),
        (BREACHES, "known_at", breach(known_at="2027-01-01T10:00:00")),
        (BREACHES, "categories[0]", breach(categories=["horoscope"])),
        (BREACHES, "categories", breach(categories=[])),
        (BREACHES, "extra", breach(extra=1)),
        (TRANSFERS, "buyer", transfer(buyer="")),
        (TRANSFERS, "transferred_on", transfer(transferred_on="soon")),
        (TRANSFERS, "categories[0]", transfer(categories=["horoscope"])),
    ]
    for route, field, sent in cases:
        response = client.post(route, json=sent, headers=auth(admin_key))
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["error"]["fields"], (field, response.text)
    assert count(pledge, Breach) == 0
    assert count(pledge, BusinessTransfer) == 0
    assert count(pledge, RegisterNotice) == 0
    for route in (BREACHES, TRANSFERS):
        assert client.post(route, json={}).status_code == 401
        assert client.get(route, headers=auth(system_key)).status_code == 403
        assert client.post(f"{route}/x/notices", headers=auth(system_key)).status_code == 403
