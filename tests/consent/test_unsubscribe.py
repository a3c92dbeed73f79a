"""Marketing mail through a real SMTP server, its one-click link, and the preference center."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.consent import filter_recipients, make_token, read_token
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Delivery
from pledge.errors import NotFound
from pledge.jobs import deliver_outbox
from pledge.records.service import find_subject_id
from tests.consent.conftest import give
from tests.delivery.conftest import make_due
from tests.integration.smtp_server import SmtpServer
from tests.web.conftest import auth

READER = "reader@example.com"


def send(client: TestClient, key: str, to: str = READER) -> int:
    body = {"to": to, "subject": "Our spring webinar", "body": "Join us on 12 May."}
    return client.post("/api/v1/marketing/send", json=body, headers=auth(key)).status_code


def test_one_click_link_from_a_delivered_mail_suppresses_the_address(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    give(mailer, READER, country="US", channel="post")  # known; US: allowed until opt-out
    assert send(client, system_key) == 202
    assert deliver_outbox(mailer).sent == 1
    (received,) = smtp.wait_for(1)
    message = received.message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(.+)>", str(message["List-Unsubscribe"]))
    assert link is not None
    url = link.group(1)
    assert READER not in url
    assert "reader" not in url
    assert url in received.body
    for line in mailer.policy.controller.postal_address.lines():
        assert line in received.body
    path = urlsplit(url).path
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "unsubscribed" in response.text
    assert filter_recipients(mailer, "email", [READER]).suppressed == [(READER, "opted_out")]
    assert filter_recipients(mailer, "post", [READER]).allowed == [READER]
    assert send(client, system_key) == 409


def test_a_suppressed_or_unknown_address_gets_no_mail(
    pledge: Pledge, client: TestClient, system_key: str
) -> None:
    give(pledge, "eu@example.fr", country="FR", channel="post")
    assert send(client, system_key, "eu@example.fr") == 409
    assert send(client, system_key, "stranger@example.org") == 409


def token_for(pledge: Pledge, email: str) -> str:
    give(pledge, email, country="US", channel="post")
    with pledge.sessions() as session:
        subject_id = find_subject_id(session, pledge.keys, email)
    assert subject_id is not None
    return make_token(pledge.keys, subject_id, "marketing", utcnow())


def test_preference_center_per_channel_and_everything(pledge: Pledge, client: TestClient) -> None:
    token = token_for(pledge, READER)
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    assert "Unsubscribe from everything" in page.text
    assert "Save my choices" in page.text
    assert page.text.count('class="choice"') == 2  # both actions look the same
    assert page.text.count("checked") == 3
    saved = client.post(
        f"/u/{token}/preferences", data={"receive": ["marketing:post", "marketing:phone"]}
    )
    assert saved.status_code == 200
    assert filter_recipients(pledge, "email", [READER]).suppressed == [(READER, "opted_out")]
    assert filter_recipients(pledge, "phone", [READER]).allowed == [READER]
    client.post(f"/u/{token}/everything")
    for channel in ("email", "post", "phone"):
        assert filter_recipients(pledge, channel, [READER]).allowed == []
    again = client.post(f"/u/{token}/preferences", data={"receive": ["marketing:email"]})
    assert again.status_code == 200
    assert filter_recipients(pledge, "email", [READER]).allowed == [READER]


def test_links_are_signed_and_last_at_least_thirty_days(pledge: Pledge) -> None:
    subject_id = "0b7e4c3a-3f7e-4d8e-9a51-0c2a7e5b9d11"
    old = make_token(pledge.keys, subject_id, "marketing", utcnow() - timedelta(days=31))
    target = read_token(pledge.keys, old, valid_days=pledge.settings.unsubscribe_link_days)
    assert target.subject_id == subject_id
    assert target.purpose == "marketing"
    with pytest.raises(NotFound):
        read_token(pledge.keys, old, valid_days=30)
    forged = old[:-1] + ("0" if old[-1] != "0" else "1")
    with pytest.raises(NotFound):
        read_token(pledge.keys, forged, valid_days=365)


def test_bad_links_answer_404_without_detail(client: TestClient) -> None:
    for token in ("nonsense", "a.b.c.d", "x" * 200):
        assert client.get(f"/u/{token}").status_code == 404
        assert client.post(f"/u/{token}").status_code == 404


def test_marketing_mail_still_queued_is_withdrawn_when_the_person_opts_out(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    """Mail queued while SMTP was down must not go out after the opt-out."""
    give(mailer, READER, country="US", channel="post")
    smtp.stop()
    assert send(client, system_key) == 202
    assert deliver_outbox(mailer).retried == 1  # SMTP down: still pending
    with mailer.sessions() as session:
        subject_id = find_subject_id(session, mailer.keys, READER)
    assert subject_id is not None
    token = make_token(mailer.keys, subject_id, "marketing", utcnow())
    assert client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    smtp.start()
    with mailer.sessions() as session:
        rows = session.execute(
            select(Delivery.status, Delivery.payload).where(Delivery.subject_id == subject_id)
        ).all()
    assert [(status, payload) for status, payload in rows] == [("cancelled", None)]
    make_due(mailer)
    assert deliver_outbox(mailer).sent == 0
    assert smtp.received == []


def test_the_footer_is_written_in_the_mails_language(
    mailer: Pledge, smtp: SmtpServer, client: TestClient, system_key: str
) -> None:
    give(mailer, READER, country="US", channel="post")
    body = {"to": READER, "subject": "Unser Webinar", "body": "Am 12. Mai.", "language": "de"}
    sent = client.post("/api/v1/marketing/send", json=body, headers=auth(system_key))
    assert sent.status_code == 202
    deliver_outbox(mailer)
    (received,) = smtp.wait_for(1)
    assert "Sie erhalten diese E-Mail für: " in received.body
    assert "Mit einem Klick abmelden oder auswählen, was Sie erhalten: http" in received.body
    bad = dict(body, language="de\r\nBcc: x")
    refused = client.post("/api/v1/marketing/send", json=bad, headers=auth(system_key))
    assert refused.status_code == 422
    assert "language" in refused.json()["error"]["fields"]
