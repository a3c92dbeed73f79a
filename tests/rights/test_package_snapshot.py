"""The package is a snapshot taken at fulfilment (issue #11, item 4).

A request token used to read the person's live data for as long as the request
was kept (24 months): a package downloaded again held records collected after
the request. Now the package is built once, kept encrypted with the subject's
key, and downloads stop after ``PLEDGE_PACKAGE_DAYS`` or ``PLEDGE_PACKAGE_COPIES``.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pledge.core import Pledge
from pledge.db.models import AuditEntry, RightsRequest
from pledge.rights import package as get_package
from pledge.rights.export import PackageGone
from pledge.rights.retention import expire_requests
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, NAME, PHONE, collect
from tests.rights.test_fulfilment import package, run

LATER = "Expo of Later Things"


def row_of(pledge: Pledge, request_id: str) -> RightsRequest:
    with pledge.sessions() as session:
        row = session.get(RightsRequest, request_id)
        assert row is not None
        session.expunge(row)
        return row


def gone(response: Any) -> str:
    assert response.status_code == 410, response.text
    error = response.json()["error"]
    assert error["code"] == "gone"
    message: str = error["message"]
    assert EMAIL not in message
    return message


def test_later_records_never_appear_in_any_form(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    access = run(mailer, smtp, web, match={"phone": PHONE})
    portability = run(mailer, smtp, web, type="portability", match={"phone": PHONE})
    collect(web, system_key, data={"name": "Wilhelmina Later", "email": EMAIL, "company": LATER})
    collect(web, system_key, category="event", data={"event_name": LATER})

    body = package(web, access).json()
    assert [c["id"] for c in body["categories"]] == ["identification"]
    assert len(body["categories"][0]["records"]) == 1
    assert NAME in json.dumps(body)
    assert LATER not in json.dumps(body)
    page = package(web, access, format="html")
    assert page.status_code == 200
    assert NAME in page.text
    assert LATER not in page.text
    archive = zipfile.ZipFile(io.BytesIO(package(web, portability, format="zip").content))
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    assert NAME in files["identification.csv"]
    assert not any(LATER in text for text in files.values())


def test_the_snapshot_is_encrypted_and_says_how_long_it_lasts(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    done = run(mailer, smtp, web, match={"phone": PHONE})
    row = row_of(mailer, done["id"])
    assert row.package_ciphertext is not None
    assert NAME.encode() not in row.package_ciphertext
    assert row.closed_at is not None
    assert row.package_expires_at == row.closed_at + timedelta(days=30)
    body = package(web, done).json()
    assert (body["copy"], body["copies_left"]) == (1, 4)
    assert body["available_until"] == row.package_expires_at.isoformat()
    assert body["generated_at"] == row.closed_at.isoformat()


def test_downloads_stop_after_the_allowed_copies(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    done = run(mailer, smtp, web, type="portability", match={"phone": PHONE})
    for form in ("json", "zip", "html", "json", "zip"):
        assert package(web, done, format=form).status_code == 200, form
    for form in ("json", "zip", "html"):
        assert "downloaded 5 times" in gone(package(web, done, format=form))
    assert row_of(mailer, done["id"]).copies_served == 5


def test_downloads_stop_after_the_period(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    mailer.settings.package_days = 2
    collect(web, system_key)
    done = run(mailer, smtp, web, match={"phone": PHONE})
    expires = row_of(mailer, done["id"]).package_expires_at
    assert expires is not None
    assert get_package(mailer, done["id"], done["token"], now=expires - timedelta(seconds=1))
    with pytest.raises(PackageGone, match="could be downloaded until"):
        get_package(mailer, done["id"], done["token"], now=expires)
    with mailer.transaction() as session:
        session.execute(
            update(RightsRequest)
            .where(RightsRequest.id == done["id"])
            .values(package_expires_at=expires - timedelta(days=3))
        )
    assert "could be downloaded until" in gone(package(web, done))
    assert row_of(mailer, done["id"]).copies_served == 1


def test_the_daily_task_drops_expired_snapshots(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    done = run(mailer, smtp, web, match={"phone": PHONE})
    expires = row_of(mailer, done["id"]).package_expires_at
    assert expires is not None
    expire_requests(mailer, now=expires - timedelta(days=1))
    assert row_of(mailer, done["id"]).package_ciphertext is not None
    expire_requests(mailer, now=expires + timedelta(days=1))
    assert row_of(mailer, done["id"]).package_ciphertext is None
    with mailer.sessions() as session:
        entries = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "rights.packages_expired")
        ).all()
    assert entries == [{"packages": 1}]
    assert "no longer available" in gone(package(web, done))


def test_an_erasure_destroys_earlier_packages(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    done = run(mailer, smtp, web, match={"phone": PHONE})
    erased = run(mailer, smtp, web, type="erasure", match={"phone": PHONE})
    assert erased["result"]["key_destroyed"]
    assert row_of(mailer, done["id"]).package_ciphertext is None
    gone(package(web, done))


def test_an_erasure_that_keeps_records_still_destroys_earlier_packages(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    collect(
        web,
        system_key,
        category="employment_application",
        purpose="hiring_compliance",
        source="careers",
        data={"name": NAME, "email": EMAIL},
    )
    done = run(mailer, smtp, web, match={"phone": PHONE})
    erased = run(mailer, smtp, web, type="erasure", match={"phone": PHONE})
    assert (erased["outcome"], erased["result"]["key_destroyed"]) == ("part", False)
    gone(package(web, done))


def test_a_key_destroyed_after_fulfilment_makes_the_package_unreadable(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    """Crypto-shredding (retention, a later erasure) alone is enough: the snapshot is
    encrypted with the subject's key."""
    from pledge.records.shredding import destroy_subject_key

    subject_id = collect(web, system_key)["subject_id"]
    done = run(mailer, smtp, web, match={"phone": PHONE})
    with mailer.transaction() as session:
        destroy_subject_key(session, subject_id, actor="test", reason="retention")
    assert "erased" in gone(package(web, done))


def test_a_package_without_a_snapshot_is_gone(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    """Fulfilled before snapshots were kept (or completed by staff by hand): nothing live."""
    collect(web, system_key)
    done = run(mailer, smtp, web, match={"phone": PHONE})
    with mailer.transaction() as session:
        session.execute(
            update(RightsRequest)
            .where(RightsRequest.id == done["id"])
            .values(package_ciphertext=None, package_expires_at=None)
        )
    assert "no longer available" in gone(package(web, done))


def test_nothing_held_still_gives_a_package(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    done = run(mailer, smtp, web, type="know")
    body = package(web, done).json()
    assert body["categories"] == []
    assert body["copy"] == 1
