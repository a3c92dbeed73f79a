"""Which key seals a mail, how long it can be read, and what an erasure leaves of it.

Both databases, delivered through a real SMTP server; ``pledge outbox list`` in
a real process.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from pledge.core import Pledge
from pledge.db.models import Delivery
from pledge.delivery import PayloadKey, Shredded
from pledge.jobs import deliver_outbox
from pledge.mail import forget_mail, queue_mail, read_mail
from pledge.records import collect
from pledge.records.schemas import RecordIn
from pledge.records.shredding import destroy_subject_key
from tests.integration.smtp_server import SmtpServer
from tests.integration.test_cli import run

PERSON = "rosalind.featherstonehaugh@example.org"


def held_person(pledge: Pledge, email: str = PERSON) -> str:
    """A subject Pledge holds a record about; returns their id."""
    body = {
        "subject": {"email": email, "country": "FR"},
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "test",
        "data": {"name": "Rosalind", "email": email},
    }
    (out,) = collect(pledge, [RecordIn.model_validate(body)], actor="test")
    return out.subject_id


def mail(pledge: Pledge, subject_id: str | None = None, to: str = PERSON) -> str:
    with pledge.transaction() as session:
        message = queue_mail(
            session,
            pledge.keys,
            to=to,
            subject="About your data",
            body="Dear Rosalind",
            template="test",
            subject_id=subject_id,
        )
    return message.id


def row(pledge: Pledge, delivery_id: str) -> Delivery:
    with pledge.sessions() as session:
        found = session.get(Delivery, delivery_id)
    assert found is not None
    return found


def erase(pledge: Pledge, subject_id: str | None, email: str = PERSON) -> int:
    with pledge.transaction() as session:
        changed = forget_mail(
            session,
            pledge.keys,
            subject_id=subject_id,
            email_index=pledge.keys.blind_index("email", email),
        )
        if subject_id is not None:
            destroy_subject_key(session, subject_id, actor="test", reason="test")
    return changed


def listed(pledge: Pledge, delivery_id: str) -> str:
    result = run(pledge.settings, "outbox", "list")
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(delivery_id)]
    return line.split("  ")[-1]


def test_mail_about_a_held_person_is_sealed_with_their_key_and_kept_until_erasure(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    subject_id = held_person(mailer)
    message_id = mail(mailer, subject_id)
    stored = row(mailer, message_id)
    assert stored.payload_key == PayloadKey.SUBJECT
    assert stored.recipient_index == mailer.keys.blind_index("email", PERSON)
    with pytest.raises(ValueError, match="session"):
        read_mail(mailer.keys, stored)  # a person's key is looked up in a session
    deliver_outbox(mailer)
    assert smtp.wait_for(1)[0].rcpt_tos == [PERSON]
    sent = row(mailer, message_id)
    assert (sent.status, sent.payload is not None) == ("sent", True)
    with mailer.sessions() as session:
        assert read_mail(mailer.keys, sent, session).to == PERSON
    assert listed(mailer, message_id) == PERSON

    erase(mailer, subject_id)
    after = row(mailer, message_id)
    assert after.payload is None  # purged at the erasure, not only shredded
    assert listed(mailer, message_id) == "(purged)"


def test_shredding_alone_makes_a_persons_mail_unreadable(mailer: Pledge) -> None:
    """Even a copy erasure did not purge (a backup, a row restored) no longer opens."""
    subject_id = held_person(mailer)
    message_id = mail(mailer, subject_id)
    with mailer.transaction() as session:
        destroy_subject_key(session, subject_id, actor="test", reason="test")
    with mailer.sessions() as session:
        stored = session.get(Delivery, message_id)
        assert stored is not None
        with pytest.raises(Shredded):
            read_mail(mailer.keys, stored, session)
    assert listed(mailer, message_id) == "(erased)"
    deliver_outbox(mailer)  # the engine cannot open it either: it gives up at once
    dead = row(mailer, message_id)
    assert (dead.status, dead.last_error) == ("dead", "the person it was for has been erased")


def test_mail_to_someone_without_a_key_is_purged_once_delivered(
    mailer: Pledge, smtp: SmtpServer
) -> None:
    """A code mail before anything is held: the system key, then nothing but a hash."""
    message_id = mail(mailer)
    stored = row(mailer, message_id)
    assert stored.payload_key == PayloadKey.SYSTEM
    assert read_mail(mailer.keys, stored).to == PERSON
    assert listed(mailer, message_id) == PERSON  # queued: where it will go
    deliver_outbox(mailer)
    assert smtp.wait_for(1)[0].rcpt_tos == [PERSON]
    sent = row(mailer, message_id)
    assert (sent.status, sent.payload) == ("sent", None)
    assert sent.recipient_index == mailer.keys.blind_index("email", PERSON)
    assert listed(mailer, message_id) == "(purged)"


def test_an_erasure_lets_waiting_mail_go_then_purges_it(mailer: Pledge, smtp: SmtpServer) -> None:
    """Mail still owed to the person is sealed again with the system key, sent, then dropped."""
    subject_id = held_person(mailer)
    waiting = mail(mailer, subject_id)
    code_mail = mail(mailer)  # sent before anything was held: found by the hashed address
    other = mail(mailer, to="someone.else@example.org")
    smtp.stop()
    deliver_outbox(mailer)  # the server is down: everything waits
    smtp.start()
    assert erase(mailer, subject_id) == 1  # the code mail is sealed for purging already
    resealed = row(mailer, waiting)
    assert (resealed.status, resealed.payload_key) == ("pending", PayloadKey.SYSTEM)
    assert row(mailer, other).payload is not None  # another person's mail is untouched
    with mailer.transaction() as session:  # due again now, rather than after the back-off
        session.execute(update(Delivery).values(next_attempt_at=Delivery.created_at))
    deliver_outbox(mailer)
    received = {m.rcpt_tos[0] for m in smtp.wait_for(3)}
    assert received == {PERSON, "someone.else@example.org"}
    for delivery_id in (waiting, code_mail):
        sent = row(mailer, delivery_id)
        assert (sent.status, sent.payload) == ("sent", None)
