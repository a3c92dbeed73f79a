"""Staff's half of the rights service: the queue, extensions, denials, approvals, reports.

Reused by the admin API today and by the staff console later; ``actor`` names
who acted (``api-key:<id>``, ``user:<id>``, ``cli``) in the timeline and audit.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from pledge.audit import audit_read
from pledge.core import Pledge
from pledge.db.models import RightsRequest
from pledge.errors import Conflict, ValidationFailed
from pledge.i18n import N_
from pledge.policy import RightType
from pledge.rights import deadlines, mails
from pledge.rights.child_reports import CHILD_REPORT
from pledge.rights.corrections import review
from pledge.rights.lifecycle import (
    add_event,
    close,
    forget_if_erased,
    language_of,
    load,
    mail_person,
    move,
    now_or,
    page_link,
    right_of,
)
from pledge.rights.service import describe
from pledge.rights.states import (
    AWAITING_REVIEW,
    COMPLETED,
    DENIED,
    OPEN,
    VERIFIED,
)
from pledge.rights.views import QueueItem, ReportRow, RequestView, StaffRequestView

QUEUE_LIMIT = 500


OPEN_FILTER = "open"
"""The status filter that means every status whose clock still runs."""


def queue(
    pledge: Pledge,
    *,
    status: str | None = None,
    type: str | None = None,
    now: datetime | None = None,
) -> list[QueueItem]:
    """Requests by due date (soonest first), flagged ``overdue`` and ``at_risk`` while open.

    ``status`` is one status, or ``open`` for all those whose clock runs; ``type``
    one request type.
    """
    now = now_or(now)
    query = select(RightsRequest).order_by(RightsRequest.due_at).limit(QUEUE_LIMIT)
    if status == OPEN_FILTER:
        query = query.where(RightsRequest.status.in_(sorted(OPEN)))
    elif status:
        query = query.where(RightsRequest.status == status)
    if type:
        query = query.where(RightsRequest.type == type)
    with pledge.sessions() as session:
        rows = session.scalars(query).all()
    return [
        QueueItem(
            id=row.id,
            type=row.type,
            status=row.status,
            method=row.method,
            jurisdiction=row.jurisdiction,
            received_at=row.received_at,
            due_at=row.due_at,
            extended=row.extended_at is not None,
            overdue=row.status in OPEN and deadlines.overdue(row.due_at, now),
            at_risk=row.status in OPEN and deadlines.at_risk(row.due_at, now),
            scope=row.scope,
        )
        for row in rows
    ]


def detail(pledge: Pledge, request_id: str, *, reader: str | None) -> StaffRequestView:
    """The request for staff; a rectification awaiting review shows old and new values.

    ``reader``: who is shown them (an audited read); None when the caller only needs the
    request's state, and then no correction is decrypted.
    """
    with pledge.transaction() as session:
        row = load(session, request_id)
        view = describe(session, row)
        extra: dict[str, Any] = {}
        if reader and row.type == "rectification" and row.status == AWAITING_REVIEW:
            extra["corrections"] = shown = review(session, pledge, row)
            audit_read(
                session,
                reader,
                "rights_request",
                row.id,
                "corrections",
                subject_id=row.subject_id,
                counts={"fields": len(shown)},
            )
        return StaffRequestView(**dict(view), **extra)


def extend(
    pledge: Pledge, request_id: str, reason: str, *, actor: str, now: datetime | None = None
) -> RequestView:
    """Extend once, with the reason mailed to the person; 409 when the law does not allow it."""
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, request_id, lock=True)
        if row.status not in OPEN:
            raise Conflict("only an open request can be extended")
        try:
            granted = deadlines.extend(
                right_of(pledge.policy, row),
                row.received_at,
                already_extended=row.extended_at is not None,
                now=now,
            )
        except deadlines.ExtensionRefused as exc:
            raise Conflict(str(exc)) from None
        row.due_at, row.extended_at, row.extension_reason = granted.due_at, now, reason
        add_event(
            session,
            row,
            "extended",
            actor=actor,
            at=now,
            note=f"Extended to {granted.due_at.date().isoformat()}: {reason}",
        )
        mail_person(
            session,
            pledge,
            row,
            mails.extension_mail(pledge.policy, language_of(pledge, row), row.due_at, reason),
            "rights_extended",
        )
        return describe(session, row)


def deny(
    pledge: Pledge, request_id: str, reason: str, *, actor: str, now: datetime | None = None
) -> RequestView:
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, request_id, lock=True)
        close(session, row, DENIED, actor=actor, at=now, outcome="none", reason=reason)
        if row.scope == CHILD_REPORT:
            closed = mails.child_report_closed_mail(pledge.policy, language_of(pledge, row))
            mail_person(session, pledge, row, closed, "rights_child_report_closed")
            return describe(session, row)
        mail_person(
            session,
            pledge,
            row,
            mails.closing_mail(
                pledge.policy,
                language_of(pledge, row),
                row.type,
                DENIED,
                reason,
                link=page_link(pledge, row.id),
                country=row.country,
            ),
            "rights_denied",
        )
        forget_if_erased(session, row)
        return describe(session, row)


def approve(
    pledge: Pledge, request_id: str, *, actor: str, now: datetime | None = None
) -> RequestView:
    """Staff reviewed the request: it goes back to ``verified`` and is fulfilled now."""
    from pledge.rights.fulfil import fulfil

    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, request_id, lock=True)
        if row.status != AWAITING_REVIEW:
            raise Conflict("only a request awaiting review can be approved")
        if row.scope == CHILD_REPORT:
            raise Conflict("a report about a child's data is erased after a check, not approved")
        row.result = {**(row.result or {}), "reviewed": True}
        move(session, row, VERIFIED, actor=actor, at=now, note="Approved by staff.")
    fulfil(pledge, request_id, now=now, actor=actor)
    return detail(pledge, request_id, reader=None)


def complete(
    pledge: Pledge,
    request_id: str,
    *,
    actor: str,
    now: datetime | None = None,
    note: str | None = None,
) -> RequestView:
    """Staff carried the request out by hand (a posted answer, a phone call).

    Not a report of a child's data: that closes by erasure or denial only, so the
    reporter is always told which.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, request_id, lock=True)
        if row.scope == CHILD_REPORT:
            raise Conflict("a report about a child's data closes by erasure or denial")
        close(
            session,
            row,
            COMPLETED,
            actor=actor,
            at=now,
            outcome="whole",
            reason=note or N_("Completed by staff."),
        )
        mail_person(
            session,
            pledge,
            row,
            mails.closing_mail(
                pledge.policy,
                language_of(pledge, row),
                row.type,
                COMPLETED,
                None,
                link=page_link(pledge, row.id),
                country=row.country,
            ),
            "rights_completed",
        )
        forget_if_erased(session, row)
        return describe(session, row)


