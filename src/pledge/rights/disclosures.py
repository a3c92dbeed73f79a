"""The disclosure log: every transfer of a subject's data to a third party, as it happens.

Why a log and not the policy: the policy says who *may* receive each category;
a person asking "with whom did you share my data" is owed who actually did,
and when. Every transfer writes one row here (``POST /api/v1/disclosures``),
checked against the policy first so the log can only say what the policy
allows. The rows hold the pseudonymous subject id and policy ids, never
personal data, so they outlive the person's erasure without identifying them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import Disclosure
from pledge.errors import ValidationFailed
from pledge.policy import Policy
from pledge.records.service import find_subject_id
from pledge.restrictions import restrictions_for
from pledge.rights.lifecycle import now_or
from pledge.rights.views import DisclosureLogged


class DisclosureSubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)


class DisclosureIn(BaseModel):
    """A transfer to report, as ``POST /api/v1/disclosures`` takes it."""

    model_config = ConfigDict(extra="forbid")

    subject: DisclosureSubjectIn
    recipient: str = Field(min_length=1, max_length=64)
    """A policy recipient id."""
    categories: list[str] = Field(min_length=1, max_length=50)
    """Policy category ids shared; each must be one the recipient receives."""
    purpose: str = Field(min_length=1, max_length=64)


@dataclass(frozen=True)
class Logged:
    """One logged transfer, as the disclosures answer and the package show it."""

    recipient: str
    categories: tuple[str, ...]
    purpose: str
    at: datetime


def check(policy: Policy, body: DisclosureIn) -> dict[str, str]:
    """Problems with a transfer per the policy, by field; empty when it is allowed."""
    problems: dict[str, str] = {}
    recipient = policy.recipient(body.recipient)
    if recipient is None:
        problems["recipient"] = "not a recipient declared in the policy"
    for position, category in enumerate(body.categories):
        if policy.category(category) is None:
            problems[f"categories[{position}]"] = "not a category declared in the policy"
        elif recipient is not None and category not in recipient.categories:
            problems[f"categories[{position}]"] = "the policy does not give it to this recipient"
    if policy.purpose(body.purpose) is None:
        problems["purpose"] = "not a purpose declared in the policy"
    elif recipient is not None and recipient.purposes and body.purpose not in recipient.purposes:
        problems["purpose"] = "the policy does not give data to this recipient for it"
    return problems


def record_disclosure(
    pledge: Pledge, body: DisclosureIn, *, actor: str, now: datetime | None = None
) -> DisclosureLogged:
    """Log one transfer with its audit entry; 422 naming the field the policy does not allow.

    The answer lists the subject's active restrictions, so a caller that
    transferred data it should not have learns so at once; the log still
    records the transfer, since a log that refuses facts would hide them.
    """
    now = now_or(now)
    problems = check(pledge.policy, body)
    if problems:
        raise ValidationFailed("the policy does not allow this disclosure", fields=problems)
    with pledge.transaction() as session:
        subject_id = find_subject_id(session, pledge.keys, body.subject.email)
        if subject_id is None:
            raise ValidationFailed(
                "no data is held about this subject", fields={"subject.email": "unknown subject"}
            )
        row = Disclosure(
            id=new_id(),
            subject_id=subject_id,
            recipient_id=body.recipient,
            categories=sorted(set(body.categories)),
            purpose=body.purpose,
            at=now,
            actor=actor,
        )
        session.add(row)
        audit.append(
            session,
            action="disclosures.recorded",
            actor=actor,
            object_type="disclosure",
            object_id=row.id,
            subject_id=subject_id,
            details={"recipient": row.recipient_id, "categories": row.categories},
        )
        restrictions = restrictions_for(session, subject_id)
    return DisclosureLogged(
        id=row.id,
        subject_id=subject_id,
        recipient=row.recipient_id,
        categories=row.categories,
        purpose=row.purpose,
        at=now,
        restrictions=restrictions,
    )


def logged_for(
    session: Session, subject_id: str | None, *, since: datetime | None = None
) -> list[Logged]:
    """The subject's logged transfers, oldest first (California: since ``since``).

    A disclosure to an authority that forbade telling the person
    (``withheld_until`` still ahead) is left out until the day it allows it.
    """
    if subject_id is None:
        return []
    visible = or_(Disclosure.withheld_until.is_(None), Disclosure.withheld_until <= utcnow())
    query = select(Disclosure).where(Disclosure.subject_id == subject_id, visible)
    if since is not None:
        query = query.where(Disclosure.at >= since)
    rows: Sequence[Disclosure] = session.scalars(query.order_by(Disclosure.at)).all()
    return [
        Logged(
            recipient=row.recipient_id,
            categories=tuple(row.categories),
            purpose=row.purpose,
            at=row.at,
        )
        for row in rows
    ]


__all__ = ["DisclosureIn", "Logged", "check", "logged_for", "record_disclosure"]
