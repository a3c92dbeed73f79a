"""Reports that a child under the policy's minimum age gave us data, and staff erasing it.

Why not a request through the child's code: the person who reports (a parent,
a teacher) is not the child and may not read the child's mailbox, and a child
should not have to prove anything to have data removed that should never have
been collected. So a report is a case for staff, kept as a ``rights_requests``
row of type ``erasure`` with scope :data:`CHILD_REPORT`:

- intake records it straight as ``awaiting_review`` (no code is sent; the
  reporter is mailed a receipt with the due date of the jurisdiction's
  erasure right), so it shows in the console queue with the open requests;
- staff check it by their own means, then either deny it (the reporter is
  mailed the reason) or :func:`erase_child_data`, which needs
  ``children.erase``: the erasure action runs on the subject found under the
  identifier given, the reason is kept on the timeline and in the audit chain,
  the reporter is told whether anything was found, and the report's own
  encrypted details are wiped.

Approving it as an ordinary review is refused: that would run the reporter's
request through fulfilment, which verifies nobody.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.base import new_id
from pledge.db.models import Identity, RightsRequest
from pledge.errors import Conflict, ValidationFailed
from pledge.i18n import SOURCE, supported_code
from pledge.rights import deadlines, mails
from pledge.rights.actions.common import Context
from pledge.rights.actions.erase import erasure
from pledge.rights.identity import new_token, token_hash
from pledge.rights.lifecycle import (
    add_event,
    close,
    language_of,
    load,
    mail_person,
    now_or,
    private_data,
    resolve_right,
)
from pledge.rights.service import describe
from pledge.rights.states import AWAITING_REVIEW, CHILD_REPORT, COMPLETED
from pledge.rights.views import RequestView

__all__ = [
    "CHILD_REPORT",
    "RELATIONS",
    "ChildReportIn",
    "ChildSummary",
    "child_summary",
    "erase_child_data",
    "submit_child_report",
]

RELATIONS = ("parent", "guardian", "teacher", "other")
"""How the reporter knows the child (the form's choices)."""

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


class ChildReportIn(BaseModel):
    """A report that a child under the minimum age gave us data."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    """The reporter's address: the receipt and the outcome go there."""
    child_email: str | None = Field(default=None, max_length=320, pattern=EMAIL_PATTERN)
    child_phone: str | None = Field(default=None, max_length=40)
    relation: Literal["parent", "guardian", "teacher", "other"]
    details: str | None = Field(default=None, max_length=10_000)
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")
    region: str | None = Field(default=None, max_length=8)
    language: str | None = Field(default=None, max_length=35)

    @field_validator("country", "region")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else None

    @field_validator("child_email", "child_phone", "details")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _one_identifier(self) -> ChildReportIn:
        if self.child_email is None and self.child_phone is None:
            raise ValueError("give the child's e-mail address or phone number")
        return self


@dataclass(frozen=True)
class ChildSummary:
    """What staff see of a report: the identifiers to check, the relation, the words given."""

    email: str | None
    phone: str | None
    relation: str
    people_held: int = 0
    """How many people the store holds under those identifiers: more than one (a shared
    household phone, or an e-mail and a phone of different people) cannot be erased here."""


def submit_child_report(
    pledge: Pledge, body: ChildReportIn, *, now: datetime | None = None
) -> RightsRequest:
    """Record the report for staff and mail the reporter a receipt; nothing is erased yet."""
    now = now_or(now)
    policy = pledge.policy
    jurisdiction = policy.jurisdiction_for(body.country, body.region)
    right, voluntary = resolve_right(policy, jurisdiction, "erasure")
    if body.child_phone is not None:
        try:
            pledge.keys.blind_index("phone", body.child_phone, body.country)
        except ValidationFailed:
            raise ValidationFailed(
                "child_phone is not a phone number", fields={"child_phone": "not a phone number"}
            ) from None
    row = RightsRequest(
        id=new_id(),
        type="erasure",
        status=AWAITING_REVIEW,
        scope=CHILD_REPORT,
        method="web",
        jurisdiction=jurisdiction.id,
        country=body.country,
        region=body.region,
        voluntary=voluntary,
        email_index=None,  # the reporter is not the subject: nothing links them to the child
        by_agent=False,
        codes_sent=0,
        failed_attempts=0,
        copies_served=0,
        received_at=now,
        due_at=deadlines.due_date(right, now),
        acknowledge_by=deadlines.acknowledge_by(right, now),
        acknowledged_at=now,
        result={"report": CHILD_REPORT},
    )
    row.token_hash = token_hash(pledge.keys, row.id, new_token())  # never shown: no page
    row.email_ciphertext = pledge.keys.encrypt_system(body.email, f"rights-email:{row.id}")
    private = {
        "child": {"email": body.child_email, "phone": body.child_phone},
        "relation": body.relation,
        "details": body.details,
        "language": supported_code(body.language) or SOURCE,
    }
    row.private_ciphertext = pledge.keys.encrypt_system(private, f"rights-private:{row.id}")
    with pledge.transaction() as session:
        session.add(row)
        session.flush()
        add_event(
            session,
            row,
            "received",
            actor="public",
            at=now,
            note=f"A report that a child under {policy.minimum_age} gave us data; "
            "staff check it before erasing.",
            details={"method": "web", "jurisdiction": row.jurisdiction, "report": CHILD_REPORT},
        )
        receipt = mails.child_report_mail(policy, language_of(pledge, row), row.due_at)
        mail_person(session, pledge, row, receipt, "rights_child_report")
    return row


def child_summary(private: dict[str, Any]) -> ChildSummary | None:
    """The report's identifiers for staff, or None when the row is no report (or was wiped)."""
    child = private.get("child")
    if not isinstance(child, dict):
        return None
    return ChildSummary(
        email=child.get("email") or None,
        phone=child.get("phone") or None,
        relation=str(private.get("relation") or ""),
    )


def child_subjects(session: Session, pledge: Pledge, row: RightsRequest) -> set[str]:
    """Every subject held under the e-mail address or the phone number the report gives.

    All of them, not the first found: a phone may be a household's line, shared
    by an adult and a child, and erasing whichever row came first could erase
    the wrong person.
    """
    child = private_data(pledge, row).get("child") or {}
    wanted: list[tuple[str, str]] = []
    if child.get("email"):
        wanted.append(("email", pledge.keys.blind_index("email", child["email"])))
    if child.get("phone"):
        with suppress(ValidationFailed):  # checked at intake; a later policy may differ
            wanted.append(("phone", pledge.keys.blind_index("phone", child["phone"], row.country)))
    found: set[str] = set()
    for kind, index in wanted:
        found.update(
            str(subject)
            for subject in session.scalars(
                select(Identity.subject_id).where(
                    Identity.kind == kind, Identity.blind_index == index
                )
            )
        )
    return found


def erase_child_data(
    pledge: Pledge, request_id: str, *, actor: str, reason: str, now: datetime | None = None
) -> RequestView:
    """Erase what is held under the report's identifiers; tell the reporter; close the report.

    One transaction: the erasure, the timeline step with staff's reason, the
    audit entry and the reporter's mail commit together or not at all.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, request_id, lock=True)
        if row.scope != CHILD_REPORT or row.status != AWAITING_REVIEW:
            raise Conflict("only an open report about a child's data can be erased this way")
        subjects = child_subjects(session, pledge, row)
        if len(subjects) > 1:
            raise Conflict(
                "the report's details match more than one person we hold (a shared phone "
                "number, or an e-mail address and a phone number of different people): "
                "nothing was erased; check who the child is and erase their data by hand"
            )
        subject_id = next(iter(subjects), None)
        t = language_of(pledge, row)
        told = mails.child_report_closed_mail(pledge.policy, t)
        mail_person(session, pledge, row, told, "rights_child_report_closed")
        child = private_data(pledge, row).get("child") or {}
        add_event(
            session,
            row,
            "child_data_checked",
            actor=actor,
            at=now,
            note=f"Staff checked the report and erased the child's data: {reason}",
            details={"found": subject_id is not None},
        )
        row.subject_id = subject_id
        if child.get("email"):  # suppression and earlier requests follow the child's address
            row.email_index = pledge.keys.blind_index("email", child["email"])
        done = erasure(Context(session=session, pledge=pledge, row=row, now=now, actor=actor))
        row.result = {**(row.result or {}), **done.result}
        close(session, row, COMPLETED, actor=actor, at=now, outcome=done.outcome, reason=reason)
        row.email_ciphertext = None
        row.private_ciphertext = None
        row.email_index = None
        return describe(session, row)
