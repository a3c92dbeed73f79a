"""The business-transfer record in the console: record, search, send the notice, export;
who may do what; each view of the sealed note is one audited read."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pledge.audit import READ
from pledge.core import Pledge
from pledge.db.models import BusinessTransfer, RegisterNotice
from tests.registers.conftest import (
    ANNA,
    BRUNO,
    application,
    audit_of,
    browser,
    count,
    identification,
    post_records,
)
from tests.staff_accounts import csrf_of

NOTE = "Share deal signed with Acme, contract 7"


def test_a_privacy_officer_records_searches_sends_and_exports(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    post_records(client, system_key, identification(ANNA), application(BRUNO))
    officer = browser(pledge, client, "privacy_officer")
    listing = officer.get("/admin/transfers")
    assert listing.status_code == 200
    assert 'href="/admin/transfers">Business transfers</a>' in listing.text
    csrf = csrf_of(listing.text)
    bad = officer.post(
        "/admin/transfers",
        data={"csrf": csrf, "buyer": "Acme", "transferred_on": "2027-03-01", "category:x": "1"},
    )
    assert bad.status_code == 422
    assert 'id="categories-error"' in bad.text
    assert 'value="Acme"' in bad.text
    no_date = officer.post("/admin/transfers", data={"csrf": csrf, "buyer": "Acme"})
    assert 'id="transferred_on-error"' in no_date.text
    assert count(pledge, BusinessTransfer) == 0

    made = officer.post(
        "/admin/transfers",
        data={
            "csrf": csrf,
            "buyer": "Acme Holdings",
            "transferred_on": "2027-03-01",
            "category:identification": "1",
            "note": NOTE,
        },
    )
    assert made.status_code == 200, made.text
    assert "Business transfer to Acme Holdings" in made.text
    assert NOTE in made.text
    url = str(made.url.path)
    sent = officer.post(f"{url}/notices", data={"csrf": csrf})
    assert "Notices queued: 1." in sent.text
    again = officer.post(f"{url}/notices", data={"csrf": csrf})
    assert "Notices queued: 0." in again.text
    assert count(pledge, RegisterNotice) == 1

    assert "Acme Holdings" in officer.get("/admin/transfers", params={"q": "contract 7"}).text
    assert "No transfer matches." in officer.get("/admin/transfers", params={"q": "zeta"}).text
    exported = officer.get("/admin/transfers.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert NOTE in exported.text
    assert officer.get("/admin/transfers/nope").status_code == 404

    shown = [d for a, d in audit_of(pledge, READ) if d["what"] == "transfer_note"]
    assert [d["form"] for d in shown] == ["page"] * 4 + ["csv"]
    assert all(NOTE not in str(d) and ANNA not in str(d) for _, d in audit_of(pledge, ""))

    auditor = browser(pledge, client, "auditor")
    assert "Record a business transfer" not in auditor.get("/admin/transfers").text
    assert auditor.post(f"{url}/notices", data={"csrf": csrf}).status_code == 403
    assert browser(pledge, client, "support").get("/admin/transfers").status_code == 403
