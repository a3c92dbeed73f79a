"""Lifting a restriction: the person is told first, and the restriction goes once they are.

Art. 18(3) GDPR: a person who obtained a restriction "shall be informed by the
controller before the restriction of processing is lifted". Queuing the mail
in the transaction that lifts the restriction told them *after* (seconds
later, or an hour later if the mail server was down), so lifting is two steps:

1. :func:`lift` (staff) queues the mail, notes ``lift_notice_sent`` on the
   timeline and leaves the restriction in force (``result.lift_pending``).
2. :func:`record_mail_outcome`, the mail channel's callback, runs in the
   transaction that records the delivery: once the person's mail server has
   accepted the mail it ends the restriction, tells the recipients who were
   told it began, and notes ``restriction_lifted``. If the mail cannot be
   delivered at all, the restriction stays and ``lift_notice_failed`` says so;
   staff may try again.

Without ``PLEDGE_SMTP_URL`` the mail waits in the outbox, and so does the lift:
no one can be told, so nothing is lifted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.models import Delivery, RecipientNotice, RightsRequest, SubjectRestriction
from pledge.delivery import Finished, Status
from pledge.errors import Conflict
from pledge.i18n import N_
from pledge.restrictions import RestrictionKind
from pledge.rights import mails
from pledge.rights.actions.common import add_notices
from pledge.rights.lifecycle import (
    add_event,
    language_of,
    load,
    mail_person,
    now_or,
    person_email,
)
from pledge.rights.service import describe
from pledge.rights.states import COMPLETED
from pledge.rights.views import RequestView

__all__ = ["LIFT_TEMPLATE", "lift", "lift_state", "record_mail_outcome"]

LIFT_TEMPLATE = "rights_restriction_lifted"
"""The template of the mail whose delivery lifts the restriction."""


def _active(session: Session, row: RightsRequest) -> Sequence[SubjectRestriction]:
    return session.scalars(
        select(SubjectRestriction).where(
            SubjectRestriction.request_id == row.id,
            SubjectRestriction.kind == RestrictionKind.STORAGE_ONLY.value,
            SubjectRestriction.lifted_at.is_(None),
        )
    ).all()


def lift_state(result: dict[str, Any]) -> str:
    """``lifted``, ``pending`` (the person's mail is on its way) or ``in_force``."""
    if result.get("lifted_at"):
        return "lifted"
    if result.get("lift_pending"):
        return "pending"
    return "in_force"


def lift(
    pledge: Pledge,
    request_id: str,
    *,
    actor: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> RequestView:
    """Tell the person the restriction they obtained is being lifted; it goes once they are.

    409 for a request that put no restriction in force, for one whose mail is
    already on its way, and when the person can no longer be written to (their
    address wiped): then the restriction stays.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, request_id, lock=True)
        if row.type != "restriction" or row.status != COMPLETED:
            raise Conflict("only a completed restriction request can be lifted")
        if not _active(session, row):
            raise Conflict("this request has no restriction in force")
        if lift_state(row.result or {}) == "pending":
            raise Conflict("the person is being told; the restriction goes once the mail is sent")
        if person_email(pledge, row) is None:
            raise Conflict("the person can no longer be told, so the restriction stays")
        mail = mail_person(
            session,
            pledge,
            row,
            mails.lift_mail(pledge.policy, language_of(pledge, row), reason, row.country),
            LIFT_TEMPLATE,
        )
        assert mail is not None  # the address was just read
        result = {k: v for k, v in (row.result or {}).items() if k != "lift_notice_failed"}
        row.result = {**result, "lift_pending": True, "lift_notice": mail.id}
        add_event(
            session,
            row,
            "lift_notice_sent",
            actor=actor,
            at=now,
            note="The person is being told the restriction will be lifted"
            + (f" ({reason})" if reason else "")
            + "; it stays in force until their mail is delivered.",
        )
        return describe(session, row)


def _request_of(session: Session, finished: Finished) -> RightsRequest | None:
    """The restriction request whose lift notice this delivery is, locked."""
    subject_id = session.scalar(select(Delivery.subject_id).where(Delivery.id == finished.id))
    if subject_id is None:
        return None
    rows = session.scalars(
        select(RightsRequest)
        .where(
            RightsRequest.subject_id == subject_id,
            RightsRequest.type == "restriction",
            RightsRequest.status == COMPLETED,
        )
        .with_for_update()
    ).all()
    return next((r for r in rows if (r.result or {}).get("lift_notice") == finished.id), None)


def record_mail_outcome(pledge: Pledge, session: Session, finished: Finished) -> None:
    """The mail channel's callback: a delivered lift notice lifts; a dead one keeps it in force."""
    if finished.template != LIFT_TEMPLATE or finished.status == Status.PENDING:
        return
    row = _request_of(session, finished)
    if row is None:
        return
    result = dict(row.result or {})
    result.pop("lift_pending", None)
    if finished.status != Status.SENT:
        row.result = {**result, "lift_notice_failed": True}
        add_event(
            session,
            row,
            "lift_notice_failed",
            actor="system",
            at=finished.at,
            note="The mail telling the person could not be delivered, so the restriction stays.",
        )
        return
    active = _active(session, row)
    if not active:
        row.result = result
        return
    _lift_rows(session, pledge, row, active, finished.at)
    add_event(
        session,
        row,
        "restriction_lifted",
        actor="system",
        at=finished.at,
        note=N_("Restriction lifted: the person's mail was delivered."),
    )


def _lift_rows(
    session: Session,
    pledge: Pledge,
    row: RightsRequest,
    active: Sequence[SubjectRestriction],
    now: datetime,
) -> None:
    """End the restriction and tell the recipients who were told it began."""
    for restriction in active:
        restriction.lifted_at = now
    told = session.scalars(
        select(RecipientNotice.recipient_id)
        .where(RecipientNotice.request_id == row.id, RecipientNotice.action == "restriction")
        .distinct()
    )
    categories = set((row.result or {}).get("categories") or [])
    add_notices(session, pledge, row.id, sorted(set(told)), "restriction_lifted", categories, now)
    result = {k: v for k, v in (row.result or {}).items() if k != "lift_pending"}
    row.result = {**result, "lifted_at": now.isoformat()}
