"""What staff do with a complaint: take it up, answer it, escalate it; each step audited.

The answer is mailed to the person in the language they complained in and
kept, sealed, with the complaint. Escalation refers the complaint to the
policy's independent recourse body (``controller.dispute_resolution``) and
records that body's reference; the person is told both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from pledge import audit
from pledge.complaints import mails
from pledge.complaints.lookup import load, now_or
from pledge.complaints.queue import view_of
from pledge.complaints.schemas import ComplaintView
from pledge.complaints.sealing import language_of, mail_person, seal
from pledge.complaints.states import ANSWERED, ESCALATED, INVESTIGATING, check_move
from pledge.core import Pledge
from pledge.db.models import Complaint
from pledge.errors import Conflict, ValidationFailed

MAX_ANSWER = 20_000
MAX_REFERENCE = 100


def _confirmed(row: Complaint) -> None:
    if row.verified_at is None:
        raise Conflict("the complaint is not confirmed yet: its author has not entered the code")


def _audit(session: Session, row: Complaint, action: str, actor: str) -> None:
    audit.append(
        session,
        action=f"complaint.{action}",
        actor=actor,
        object_type="complaint",
        object_id=row.id,
        details={"state": row.state},
    )


def investigate(
    pledge: Pledge, complaint_id: str, *, actor: str, now: datetime | None = None
) -> ComplaintView:
    """Staff take the complaint up; the person's clock keeps running."""
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, complaint_id, lock=True)
        _confirmed(row)
        check_move(row.state, INVESTIGATING)
        row.state = INVESTIGATING
        _audit(session, row, "investigating", actor)
        return view_of(row, now)


def answer(
    pledge: Pledge, complaint_id: str, text: str, *, actor: str, now: datetime | None = None
) -> ComplaintView:
    """Mail staff's answer to the person (as typed, framed in their language) and close."""
    now = now_or(now)
    text = text.strip()
    if not text or len(text) > MAX_ANSWER:
        raise ValidationFailed("the answer is empty or too long", fields={"answer": "required"})
    with pledge.transaction() as session:
        row = load(session, complaint_id, lock=True)
        _confirmed(row)
        check_move(row.state, ANSWERED)
        row.state = ANSWERED
        row.closed_at = now
        row.answer_ciphertext = seal(pledge, row.id, "answer", text)
        mail = mails.answer_mail(
            pledge.policy, language_of(row), text, row.received_at, row.country
        )
        mail_person(session, pledge, row, mail, "complaint_answer")
        _audit(session, row, "answered", actor)
        return view_of(row, now)


def escalate(
    pledge: Pledge, complaint_id: str, reference: str, *, actor: str, now: datetime | None = None
) -> ComplaintView:
    """Refer the complaint to the independent recourse body under its reference; tell the person."""
    now = now_or(now)
    reference = reference.strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise ValidationFailed(
            "the recourse body's reference is required", fields={"reference": "required"}
        )
    provider = pledge.policy.controller.dispute_resolution.provider
    with pledge.transaction() as session:
        row = load(session, complaint_id, lock=True)
        _confirmed(row)
        check_move(row.state, ESCALATED)
        row.state = ESCALATED
        row.closed_at = now
        row.escalated_to = provider
        row.escalation_reference = reference
        mail = mails.escalation_mail(pledge.policy, language_of(row), reference, row.country)
        mail_person(session, pledge, row, mail, "complaint_escalated")
        _audit(session, row, "escalated", actor)
        return view_of(row, now)
