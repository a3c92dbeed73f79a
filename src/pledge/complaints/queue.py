"""The complaints queue as staff see it: states, due days, overdue at a glance, CSV.

Opening one complaint reveals the person's address, text and answer: that read
is audited (the staff member and the complaint's id, never the text).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select

from pledge import audit
from pledge.complaints.lookup import load, now_or
from pledge.complaints.schemas import ComplaintDetail, ComplaintView
from pledge.complaints.sealing import unseal
from pledge.complaints.states import CLOSED, STATES
from pledge.core import Pledge
from pledge.db.models import Complaint
from pledge.errors import ValidationFailed
from pledge.policy.render import spreadsheet_safe

CSV_COLUMNS = (
    "id",
    "state",
    "method",
    "country",
    "verified",
    "received_at",
    "due_at",
    "overdue",
    "closed_at",
    "escalated_to",
    "escalation_reference",
)
MAX_LISTED = 1000


def view_of(row: Complaint, now: datetime) -> ComplaintView:
    """A complaint without its personal data; overdue while open past its due day."""
    return ComplaintView(
        id=row.id,
        state=row.state,
        method=row.method,
        country=row.country,
        verified=row.verified_at is not None,
        received_at=row.received_at,
        due_at=row.due_at,
        overdue=row.state not in CLOSED and now > row.due_at,
        closed_at=row.closed_at,
        escalated_to=row.escalated_to,
        escalation_reference=row.escalation_reference,
    )


def listing(
    pledge: Pledge,
    state: str | None = None,
    *,
    email: str | None = None,
    now: datetime | None = None,
) -> list[ComplaintView]:
    """Complaints in one state (all without), of one person when ``email`` is given (found
    by its blind index: the address is never decrypted or compared in clear), the soonest
    due first."""
    now = now_or(now)
    if state is not None and state not in STATES:
        raise ValidationFailed("unknown state", fields={"state": f"one of {STATES}"})
    query = select(Complaint).order_by(Complaint.due_at, Complaint.id).limit(MAX_LISTED)
    if state is not None:
        query = query.where(Complaint.state == state)
    if email:
        query = query.where(Complaint.email_index == pledge.keys.blind_index("email", email))
    with pledge.sessions() as session:
        return [view_of(row, now) for row in session.scalars(query)]


def one(pledge: Pledge, complaint_id: str, *, now: datetime | None = None) -> ComplaintView:
    """One complaint without its personal data (404 if unknown)."""
    with pledge.sessions() as session:
        return view_of(load(session, complaint_id), now_or(now))


def detail(
    pledge: Pledge, complaint_id: str, *, actor: str, now: datetime | None = None
) -> ComplaintDetail:
    """One complaint with its address, text and answer; the read is audited."""
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, complaint_id)
        audit.append(
            session,
            action="complaint.read",
            actor=actor,
            object_type="complaint",
            object_id=row.id,
        )
        return ComplaintDetail(
            **view_of(row, now).model_dump(),
            email=unseal(pledge, row, "email") or "",
            text=unseal(pledge, row, "text") or "",
            answer=unseal(pledge, row, "answer"),
        )


def export_csv(
    pledge: Pledge, state: str | None = None, *, actor: str, now: datetime | None = None
) -> str:
    """The queue as CSV (no personal data; every cell spreadsheet-safe); the export is audited."""
    rows = listing(pledge, state, now=now)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in rows:
        values = item.model_dump(mode="json")
        writer.writerow([spreadsheet_safe(_cell(values[column])) for column in CSV_COLUMNS])
    with pledge.transaction() as session:
        audit.append(
            session,
            action="complaint.exported",
            actor=actor,
            object_type="complaint",
            object_id="*",
            details={"state": state, "rows": len(rows)},
        )
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
