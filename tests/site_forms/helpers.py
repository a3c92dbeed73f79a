"""Building site-form submissions for the tests: tokens old enough, files of each kind."""

from __future__ import annotations

import io
import re
import time
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import ConsentEvent, Delivery, Record, Subject
from pledge.jobs import deliver_outbox
from pledge.site_forms.spam import issue_token
from tests.integration.smtp_server import SmtpServer

MARKER = b"RESUME-MARKER-7f3a9c-Ada-Lovelace-experience"


def token(pledge: Pledge, form_id: str, *, age: float = 10) -> str:
    return issue_token(pledge, form_id, now=time.time() - age)


def contact(pledge: Pledge, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "form_token": token(pledge, "contact"),
        "name": "Ada Example",
        "email": "ada@example.org",
        "country": "DE",
        "inquiry": "Please send me your prices.",
        "birth_year": "1990",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def careers(pledge: Pledge, **changes: Any) -> dict[str, Any]:
    body = {
        "form_token": token(pledge, "careers"),
        "name": "Ada Example",
        "email": "ada.applies@example.org",
        "country": "FR",
    }
    body.update(changes)
    return body


def pdf(extra: bytes = MARKER) -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + extra + b"\n%%EOF\n"


def docx(extra: bytes = MARKER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", b"<w:document>" + extra + b"</w:document>")
    return buffer.getvalue()


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def counts(pledge: Pledge) -> dict[str, int]:
    """How many subjects, records, consent events and queued mails the database holds."""
    with pledge.sessions() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("subjects", Subject),
                ("records", Record),
                ("consents", ConsentEvent),
                ("mails", Delivery),
            )
        }


NOTHING = {"subjects": 0, "records": 0, "consents": 0, "mails": 0}


def confirmation_link(pledge: Pledge, smtp: SmtpServer, email: str) -> str:
    """The path of the confirmation link in the last mail to ``email`` (sent now)."""
    deliver_outbox(pledge)
    mails = smtp.messages_to(email)
    assert mails, f"no mail to {email}"
    found = re.search(r"https?://[^/\s]+(/forms/confirm/\S+)", mails[-1].body)
    assert found, mails[-1].body
    return found.group(1)


def follow_link(client: TestClient, pledge: Pledge, smtp: SmtpServer, email: str) -> str:
    """Open the mailed link and press its button, as the person does; returns the path."""
    path = confirmation_link(pledge, smtp, email)
    assert client.get(path).status_code == 200
    pressed = client.post(path)
    assert pressed.status_code == 200, pressed.text
    return path
