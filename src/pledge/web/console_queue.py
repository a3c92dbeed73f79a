"""The console's request queue: soonest due first, overdue and at-risk requests flagged.

Open requests are shown by default, since those are the work; ``status=all``
shows every request. "At risk" is :data:`pledge.rights.deadlines.AT_RISK_WITHIN`
(due within 7 days), the same flag the API and ``pledge requests list`` give.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.db.base import utcnow
from pledge.policy import REQUESTABLE
from pledge.rights import admin as rights_admin
from pledge.rights.deadlines import AT_RISK_WITHIN
from pledge.rights.states import CLOSED, OPEN
from pledge.web.console import page
from pledge.web.deps import PledgeDep, require

router = APIRouter(include_in_schema=False)
RequestsReader = Annotated[StaffPrincipal, require(Permission.REQUESTS_READ)]

STATUSES = sorted(OPEN | CLOSED)
ALL = "all"


def days_left(due_at: datetime, now: datetime) -> int:
    """Whole days until ``due_at`` (negative once past), counted on calendar dates."""
    return (due_at.date() - now.date()).days


@router.get("/admin")
def queue_page(
    request: Request,
    pledge: PledgeDep,
    staff: RequestsReader,
    status: str = rights_admin.OPEN_FILTER,
    type: str = "",
) -> Response:
    """Filter by status (``open`` by default, ``all``, or one status) and by type."""
    status = status if status in {*STATUSES, ALL, rights_admin.OPEN_FILTER} else ALL
    type = type if type in REQUESTABLE else ""
    now = utcnow()
    rows = rights_admin.queue(
        pledge, status=None if status == ALL else status, type=type or None, now=now
    )
    return page(
        request,
        "queue",
        principal=staff,
        rows=rows,
        status=status,
        type=type,
        statuses=STATUSES,
        types=sorted(REQUESTABLE),
        overdue=sum(1 for r in rows if r.overdue),
        at_risk=sum(1 for r in rows if r.at_risk),
        at_risk_days=AT_RISK_WITHIN.days,
        days_left={r.id: days_left(r.due_at, now) for r in rows},
    )
