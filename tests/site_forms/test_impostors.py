"""What a stranger can do with a public form and someone else's address: nothing to them.

Found by the security review of issue #17: a form added the typed phone to a
known person (who could then be impersonated with it), answered 409 for a
person who had restricted processing (telling a stranger so), and its token
could be replayed for a day. Each test would fail on that code.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import Delivery, Identity, Record, SubjectRestriction
from pledge.records.service import find_subject_id, records_for_email
from pledge.restrictions import RestrictionKind, objection
from tests.integration.smtp_server import SmtpServer
from tests.site_forms.helpers import (
    careers,
    confirmation_link,
    contact,
    counts,
    pdf,
    png,
    token,
)

VICTIM = "victim@example.org"


def _known(client: TestClient, pledge: Pledge) -> str:
    body = contact(pledge, email=VICTIM, form_token=token(pledge, "contact"))
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    with pledge.sessions() as session:
        found = find_subject_id(session, pledge.keys, VICTIM)
    assert found is not None
    return found


def _limit(pledge: Pledge, subject_id: str, kind: str) -> None:
    with pledge.transaction() as session:
        session.add(SubjectRestriction(subject_id=subject_id, kind=kind))


def _records(pledge: Pledge) -> int:
    with pledge.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def test_a_typed_phone_is_never_added_to_a_known_person(client: TestClient, pledge: Pledge) -> None:
    subject_id = _known(client, pledge)
    body = {
        "form_token": token(pledge, "demo_request"),
        "name": "Mallory",
        "email": VICTIM,
        "country": "DE",
        "phone": "+49 30 1234567",
        "company": "Evil Corp",
        "birth_year": "1980",
    }
    assert client.post("/api/v1/forms/demo_request", json=body).status_code == 201
    with pledge.sessions() as session:
        kinds = session.scalars(
            select(Identity.kind).where(Identity.subject_id == subject_id)
        ).all()
    assert sorted(kinds) == ["email"]


def test_a_restricted_person_gets_the_answer_anyone_gets_and_nothing_is_kept(
    client: TestClient, pledge: Pledge
) -> None:
    subject_id = _known(client, pledge)
    _limit(pledge, subject_id, RestrictionKind.STORAGE_ONLY)
    before = _records(pledge)
    body = contact(pledge, email=VICTIM, form_token=token(pledge, "contact"))
    answer = client.post("/api/v1/forms/contact", json=body)
    stranger = client.post(
        "/api/v1/forms/contact",
        json=contact(pledge, email="nobody.yet@example.org", form_token=token(pledge, "contact")),
    )
    assert (answer.status_code, answer.json()) == (stranger.status_code, stranger.json())
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert _records(pledge) == before + 1  # the stranger's record only


def test_a_token_lets_one_submission_through(client: TestClient, pledge: Pledge) -> None:
    body = contact(pledge)
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    replay = client.post("/api/v1/forms/contact", json={**body, "email": "two@example.org"})
    assert replay.status_code == 422
    assert "already sent" in replay.json()["error"]["fields"]["form_token"]
    assert counts(pledge)["records"] == 1


def test_a_refused_submission_keeps_its_token(client: TestClient, pledge: Pledge) -> None:
    body = contact(pledge, email="not-an-address")
    assert client.post("/api/v1/forms/contact", json=body).status_code == 422
    fixed = client.post("/api/v1/forms/contact", json={**body, "email": "ada@example.org"})
    assert fixed.status_code == 201, fixed.text


def test_the_network_is_counted_before_a_file_is_examined(
    client: TestClient, pledge: Pledge
) -> None:
    pledge.settings.intake_limit_per_ip = 2
    for _ in range(2):
        refused = client.post(
            "/api/v1/forms/careers",
            data=careers(pledge),
            files={"resume": ("cv.pdf", png(), "application/pdf")},
        )
        assert refused.status_code == 422
    third = client.post(
        "/api/v1/forms/careers",
        data=careers(pledge),
        files={"resume": ("cv.pdf", png(), "application/pdf")},
    )
    assert third.status_code == 429
    assert "Retry-After" in third.headers


def test_a_token_written_otherwise_is_still_the_same_spent_token(
    client: TestClient, pledge: Pledge
) -> None:
    body = contact(pledge)
    assert client.post("/api/v1/forms/contact", json=body).status_code == 201
    issued, nonce, mac = body["form_token"].split(".")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in issued)  # full-width digits
    for variant in (f"0{issued}.{nonce}.{mac}", f"{wide}.{nonce}.{mac}", "².x.y"):
        replay = client.post("/api/v1/forms/contact", json={**body, "form_token": variant})
        assert replay.status_code == 422, (variant, replay.text)
        assert set(replay.json()["error"]["fields"]) == {"form_token"}
    assert counts(pledge)["records"] == 1


def test_a_mail_carrying_a_link_is_not_kept_under_the_persons_key(
    client: TestClient, pledge: Pledge
) -> None:
    ticked = contact(pledge, marketing_opt_in=True)
    assert client.post("/api/v1/forms/contact", json=ticked).status_code == 201
    with pledge.sessions() as session:
        [mail] = session.scalars(select(Delivery)).all()
    assert mail.subject_id is None  # system key: purged once delivered


def test_claiming_another_country_for_a_known_person_waits_for_their_mailbox(
    client: TestClient, mailer: Pledge, smtp: SmtpServer
) -> None:
    """A stranger typing "US" for someone held in the EU must not pass them off as opted
    out of the GDPR's consent: the submission is held until the mailbox's owner confirms,
    and the answer is the one anyone sending the same gets."""
    known = "known.eu@example.org"
    first = contact(mailer, email=known, country="DE")
    assert client.post("/api/v1/forms/contact", json=first).status_code == 201
    before = [(r.purpose, r.legal_basis) for r in records_for_email(mailer, known)]
    letter = {
        "form_token": token(mailer, "newsletter"),
        "email": known,
        "country": "US",
        "birth_year": "1980",
    }
    answer = client.post("/api/v1/forms/newsletter", json=letter)
    stranger = dict(letter, email="unknown.us@example.org", form_token=token(mailer, "newsletter"))
    same = client.post("/api/v1/forms/newsletter", json=stranger)
    assert answer.status_code == same.status_code == 201
    assert answer.json() == same.json() | {"form": "newsletter"}
    assert [(r.purpose, r.legal_basis) for r in records_for_email(mailer, known)] == before
    path = confirmation_link(mailer, smtp, known)
    assert client.post(path).status_code == 200  # the person moved, and says so
    assert ("marketing", "notice") in [
        (r.purpose, r.legal_basis) for r in records_for_email(mailer, known)
    ]


def _apply(client: TestClient, pledge: Pledge, email: str) -> tuple[int, object]:
    answer = client.post(
        "/api/v1/forms/careers",
        data=careers(pledge, email=email, form_token=token(pledge, "careers")),
        files={"resume": ("cv.pdf", pdf(), "application/pdf")},
    )
    return answer.status_code, answer.json()


def _applications(pledge: Pledge, subject_id: str) -> int:
    with pledge.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Record)
                .where(Record.subject_id == subject_id, Record.category == "employment_application")
            )
            or 0
        )


def test_a_restricted_applicant_gets_the_answer_anyone_gets_and_no_resume_is_kept(
    client: TestClient, pledge: Pledge
) -> None:
    subject_id = _known(client, pledge)
    _limit(pledge, subject_id, RestrictionKind.STORAGE_ONLY)
    before = _records(pledge)
    answer = _apply(client, pledge, VICTIM)
    stranger = _apply(client, pledge, "applies.first@example.org")
    assert answer == stranger == (201, {"form": "careers", "status": "received"})
    assert _applications(pledge, subject_id) == 0
    assert _records(pledge) == before + 1  # the stranger's application only


def test_an_applicant_who_objected_gets_the_answer_anyone_gets(
    client: TestClient, pledge: Pledge
) -> None:
    """The recruiting purposes one may object to (future openings, background checks) rest on
    legitimate interests; the application itself rests on the contract sought, so it is kept:
    the objections are honoured where those purposes act (closing a position, a check)."""
    subject_id = _known(client, pledge)
    for purpose in ("career_opportunities", "background_checks"):
        _limit(pledge, subject_id, objection(purpose))
    answer = _apply(client, pledge, VICTIM)
    stranger = _apply(client, pledge, "applies.too@example.org")
    assert answer == stranger == (201, {"form": "careers", "status": "received"})
    assert _applications(pledge, subject_id) == 1


def test_an_accepted_submission_takes_as_long_whatever_is_held(
    client: TestClient, mailer: Pledge
) -> None:
    """Kept, held for a link because a known person claims another country, or new: each
    answer waits for the same floor, so timing does not tell what is held."""
    _known(client, mailer)
    mailer.settings.site_form_answer_seconds = 0.3
    cases = {
        "known, same country": contact(mailer, email=VICTIM, form_token=token(mailer, "contact")),
        "known, claims the US": contact(
            mailer, email=VICTIM, country="US", form_token=token(mailer, "contact")
        ),
        "unknown": contact(mailer, email="new@example.org", form_token=token(mailer, "contact")),
    }
    for case, body in cases.items():
        started = time.monotonic()
        answer = client.post("/api/v1/forms/contact", json=body)
        assert answer.status_code == 201, case
        assert time.monotonic() - started >= 0.3, case
    started = time.monotonic()
    page = client.post("/forms/contact", data=contact(mailer, email="page@example.org"))
    assert page.status_code == 201
    assert time.monotonic() - started >= 0.3
    refused = client.post("/api/v1/forms/contact", json=contact(mailer, email="nope"))
    assert refused.status_code == 422  # a refusal depends only on what was sent: no wait
