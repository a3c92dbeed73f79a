"""Mail to a person goes out in the language of their request, through a real SMTP server.

The language is taken at intake (the privacy center's page language, or the
API's ``language`` field, else its ``Accept-Language``) and kept with the
request, so every later mail (the code, the acknowledgement, the answer,
a staff extension) is in it, saying so in ``Content-Language``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from pledge import rights
from pledge.core import Pledge
from pledge.jobs import deliver_outbox
from tests.integration.smtp_server import Received, SmtpServer
from tests.rights.conftest import EMAIL, PHONE, ask, collect, confirm
from tests.web.conftest import auth

GERMAN_CODE = re.compile(r"Ihr Bestätigungscode lautet (\d{8})")
MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
GERMAN_DAY = re.compile(rf"spätestens am \d{{1,2}}\. ({MONTHS}) \d{{4}}")


def mails(pledge: Pledge, smtp: SmtpServer) -> list[Received]:
    deliver_outbox(pledge)
    return smtp.messages_to(EMAIL)


def by_subject(received: list[Received], subject: str) -> Received:
    found = [m for m in received if m.message["Subject"] == subject]
    assert found, f"no mail {subject!r} among {[m.message['Subject'] for m in received]}"
    return found[-1]


def german_code(received: list[Received]) -> str:
    match = GERMAN_CODE.search(by_subject(received, "Ihr Bestätigungscode").body)
    assert match is not None
    return match.group(1)


def test_a_request_made_on_the_german_page_is_answered_in_german(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key, country="DE")
    page = web.get("/privacy-center", params={"country": "DE"}, headers={"accept-language": "de"})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {
        "csrf": csrf.group(1),
        "country": "DE",
        "type": "access",
        "email": EMAIL,
        "phone": PHONE,
    }
    answer = web.post("/privacy-center", data=form, headers={"accept-language": "de"})
    assert answer.status_code == 200, answer.text
    assert "Wir haben Ihre Anfrage erhalten" in answer.text
    token = re.search(r":\s*<code>([^<]+)</code></p>", answer.text)  # after the API sentence
    request_id = re.search(r"Vorgangsnummer: <code>([^<]+)</code>", answer.text)
    assert token is not None
    assert request_id is not None
    received = mails(mailer, smtp)
    code_mail = by_subject(received, "Ihr Bestätigungscode")
    assert code_mail.message["Content-Language"] == "de"
    assert "Der Code ist 30 Minuten lang gültig." in code_mail.body
    assert "Datenschutzteam von Interactions" in code_mail.body
    ack = by_subject(
        received, "Wir haben Ihre Anfrage erhalten (Auskunft über Ihre personenbezogenen Daten)"
    )
    assert "So geht es weiter:" in ack.body
    assert GERMAN_DAY.search(ack.body), ack.body
    request = {"id": request_id.group(1), "token": token.group(1)}
    done = confirm(web, request, german_code(received))
    assert done["status"] == "completed"
    closing = by_subject(mails(mailer, smtp), "Ihre Anfrage ist erledigt")
    assert closing.message["Content-Language"] == "de"
    assert "Ihre Anfrage ist erledigt: Auskunft über Ihre personenbezogenen Daten." in closing.body
    # The readable package follows the reader's page language, not the request's.
    package = web.get(
        f"/api/v1/requests/{request['id']}/package",
        params={"format": "html"},
        headers={**auth(request["token"]), "accept-language": "de"},
    )
    assert '<html lang="de">' in package.text
    assert "Ihre personenbezogenen Daten bei Interactions, LLC" in package.text
    assert "2 Jahre ab der Erhebung." in package.text
    assert "Dies ist Ihre erste Kopie; sie ist kostenlos." in package.text


def test_the_api_takes_the_language_from_the_body_or_the_header(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    ask(web, language="de-AT")
    by_header = web.post(
        "/api/v1/requests",
        json={"type": "erasure", "email": EMAIL, "country": "AT"},
        headers={"accept-language": "de"},
    )
    assert by_header.status_code == 202
    received = mails(mailer, smtp)
    codes = [m for m in received if m.message["Subject"] == "Ihr Bestätigungscode"]
    assert len(codes) == 2
    assert all(m.message["Content-Language"] == "de" for m in codes)
    assert by_subject(
        received, "Wir haben Ihre Anfrage erhalten (Löschung Ihrer personenbezogenen Daten)"
    )


def test_a_denial_and_an_extension_by_staff_are_mailed_in_the_requests_language(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    request = ask(web, language="de")
    rights.extend(mailer, request["id"], "Viele Systeme sind zu durchsuchen.", actor="test")
    rights.deny(mailer, request["id"], "Offensichtlich unbegründet.", actor="test")
    received = mails(mailer, smtp)
    extension = by_subject(received, "Wir brauchen mehr Zeit für Ihre Anfrage")
    assert GERMAN_DAY.search(extension.body)
    assert "Grund: Viele Systeme sind zu durchsuchen." in extension.body  # staff words as typed
    denial = by_subject(received, "Ihre Anfrage konnte nicht ausgeführt werden")
    assert "Sie können sich bei einer Aufsichtsbehörde beschweren:" in denial.body


def test_a_reason_pledge_wrote_is_translated(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key, country="DE")
    request: dict[str, Any] = ask(web, type="erasure", country="DE", language="de")
    confirm(web, request, german_code(mails(mailer, smtp)))  # no second data point given
    denial = by_subject(mails(mailer, smtp), "Ihre Anfrage konnte nicht ausgeführt werden")
    assert "Grund: Wir konnten Ihre Identität für diese Anfrage nicht sicher genug" in denial.body


def test_english_stays_the_default_and_a_malformed_language_is_refused(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    ask(web, language="fr")  # a language Pledge does not have: English
    received = mails(mailer, smtp)
    code = by_subject(received, "Your verification code")
    assert code.message["Content-Language"] == "en"
    assert "Your verification code is" in code.body
    refused = web.post(
        "/api/v1/requests",
        json={"type": "access", "email": EMAIL, "country": "DE", "language": "de; drop"},
    )
    assert refused.status_code == 422
    assert "language" in refused.json()["error"]["fields"]


def test_an_agent_and_the_person_are_both_written_to_in_the_requests_language(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    agent = {"name": "Ada Agent", "email": "agent@agency.example", "permission": "x" * 40}
    ask(web, agent=agent, language="de")
    deliver_outbox(mailer)
    code = by_subject(smtp.messages_to(EMAIL), "Ihr Bestätigungscode")
    assert "Ein bevollmächtigter Vertreter hat diese Anfrage in Ihrem Namen gestellt." in code.body
    (to_agent,) = smtp.messages_to(agent["email"])
    assert to_agent.message["Content-Language"] == "de"
    assert "die von Ihnen vertretene Person" in to_agent.body
