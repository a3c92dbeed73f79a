"""The breach register in the console: record, decide, send, export; who may do what."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.db.models import Breach, RegisterNotice
from tests.registers.conftest import ANNA, browser, count, identification, post_records
from tests.staff_accounts import csrf_of


def test_a_privacy_officer_records_decides_and_sends(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA))
    officer = browser(pledge, client, "privacy_officer")
    csrf = csrf_of(officer.get("/admin/breaches").text)
    bad = officer.post("/admin/breaches", data={"csrf": csrf, "summary": "lost laptop"})
    assert bad.status_code == 422
    assert 'id="known_at-error"' in bad.text
    assert count(pledge, Breach) == 0
    made = officer.post(
        "/admin/breaches",
        data={
            "csrf": csrf,
            "summary": "lost laptop",
            "known_at": "2020-01-01T10:00",
            "category:identification": "1",
        },
    )
    assert made.status_code == 200, made.text
    assert 'badge overdue">overdue' in made.text
    breach_url = str(made.url.path)
    decision = {
        "csrf": csrf,
        "notify_authority": "1",
        "authority_reason": "risk",
        "notify_people": "1",
        "people_reason": "high risk",
    }
    refused = officer.post(f"{breach_url}/decision", data=decision)
    assert refused.status_code == 422
    assert 'id="people_notice-error"' in refused.text
    decided = officer.post(
        f"{breach_url}/decision",
        data={
            **decision,
            "people_notice": "Change your password.",
            "authority_told_at": "2020-01-02T09:00",
        },
    )
    assert decided.status_code == 200
    assert 'badge overdue">overdue' not in decided.text
    sent = officer.post(f"{breach_url}/notices", data={"csrf": csrf})
    assert "Notices queued: 1." in sent.text
    assert count(pledge, RegisterNotice) == 1
    exported = officer.get("/admin/breaches.csv")
    assert "lost laptop" in exported.text

    auditor = browser(pledge, client, "auditor")
    assert "Record a breach" not in auditor.get("/admin/breaches").text
    assert auditor.post(f"{breach_url}/notices", data={"csrf": csrf}).status_code == 403
    assert browser(pledge, client, "support").get("/admin/breaches").status_code == 403