def report(pledge: Pledge, year: int) -> list[ReportRow]:
    """Per type, for requests received in ``year``: received, complied (whole or part),
    denied, and the median days from receipt to answer (CCPA § 7102 metrics)."""
    if not 1970 <= year <= 9998:
        raise ValidationFailed("year out of range", fields={"year": "invalid"})
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    with pledge.sessions() as session:
        rows = session.execute(
            select(
                RightsRequest.type,
                RightsRequest.status,
                RightsRequest.outcome,
                RightsRequest.received_at,
                RightsRequest.closed_at,
            ).where(RightsRequest.received_at >= start, RightsRequest.received_at < end)
        ).all()
    stats: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"received": 0, "complied": 0, "denied": 0, "days": []}
    )
    for type_, status, outcome, received_at, closed_at in rows:
        entry = stats[type_]
        entry["received"] += 1
        if status == COMPLETED and outcome in {"whole", "part"}:
            entry["complied"] += 1
        elif status == DENIED:
            entry["denied"] += 1
        if closed_at is not None:
            entry["days"].append((closed_at - received_at).total_seconds() / 86400)
    return [
        ReportRow(
            type=type_,
            received=stats[type_]["received"],
            complied=stats[type_]["complied"],
            denied=stats[type_]["denied"],
            median_days=round(statistics.median(stats[type_]["days"]), 1)
            if stats[type_]["days"]
            else None,
        )
        for type_ in RightType
        if type_ in stats
    ]
