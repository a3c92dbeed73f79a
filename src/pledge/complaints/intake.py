"""Taking a complaint in: from the web (confirmed by a mailed code) or entered by staff.

A complaint from the web is written with a one-time code mailed to the address
it gives; until the code comes back it is unconfirmed, so no answer about a
person's data goes to a mailbox that did not ask. A complaint staff enter from
a letter or a call is confirmed by their entry and gets a receipt by mail. The
clock (the policy's ``complaints.deadline``, 45 days) runs from receipt either way.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.complaints import mails
from pledge.complaints.lookup import load, now_or
from pledge.complaints.schemas import ComplaintAccepted, ComplaintIn, ComplaintStatus
from pledge.complaints.sealing import language_of, mail_person, seal
from pledge.complaints.states import METHODS, RECEIVED
from pledge.core import Pledge
from pledge.db.base import new_id
from pledge.db.models import Complaint
from pledge.errors import BadRequest, Conflict, NotFound, TooManyRequests, ValidationFailed
from pledge.i18n import N_, SOURCE, supported_code
from pledge.policy.durations import add_duration, parse_iso_duration

CODE_LIFETIME = timedelta(minutes=30)
MAX_FAILED_CODES = 5
PAGE_PATH = "/privacy-center/complaint/{complaint_id}"
"""The privacy center's page where the person types the code (the code mail links to it)."""
LOCKED = N_("too many wrong codes: this complaint can no longer be confirmed by code")


def _code_hash(pledge: Pledge, complaint_id: str, code: str) -> str:
    return pledge.keys.sign(f"complaint-code:{complaint_id}:{code.strip()}")


def page_link(pledge: Pledge, complaint_id: str) -> str:
    """The address of the complaint's code page, on ``PLEDGE_BASE_URL``."""
    base = pledge.settings.base_url.rstrip("/")
    return base + PAGE_PATH.format(complaint_id=complaint_id)


def _code_mail(pledge: Pledge, row: Complaint, now: datetime) -> tuple[str, str]:
    """A fresh code for ``row`` (the old one stops working), and its mail."""
    code = f"{secrets.randbelow(10**8):08d}"
    row.code_hash = _code_hash(pledge, row.id, code)
    row.code_expires_at = now + CODE_LIFETIME
    link = page_link(pledge, row.id)
    return mails.code_mail(pledge.policy, language_of(row), code, row.due_at, link)


def submit(
    pledge: Pledge,
    body: ComplaintIn,
    *,
    method: str = "web",
    actor: str = "public",
    now: datetime | None = None,
) -> ComplaintAccepted:
    """Record a complaint and mail the person its code (web) or its receipt (post, phone)."""
    now = now_or(now)
    if method not in METHODS:
        raise ValidationFailed("unknown method", fields={"method": f"one of {METHODS}"})
    deadline = parse_iso_duration(pledge.policy.complaints.deadline)
    row = Complaint(
        id=new_id(),
        state=RECEIVED,
        method=method,
        country=body.country,
        language=supported_code(body.language) or SOURCE,
        email_index=pledge.keys.blind_index("email", body.email),
        failed_attempts=0,
        received_at=now,
        due_at=add_duration(now, deadline),
    )
    row.email_ciphertext = seal(pledge, row.id, "email", body.email)
    row.text_ciphertext = seal(pledge, row.id, "text", body.text)
    t = language_of(row)
    with pledge.transaction() as session:
        if method == "web":
            mail = _code_mail(pledge, row, now)
            template = "complaint_code"
        else:
            row.verified_at = now
            mail = mails.receipt_mail(pledge.policy, t, row.due_at)
            template = "complaint_receipt"
        session.add(row)
        mail_person(session, pledge, row, mail, template)
        audit.append(
            session,
            action="complaint.received",
            actor=actor,
            object_type="complaint",
            object_id=row.id,
            details={"method": method, "country": row.country},
        )
    return ComplaintAccepted(id=row.id, state=row.state, due_at=row.due_at)


def resend_code(pledge: Pledge, complaint_id: str, *, now: datetime | None = None) -> bool:
    """Mail a new code if the complaint still waits for one; True when a mail was queued.

    Nothing is sent for a complaint already confirmed or whose code was voided by
    wrong guesses (a new code does not undo that), and wrong guesses keep counting
    across codes. The caller answers the same either way and limits how often.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        try:
            row = load(session, complaint_id, lock=True)
        except NotFound:
            return False
        if row.verified_at is not None or row.code_hash is None:
            return False
        mail_person(session, pledge, row, _code_mail(pledge, row, now), "complaint_code")
        audit.append(
            session,
            action="complaint.code_sent",
            actor="public",
            object_type="complaint",
            object_id=row.id,
        )
    return True


@dataclass(frozen=True)
class _Outcome:
    status: ComplaintStatus | None = None
    error: Exception | None = None


def verify(
    pledge: Pledge, complaint_id: str, code: str, *, now: datetime | None = None
) -> ComplaintStatus:
    """Check the mailed code; a wrong one is counted (and committed) before the 400.

    After :data:`MAX_FAILED_CODES` wrong codes the code is void (429); an unknown
    id is a 404 like every other.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, complaint_id, lock=True)
        outcome = _check(session, pledge, row, code, now)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.status is not None
    return outcome.status


def _check(session: Session, pledge: Pledge, row: Complaint, code: str, now: datetime) -> _Outcome:
    if row.verified_at is not None:
        return _Outcome(error=Conflict(N_("this complaint is already confirmed")))
    if row.code_hash is None:
        return _Outcome(error=TooManyRequests(LOCKED))
    if row.code_expires_at is not None and now > row.code_expires_at:
        expired = N_("the code has expired; please send your complaint again")
        return _Outcome(error=BadRequest(expired, fields={"code": "expired"}))
    if not hmac.compare_digest(row.code_hash, _code_hash(pledge, row.id, code)):
        return _Outcome(error=_wrong(session, row))
    row.code_hash = None
    row.verified_at = now
    audit.append(
        session,
        action="complaint.verified",
        actor="complainant",
        object_type="complaint",
        object_id=row.id,
    )
    return _Outcome(status=status_of(row))


def _wrong(session: Session, row: Complaint) -> Exception:
    """Count one wrong code in one statement (parallel guesses cannot share a count)."""
    counted = session.execute(
        update(Complaint)
        .where(Complaint.id == row.id)
        .values(failed_attempts=Complaint.failed_attempts + 1)
        .returning(Complaint.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if int(counted) >= MAX_FAILED_CODES:
        row.code_hash = None
        return TooManyRequests(LOCKED)
    return BadRequest(N_("the code is not correct"), fields={"code": "not correct"})


def status_of(row: Complaint) -> ComplaintStatus:
    """What the person who complained may see: the state and the due day, nothing else."""
    return ComplaintStatus(
        id=row.id, state=row.state, verified=row.verified_at is not None, due_at=row.due_at
    )
