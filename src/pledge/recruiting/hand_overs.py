"""An application leaves Pledge: to the background-check processor, or into the employee record.

Both go through the connected system the file declares for them
(:mod:`pledge.connectors.hand_over`); only the columns it declares are written.

- **Background check**: allowed only where the policy gives the application's
  category to that system's recipient for ``background_checks``, and not for a
  person who objected to background checks or restricted processing. Once the
  row is written it is logged in the disclosure log (recipient, category,
  purpose), so the person's access package and a ``disclosures`` request show it.
- **Hire**: the application is written into the employee-record system, then
  every application of the person is deleted here, in one transaction with its
  audit entry. When nothing else of theirs is held (no other record, no open
  request, no consent in force), their key is destroyed too (crypto-shredding:
  identities and anything else under the key become unreadable) and mail to
  them is purged, as an erasure does. A person under a legal hold is not hired
  through Pledge: the hold forbids deleting their data.

A hand-over that the system already holds (same application id) writes
nothing; a background check is then logged only if it never was, so a retry
after a failure between the two steps logs it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.connectors.hand_over import HandedOver, hand_over, receiver
from pledge.connectors.registry import systems_of
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import ConsentState, Disclosure, Identity, Record, RightsRequest
from pledge.errors import Conflict
from pledge.mail import forget_mail
from pledge.records.shredding import destroy_subject_key
from pledge.recruiting.applications import CATEGORY, CHECKS, Application, one_application
from pledge.restrictions import RestrictionKind, objection, restrictions_for
from pledge.rights.disclosures import DisclosureIn, check
from pledge.rights.holds import holds_on
from pledge.rights.states import LOCKED

BACKGROUND_CHECK = "background_check"
EMPLOYEE_RECORD = "employee_record"


class NotAllowed(Conflict):
    """409: the person's limits or a legal hold forbid the action."""

    code = "not_allowed"


@dataclass(frozen=True)
class Hired:
    handed: HandedOver
    records_deleted: int
    key_destroyed: bool


def _application(pledge: Pledge, record_id: str) -> Application:
    with pledge.sessions() as session:
        return one_application(session, pledge.keys, record_id)


def background_check(pledge: Pledge, record_id: str, *, actor: str) -> HandedOver:
    """Send the application to the background-check processor and log the disclosure."""
    systems = systems_of(pledge)
    _, _, recipient = receiver(systems, BACKGROUND_CHECK)
    application = _application(pledge, record_id)
    body = DisclosureIn.model_validate(
        {
            "subject": {"email": application.email or "unknown@invalid"},
            "recipient": recipient or "",
            "categories": [CATEGORY],
            "purpose": CHECKS,
        }
    )
    if check(pledge.policy, body):
        raise NotAllowed(
            "the policy does not give applications to this system for background checks"
        )
    with pledge.sessions() as session:
        kinds = set(restrictions_for(session, application.subject_id))
    if RestrictionKind.STORAGE_ONLY in kinds or objection(CHECKS) in kinds:
        raise NotAllowed("the person restricted processing or objected to background checks")
    handed = hand_over(systems, BACKGROUND_CHECK, application.id, application.data)
    with pledge.transaction() as session:
        logged = session.scalar(
            select(Disclosure.id).where(
                Disclosure.subject_id == application.subject_id,
                Disclosure.recipient_id == body.recipient,
                Disclosure.purpose == CHECKS,
            )
        )
        if handed.written or logged is None:
            row = Disclosure(
                id=new_id(),
                subject_id=application.subject_id,
                recipient_id=body.recipient,
                categories=[CATEGORY],
                purpose=CHECKS,
                at=utcnow(),
                actor=actor,
            )
            session.add(row)
            audit.append(
                session,
                action="disclosures.recorded",
                actor=actor,
                object_type="disclosure",
                object_id=row.id,
                subject_id=application.subject_id,
                details={"recipient": row.recipient_id, "categories": row.categories},
            )
        audit.append(
            session,
            action="recruiting.background_check",
            actor=actor,
            object_type="record",
            object_id=application.id,
            subject_id=application.subject_id,
            details={"system": handed.system_id, "written": handed.written},
        )
    return handed


def _keeps_something(session: Session, subject_id: str) -> bool:
    """Whether the person has anything Pledge must still hold once the applications go."""
    other = exists().where(Record.subject_id == subject_id, Record.category != CATEGORY)
    pending = (RightsRequest.closed_at.is_(None), RightsRequest.status != LOCKED)
    emails = select(Identity.blind_index).where(
        Identity.subject_id == subject_id, Identity.kind == "email"
    )
    request = exists().where(
        *pending,
        or_(RightsRequest.subject_id == subject_id, RightsRequest.email_index.in_(emails)),
    )
    consent = exists().where(ConsentState.subject_id == subject_id, ConsentState.granted.is_(True))
    return bool(session.scalar(select(or_(other, request, consent))))


def hire(pledge: Pledge, record_id: str, *, actor: str) -> Hired:
    """Write the application into the employee record, then delete the applicant here."""
    systems = systems_of(pledge)
    receiver(systems, EMPLOYEE_RECORD)  # SystemMisdeclared before anything is read
    application = _application(pledge, record_id)
    subject_id = application.subject_id
    with pledge.sessions() as session:
        if holds_on(session, subject_id=subject_id, email_index=None):
            raise NotAllowed("a legal hold covers this person: their data may not be deleted")
        if RestrictionKind.STORAGE_ONLY in restrictions_for(session, subject_id):
            raise NotAllowed("the person restricted processing: their data may only be stored")
    handed = hand_over(systems, EMPLOYEE_RECORD, application.id, application.data)
    with pledge.transaction() as session:
        shred = not _keeps_something(session, subject_id)
        gone = session.execute(
            delete(Record)
            .where(Record.subject_id == subject_id, Record.category == CATEGORY)
            .returning(Record.id)
            .execution_options(synchronize_session=False)
        ).all()
        audit.append(
            session,
            action="recruiting.hired",
            actor=actor,
            object_type="record",
            object_id=application.id,
            subject_id=subject_id,
            details={
                "system": handed.system_id,
                "written": handed.written,
                "records_deleted": len(gone),
                "key_destroyed": shred,
            },
        )
        if shred:
            forget_mail(session, pledge.keys, subject_id=subject_id, email_index=None)
            destroy_subject_key(session, subject_id, actor=actor, reason="hired")
    return Hired(handed=handed, records_deleted=len(gone), key_destroyed=shred)


__all__ = ["BACKGROUND_CHECK", "EMPLOYEE_RECORD", "Hired", "NotAllowed", "background_check", "hire"]
