"""What staff may do with one request now, and what the person gave that staff must weigh.

Why the service says it and not the page: whether a request can be extended
depends on the law of the person's place (GDPR: once, by two further months,
told within the first month; CCPA: once, by 45 days, told within the first
45), on whether it was extended already and on today's date. The same
:func:`pledge.rights.deadlines.extend` that refuses an extension tells the
console which date one would give, so the page never offers a button the
service would refuse, and never offers one fewer.

The person's own words (details, an agent's name and address) are decrypted
here for staff only; the requester's view and the API never carry them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pledge.audit import audit_read
from pledge.core import Pledge
from pledge.db.models import RightsRequest
from pledge.rights import deadlines
from pledge.rights.child_reports import CHILD_REPORT, ChildSummary, child_subjects, child_summary
from pledge.rights.lifecycle import load, now_or, private_data, right_of
from pledge.rights.lifting import lift_state
from pledge.rights.states import AWAITING_REVIEW, COMPLETED, OPEN, VERIFIED

__all__ = ["AgentSummary", "Casework", "casework"]


@dataclass(frozen=True)
class AgentSummary:
    """The agent who asked for the person, and how long their signed permission is."""

    name: str
    email: str
    permission_chars: int


@dataclass(frozen=True)
class Casework:
    """The actions a request's state allows, and the person's own words, for staff."""

    approve: bool
    """Awaiting review (a rectification's corrections, a right the policy has staff review)."""
    fulfil: bool
    """Verified but not yet carried out (a crash, a retry pending): run it now."""
    close: bool
    """Open: staff may complete it by hand or deny it with a reason."""
    extend_until: datetime | None
    """The due date an extension would give now, or None when it cannot be extended."""
    extend_refused: str | None
    """Why an open request cannot be extended."""
    lift: str | None
    """For a restriction in force: ``in_force``, ``pending`` or ``lifted``; else None."""
    lift_failed: bool
    details: str | None
    agent: AgentSummary | None
    match_fields: list[str]
    """The second data points given (names only: their values are kept as blind indexes)."""
    child: ChildSummary | None = None
    """For a report about a child's data: the identifiers to check and the reporter's relation."""
    erase_child: bool = False
    """An open report about a child's data: staff may erase it after their own check."""


def _extension(
    pledge: Pledge, row: RightsRequest, now: datetime
) -> tuple[datetime | None, str | None]:
    if row.status not in OPEN:
        return None, None
    try:
        granted = deadlines.extend(
            right_of(pledge.policy, row),
            row.received_at,
            already_extended=row.extended_at is not None,
            now=now,
        )
    except deadlines.ExtensionRefused as exc:
        return None, str(exc)
    return granted.due_at, None


def _lift(row: RightsRequest) -> str | None:
    result = row.result or {}
    if row.type != "restriction" or row.status != COMPLETED or not result.get("restricted"):
        return None
    return lift_state(result)


def _agent(private: dict[str, object]) -> AgentSummary | None:
    agent = private.get("agent")
    if not isinstance(agent, dict):
        return None
    return AgentSummary(
        name=str(agent.get("name") or ""),
        email=str(agent.get("email") or ""),
        permission_chars=len(str(agent.get("permission") or "")),
    )


def _child(
    session: Session, pledge: Pledge, row: RightsRequest, private: dict[str, Any]
) -> ChildSummary | None:
    summary = child_summary(private)
    if summary is None:
        return None
    return replace(summary, people_held=len(child_subjects(session, pledge, row)))


def casework(
    pledge: Pledge, request_id: str, *, reader: str, now: datetime | None = None
) -> Casework:
    """What staff may do with the request now (404 for an unknown id); showing ``reader``
    the person's own words, an agent's or a child's details is an audited read."""
    now = now_or(now)
    with pledge.transaction() as session:
        row = load(session, request_id)
        extend_until, extend_refused = _extension(pledge, row, now)
        private = private_data(pledge, row)
        report = row.scope == CHILD_REPORT
        work = Casework(
            approve=row.status == AWAITING_REVIEW and not report,
            fulfil=row.status == VERIFIED,
            close=row.status in OPEN,
            extend_until=extend_until,
            extend_refused=extend_refused,
            lift=_lift(row),
            lift_failed=bool((row.result or {}).get("lift_notice_failed")),
            details=private.get("details") or None,
            agent=_agent(private),
            match_fields=sorted(private.get("match") or {}),
            child=_child(session, pledge, row, private) if report else None,
            erase_child=report and row.status == AWAITING_REVIEW,
        )
        _audit_shown(session, reader, row, work)
        return work


def _audit_shown(session: Session, reader: str, row: RightsRequest, work: Casework) -> None:
    shown = {"details": bool(work.details), "agent": bool(work.agent), "child": bool(work.child)}
    if any(shown.values()):
        audit_read(
            session,
            reader,
            "rights_request",
            row.id,
            "request_details",
            subject_id=row.subject_id,
            counts=shown,
        )
