"""After an erasure, nothing the person ever gave can be found or read again.

One person goes through everything Pledge does with people: records in two
categories (one on consent, after consenting with evidence), a cookie choice, a
marketing mail, a logged disclosure, an access request with details, and then
an erasure, every mail delivered through a real SMTP server. Then every value
they gave (e-mail in its case variants and its local part, phone in its
written forms, name, the address in their notes, the details text) is looked
for in the raw SQLite file or a ``pg_dump`` (bytea in hex too), in every
payload and request blob the system key still opens, in ``pledge outbox list``
and in the log. None may appear. Both databases.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.consent import banner_version
from pledge.core import Pledge
from pledge.db.models import Delivery, RightsRequest
from pledge.delivery import Kind, Shredded, read_payload
from pledge.jobs import deliver, deliver_outbox
from tests.integration.smtp_server import SmtpServer
from tests.integration.test_cli import run
from tests.integration.test_store import _database_bytes
from tests.rights.conftest import CODE, confirm
from tests.service_data.conftest import Receiver, make_client
from tests.web.conftest import auth

EMAIL = "Philippa.Tenterden-Vance@Example.org"
PHONE = "+33 6 12 34 56 78"
NAME = "Philippa Tenterden-Vance"
ADDRESS = "14 Wexcombe Lane, Marlborough"
INQUIRY = "Quote for the Wexcombe tapestry restoration"
DETAILS = "Please include the loyalty card Hollowfield-88213 from my visit"
ERASE_DETAILS = "Remove everything from the Hollowfield shop visit"


def secrets_given() -> list[str]:
    """Every value the person gave, in the forms it could be stored in."""
    local = EMAIL.split("@")[0]
    digits = "612345678"
    forms = [EMAIL, EMAIL.lower(), EMAIL.upper(), local, local.lower(), local.upper()]
    forms += [PHONE, "+33" + digits, "33" + digits, "0" + digits, "06 12 34 56 78"]
    forms += [NAME, NAME.lower(), NAME.upper(), "Tenterden", "tenterden"]
    forms += [ADDRESS, "Wexcombe", INQUIRY, DETAILS, "Hollowfield", ERASE_DETAILS]
    return forms


def absent(haystack: str | bytes, what: str) -> None:
    if isinstance(haystack, bytes):
        lowered = haystack.lower()
        for secret in secrets_given():
            assert secret.encode().lower() not in lowered, (what, secret)
            assert secret.encode().hex().encode() not in lowered, (what, secret, "hex")
        return
    for secret in secrets_given():
        assert secret.lower() not in haystack.lower(), (what, secret)


def posted(web: TestClient, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    response = web.post(path, json=body, headers=auth(key) if key else {})
    assert response.is_success, (path, response.text)
    return response.json()


def code_for(mailer: Pledge, smtp: SmtpServer) -> str:
    deliver_outbox(mailer)
    codes = smtp.messages_to(EMAIL.lower()) + smtp.messages_to(EMAIL)
    found = [CODE.search(m.body) for m in codes if CODE.search(m.body)]
    assert found, "no code was mailed"
    match = found[-1]
    assert match is not None
    return match.group(1)


def request(mailer: Pledge, smtp: SmtpServer, web: TestClient, **body: Any) -> dict[str, Any]:
    asked = posted(web, "/api/v1/requests", {"email": EMAIL, "country": "FR", **body})
    done = confirm(web, asked, code_for(mailer, smtp))
    assert done["status"] == "completed", done
    return done


def live_through_everything(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, key: str, receiver: Receiver
) -> None:
    subject = {"email": EMAIL, "phone": PHONE, "name": NAME, "country": "FR"}
    evidence = {"ip": "203.0.113.77", "user_agent": "PhilippaBrowser/1.0", "text": INQUIRY}
    for channel in ("email", "post"):
        consent = {"subject": subject, "purpose": "marketing", "channel": channel}
        posted(
            web,
            "/api/v1/consents",
            {**consent, "granted": True, "method": "web_form", "evidence": evidence},
            key,
        )
    identification = {"name": NAME, "email": EMAIL, "phone": PHONE, "inquiry": INQUIRY}
    for purpose in ("respond_to_requests", "marketing"):
        record = {
            "subject": subject,
            "category": "identification",
            "purpose": purpose,
            "source": "web_form:contact_us",
            "data": identification,
        }
        posted(web, "/api/v1/records", record, key)
    event = {"name": NAME, "phone": PHONE, "event_name": "Expo", "notes": f"Lives at {ADDRESS}"}
    posted(
        web,
        "/api/v1/records",
        {
            "subject": subject,
            "category": "event",
            "purpose": "respond_to_requests",
            "source": "expo",
            "data": event,
        },
        key,
    )
    posted(
        web,
        "/api/v1/cookie-consent",
        {
            "visitor_id": "ab" * 16,
            "version": banner_version(mailer.policy),
            "categories": {"analytics": True},
        },
    )
    posted(
        web,
        "/api/v1/marketing/send",
        {"to": EMAIL, "subject": f"Hello {NAME}", "body": f"Dear {NAME}, about {ADDRESS}"},
        key,
    )
    posted(
        web,
        "/api/v1/disclosures",
        {
            "subject": {"email": EMAIL},
            "recipient": "crm_providers",
            "categories": ["identification"],
            "purpose": "respond_to_requests",
        },
        key,
    )
    as_client_customer(mailer, web, receiver)
    request(mailer, smtp, web, type="access", details=DETAILS, match={"phone": PHONE})
    deliver_outbox(mailer)
    erased = request(
        mailer, smtp, web, type="erasure", details=ERASE_DETAILS, match={"phone": PHONE}
    )
    assert erased["result"]["key_destroyed"], erased
    deliver_outbox(mailer)
    mailer.seal_audit()


def as_client_customer(mailer: Pledge, web: TestClient, receiver: Receiver) -> None:
    """The person calls a Client, whose webhook gets the fields it collects; the Client
    then asks for its customer's erasure (the person's own erasure cannot: the Client
    controls that data)."""
    shop = make_client(mailer, "Acme Tapestries", receiver.url)
    turns = [
        {"speaker": "agent", "text": "Who am I speaking to, and a callback number?"},
        {"speaker": "customer", "text": f"{NAME}, call me on {PHONE} or mail {EMAIL}"},
        {"speaker": "customer", "text": "My account number is HF88213"},
    ]
    talk = {"channel": "chat", "customer": {"id": "HF-88213"}, "turns": turns}
    collected = posted(web, "/api/v1/service/conversations", talk, shop.key)["collected"]
    assert collected["callback_phone"] == "+33612345678", collected
    deliver(mailer, [Kind.CLIENT_WEBHOOK])
    assert len(receiver.received) == 1  # the Client got the collected fields
    erase = {"type": "erasure", "customer": {"id": "HF-88213"}}
    assert posted(web, "/api/v1/service/requests", erase, shop.key)["status"] == "completed"


def opened_blobs(pledge: Pledge) -> Iterable[str]:
    """Whatever the system key (or a surviving person's key) still opens, as text."""
    with pledge.sessions() as session:
        for row in session.scalars(select(Delivery).where(Delivery.payload.is_not(None))):
            try:
                yield str(read_payload(pledge.keys, row, session))
            except Shredded:
                continue
        for ask in session.scalars(select(RightsRequest)):
            if ask.email_ciphertext is not None:
                yield str(
                    pledge.keys.decrypt_system(ask.email_ciphertext, f"rights-email:{ask.id}")
                )
            if ask.private_ciphertext is not None:
                yield str(
                    pledge.keys.decrypt_system(ask.private_ciphertext, f"rights-private:{ask.id}")
                )


def test_after_an_erasure_nothing_the_person_gave_remains_anywhere(
    mailer: Pledge,
    smtp: SmtpServer,
    web: TestClient,
    system_key: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    receiver: Receiver,
) -> None:
    caplog.set_level(logging.DEBUG)
    live_through_everything(mailer, smtp, web, system_key, receiver)
    assert len(smtp.received) >= 6  # codes, acknowledgements, answers, the marketing mail
    raw = _database_bytes(mailer, tmp_path)
    assert b"rights_requests" in raw  # the dump is real
    assert b"recipient_index" in raw
    absent(raw, "database")
    for blob in opened_blobs(mailer):
        absent(blob, "a payload the keys still open")
    listing = run(mailer.settings, "outbox", "list")
    assert listing.returncode == 0, listing.stderr
    assert len(listing.stdout.splitlines()) >= 6
    absent(listing.stdout, "pledge outbox list")
    assert "(purged)" in listing.stdout
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # the test server's
    absent("\n".join(r.getMessage() for r in ours), "Pledge's log")


def test_a_request_still_open_at_the_erasure_forgets_the_person_once_answered(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    subject = {"email": EMAIL, "phone": PHONE, "name": NAME, "country": "FR"}
    record = {
        "subject": subject,
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "web_form:contact_us",
        "data": {"name": NAME, "email": EMAIL},
    }
    posted(web, "/api/v1/records", record, system_key)
    waiting = posted(
        web,
        "/api/v1/requests",
        {"email": EMAIL, "country": "FR", "type": "access", "details": DETAILS},
    )
    first_code = code_for(mailer, smtp)
    request(mailer, smtp, web, type="erasure", match={"phone": PHONE})
    with mailer.sessions() as session:
        open_row = session.get(RightsRequest, waiting["id"])
        assert open_row is not None
        assert open_row.email_ciphertext is not None  # it still owes the person an answer
    answered = confirm(web, waiting, first_code)
    assert answered["status"] == "completed", answered
    deliver_outbox(mailer)
    with mailer.sessions() as session:
        closed = session.get(RightsRequest, waiting["id"])
        assert closed is not None
        assert (closed.email_ciphertext, closed.private_ciphertext, closed.email_index) == (
            None,
            None,
            None,
        )
    for blob in opened_blobs(mailer):
        absent(blob, "a payload the keys still open")
