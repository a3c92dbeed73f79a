"""What the rights services answer: typed views of a request, the queue and the yearly report.

Why pydantic models rather than dicts: the API documents them in
``/api/openapi.json`` as they are, the console and the CLI read attributes a
type checker can follow, and nothing personal can slip in unnoticed, since
every field is declared. Times serialise as ``datetime.isoformat()``, as the
API always answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

IsoTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]
"""A timezone-aware time, written as ISO 8601 with its offset."""


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class NoticeView(_View):
    """A recipient told of an erasure, correction or restriction, and whether it was."""

    recipient: str
    action: str
    status: str
    sent_at: IsoTime | None


class TimelineEvent(_View):
    """One step of the request; ``actor`` says "staff" for any member of staff."""

    at: IsoTime
    event: str
    actor: str
    note: str | None


class HeldValue(_View):
    """A value held now, in one category: what a correction would replace."""

    category: str
    value: str


class CorrectionView(_View):
    """For staff reviewing a rectification: a field, its values held now, the proposed one."""

    field: str
    held: list[HeldValue]
    proposed: str
    warning: str | None = None
    """For staff only: why approving would not apply this value (an address another
    person we hold already has), so they can deny or ask before approving."""


class RequestView(_View):
    """A request as its holder or staff see it; no personal data."""

    id: str
    type: str
    status: str
    scope: str
    method: str
    jurisdiction: str
    voluntary: bool
    by_agent: bool
    verification: str | None
    received_at: IsoTime
    due_at: IsoTime
    acknowledged_at: IsoTime | None
    extended: bool
    extension_reason: str | None
    closed_at: IsoTime | None
    outcome: str | None
    reason: str | None
    result: dict[str, Any]
    """What fulfilment produced; its keys depend on the request type."""
    copies_served: int
    notices: list[NoticeView]
    timeline: list[TimelineEvent]


class StaffRequestView(RequestView):
    """A request as staff see it: while a rectification awaits review, its values too."""

    corrections: list[CorrectionView] | None = Field(
        default=None,
        description="Staff only, while a rectification awaits review: each proposed value "
        "beside the values held now. Never in the requester's view.",
    )


class QueueItem(_View):
    """A request in the staff queue, flagged while its clock runs."""

    id: str
    type: str
    status: str
    method: str
    jurisdiction: str
    received_at: IsoTime
    due_at: IsoTime
    extended: bool
    overdue: bool
    at_risk: bool
    scope: str = "own_data"
    """``child_report`` for a report that a child gave us data (staff check, then erase)."""


class ReportRow(_View):
    """One request type's year: the CCPA § 7102 metrics."""

    type: str
    received: int
    complied: int
    denied: int
    median_days: float | None


class QueueView(_View):
    """The staff queue, soonest due first."""

    requests: list[QueueItem]


class RequestAccepted(_View):
    """``202``: the request is recorded; the token is shown here once and never again."""

    id: str
    status: str
    due_at: IsoTime
    token: str = Field(description="Send as `Authorization: Bearer TOKEN` to follow the request.")


class CodeResent(_View):
    """A fresh code is on its way; the old one no longer works."""

    id: str
    status: str


class DisclosureLogged(_View):
    """One transfer to a third party, as logged."""

    id: str
    subject_id: str
    recipient: str
    categories: list[str]
    purpose: str
    at: IsoTime
    restrictions: list[str] = Field(
        description="The subject's active limits: a transfer despite one is logged, and shown."
    )
