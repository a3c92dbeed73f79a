"""The privacy center's complaint form and its code page, over HTTP, on both databases.

Real app, real SMTP server: the code is read from the mail, as a person would.
Bad input gets its message beside its field (English and German) and writes
nothing; the code page keeps the API's rules (five wrong codes void the
complaint, an expired code is refused, a new one may be asked for).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Complaint, Delivery
from pledge.web.complaint_page import RESENDS_PER_HOUR
from tests.complaints.conftest import EMAIL, TEXT, complaint_code, mails_to
from tests.integration.smtp_server import SmtpServer

PATH = "/privacy-center/complaint"
GERMAN = {"Accept-Language": "de"}
TOKEN = re.compile(r'name="(?:form_token|csrf)" value="([^"]+)"')
ERROR = re.compile(r'<p class="field-error" id="([a-z_]+)-error">([^<]*)</p>')


def token_of(page: Any) -> str:
    found = TOKEN.search(page.text)
    assert found is not None, page.text
    return found.group(1)


def send(web: TestClient, headers: dict[str, str] | None = None, **fields: str) -> Any:
    form = web.get(PATH, params={"country": "FR"}, headers=headers)
    assert form.status_code == 200
    data = {"form_token": token_of(form), "email": EMAIL, "country": "FR", "text": TEXT}
    return web.post(PATH, data={**data, **fields}, headers=headers)


def stored(pledge: Pledge) -> tuple[int, int]:
    with pledge.sessions() as session:
        complaints = session.scalar(select(func.count()).select_from(Complaint)) or 0
        mails = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return int(complaints), int(mails)


def the_complaint(pledge: Pledge) -> Complaint:
    with pledge.sessions() as session:
        (row,) = session.scalars(select(Complaint)).all()
        session.expunge(row)
        return row


def enter(web: TestClient, complaint_id: str, code: str) -> Any:
    page = web.get(f"{PATH}/{complaint_id}")
    return web.post(f"{PATH}/{complaint_id}", data={"csrf": token_of(page), "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


def test_the_form_states_the_deadline_and_the_persons_own_authority(web: TestClient) -> None:
    center = web.get("/privacy-center", params={"country": "FR"})
    assert f'href="{PATH}?country=FR"' in center.text
    french = web.get(PATH, params={"country": "FR"})
    assert french.status_code == 200
    assert "we answer within 45 days" in french.text
    assert '<option value="FR" selected>France</option>' in french.text
    assert "CNIL" in french.text
    assert "https://www.cnil.fr" in french.text
    swiss = web.get(PATH, params={"country": "CH"}, headers=GERMAN)
    assert "Unsere Frist für die Antwort: 45 Tage." in swiss.text
    assert '<option value="CH" selected>Schweiz</option>' in swiss.text
    assert "Datenschutzbehörde des Landes" in swiss.text
    american = web.get(PATH, params={"country": "US"})
    assert "data protection authority of the country" not in american.text
    assert "Federal Trade Commission" not in american.text
    for name in ("email", "country", "text"):
        assert f'<label for="{name}">' in french.text


def test_each_error_is_beside_its_field_and_nothing_is_stored(
    mailer: Pledge, web: TestClient
) -> None:
    answer = send(web, email="nobody", country="QQ", text="   ")
    assert answer.status_code == 422
    errors = dict(ERROR.findall(answer.text))
    assert errors == {
        "email": "Enter your e-mail address, such as name@example.org.",
        "country": "Choose the country where you live.",
        "text": "Write your complaint here, in at most 10,000 characters.",
    }
    assert 'aria-describedby="email-error" aria-invalid="true"' in answer.text
    assert 'value="nobody"' in answer.text  # what was typed stays
    too_long = send(web, text="x" * 10_001)
    assert dict(ERROR.findall(too_long.text)) == {
        "text": "Write your complaint here, in at most 10,000 characters."
    }
    assert stored(mailer) == (0, 0)


def test_the_errors_in_german(mailer: Pledge, web: TestClient) -> None:
    answer = send(web, GERMAN, email="nobody", country="", text="")
    assert answer.status_code == 422
    assert '<html lang="de">' in answer.text
    assert dict(ERROR.findall(answer.text)) == {
        "email": "Geben Sie Ihre E-Mail-Adresse ein, etwa name@example.org.",
        "country": "Wählen Sie das Land, in dem Sie leben.",
        "text": "Schreiben Sie hier Ihre Beschwerde, mit höchstens 10.000 Zeichen.",
    }
    assert stored(mailer) == (0, 0)


def test_a_stale_or_replayed_form_is_told_and_records_nothing_more(
    mailer: Pledge, web: TestClient
) -> None:
    form = web.get(PATH, params={"country": "FR"})
    data = {"form_token": token_of(form), "email": EMAIL, "country": "FR", "text": TEXT}
    assert web.post(PATH, data=data).status_code == 200
    again = web.post(PATH, data=data)
    assert again.status_code == 409
    assert "already sent" in again.text
    forged = web.post(PATH, data={**data, "form_token": "1.abc"})
    assert forged.status_code == 409
    assert stored(mailer)[0] == 1


def test_the_code_from_the_mail_confirms_the_complaint(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    answer = send(web)
    assert answer.status_code == 200
    assert "We received your complaint" in answer.text
    assert 'autocomplete="one-time-code"' in answer.text
    row = the_complaint(mailer)
    assert row.verified_at is None
    body = mails_to(mailer, smtp)[-1]
    assert f"{mailer.settings.base_url.rstrip('/')}{PATH}/{row.id}" in body
    code = complaint_code(mailer, smtp)
    shape = enter(web, row.id, "12ab")
    assert shape.status_code == 400
    assert dict(ERROR.findall(shape.text)) == {
        "code": "Enter the 8 digits of the code from our e-mail."
    }
    assert the_complaint(mailer).failed_attempts == 0  # a code of the wrong shape is not counted
    bad = enter(web, row.id, wrong(code))
    assert bad.status_code == 400
    assert "This code is not correct." in bad.text
    done = enter(web, row.id, f"{code[:4]} {code[4:]}")
    assert done.status_code == 200
    assert "Your complaint is confirmed" in done.text
    assert the_complaint(mailer).verified_at is not None
    twice = enter(web, row.id, code)
    assert twice.status_code == 409
    assert "already confirmed" in twice.text


def test_five_wrong_codes_void_the_complaint(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    send(web, GERMAN)
    row = the_complaint(mailer)
    code = complaint_code(mailer, smtp)
    for _ in range(4):
        assert enter(web, row.id, wrong(code)).status_code == 400
    fifth = enter(web, row.id, wrong(code))
    assert fifth.status_code == 429
    assert "can no longer be confirmed" in fifth.text
    assert enter(web, row.id, code).status_code == 429
    assert the_complaint(mailer).verified_at is None
    page = web.get(f"{PATH}/{row.id}")
    resent = web.post(f"{PATH}/{row.id}/code", data={"csrf": token_of(page)})
    assert resent.status_code == 200
    assert len(mails_to(mailer, smtp)) == 1  # a void complaint gets no new code


def test_an_expired_code_is_refused_and_a_new_one_works(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    send(web)
    row = the_complaint(mailer)
    first = complaint_code(mailer, smtp)
    with mailer.transaction() as session:
        past = utcnow() - timedelta(minutes=1)
        session.execute(update(Complaint).values(code_expires_at=past))
    expired = enter(web, row.id, first)
    assert expired.status_code == 400
    assert "This code has expired." in expired.text
    page = web.get(f"{PATH}/{row.id}")
    resent = web.post(f"{PATH}/{row.id}/code", data={"csrf": token_of(page)})
    assert "we have mailed a new code" in resent.text
    second = complaint_code(mailer, smtp)
    assert len(mails_to(mailer, smtp)) == 2
    assert enter(web, row.id, second).status_code == 200
    assert the_complaint(mailer).verified_at is not None


def test_new_codes_are_limited_and_unknown_ids_look_the_same(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    send(web)
    row = the_complaint(mailer)
    page = web.get(f"{PATH}/{row.id}")
    for _ in range(RESENDS_PER_HOUR):
        assert web.post(f"{PATH}/{row.id}/code", data={"csrf": token_of(page)}).status_code == 200
    limited = web.post(f"{PATH}/{row.id}/code", data={"csrf": token_of(page)})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"]
    assert len(mails_to(mailer, smtp)) == 1 + RESENDS_PER_HOUR
    unknown = "00000000-0000-4000-8000-000000000000"
    stranger = web.get(f"{PATH}/{unknown}")
    assert stranger.status_code == 200
    assert 'name="code"' in stranger.text
    guessed = enter(web, unknown, "12345678")
    assert guessed.status_code == 400
    assert "This code is not correct." in guessed.text
    stale = web.post(f"{PATH}/{row.id}", data={"csrf": "1.nope", "code": "12345678"})
    assert stale.status_code == 400
    assert the_complaint(mailer).failed_attempts == 0
