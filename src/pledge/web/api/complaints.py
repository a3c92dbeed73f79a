"""Complaints over HTTP: anyone may complain; the code confirms it; admins work the queue.

Routes only parse, authenticate and call :mod:`pledge.complaints`. The intake
is throttled like request intake (per IP address and per e-mail address,
shared counters; :mod:`pledge.web.intake`), before anything is written or mailed.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from pledge import complaints
from pledge.complaints import (
    ComplaintAccepted,
    ComplaintCodeIn,
    ComplaintDetail,
    ComplaintIn,
    ComplaintStatus,
    ComplaintView,
)
from pledge.web.deps import AdminDep, PledgeDep
from pledge.web.intake import throttle_intake
from pledge.web.language import request_language
from pledge.web.openapi import errors

router = APIRouter(tags=["complaints"])

State = Literal["received", "investigating", "answered", "escalated"]


class ComplaintsOut(BaseModel):
    complaints: list[ComplaintView]


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=20_000, description="Mailed to the person.")


class EscalationIn(BaseModel):
    reference: str = Field(
        min_length=1, max_length=100, description="The recourse body's reference for the case."
    )


@router.post(
    "/api/v1/complaints",
    status_code=202,
    responses=errors(429),
    response_model=ComplaintAccepted,
)
def create_complaint(request: Request, pledge: PledgeDep, body: ComplaintIn) -> ComplaintAccepted:
    """Anyone may complain; a code is mailed to confirm the address. Due in 45 days."""
    throttle_intake(pledge, request, body.email)
    if body.language is None:  # mail goes out in the language the complaint came in
        body = body.model_copy(update={"language": request_language(request).code})
    return complaints.submit(pledge, body)


@router.post(
    "/api/v1/complaints/{complaint_id}/verify",
    responses=errors(400, 409, 429),
    response_model=ComplaintStatus,
)
def verify_complaint(
    complaint_id: str, request: Request, pledge: PledgeDep, body: ComplaintCodeIn
) -> ComplaintStatus:
    """The code from the mail confirms the complaint; five wrong codes void it (429)."""
    throttle_intake(pledge, request, None)
    return complaints.verify(pledge, complaint_id, body.code)


@router.get("/api/v1/admin/complaints", response_model=ComplaintsOut)
def admin_list_complaints(
    pledge: PledgeDep, _admin: AdminDep, state: State | None = None
) -> ComplaintsOut:
    """The queue, the soonest due first; ``overdue`` while open past the due day."""
    return ComplaintsOut(complaints=complaints.listing(pledge, state))


@router.get("/api/v1/admin/complaints/{complaint_id}", response_model=ComplaintDetail)
def admin_get_complaint(complaint_id: str, pledge: PledgeDep, admin: AdminDep) -> ComplaintDetail:
    """One complaint with the person's address and text (the read is audited)."""
    return complaints.detail(pledge, complaint_id, actor=admin.actor)


@router.post(
    "/api/v1/admin/complaints/{complaint_id}/answer",
    responses=errors(409),
    response_model=ComplaintView,
)
def admin_answer_complaint(
    complaint_id: str, pledge: PledgeDep, admin: AdminDep, body: AnswerIn
) -> ComplaintView:
    """Mail the answer to the person and close the complaint."""
    return complaints.answer(pledge, complaint_id, body.answer, actor=admin.actor)


@router.post(
    "/api/v1/admin/complaints/{complaint_id}/escalate",
    responses=errors(409),
    response_model=ComplaintView,
)
def admin_escalate_complaint(
    complaint_id: str, pledge: PledgeDep, admin: AdminDep, body: EscalationIn
) -> ComplaintView:
    """Refer the complaint to the policy's independent recourse body under its reference."""
    return complaints.escalate(pledge, complaint_id, body.reference, actor=admin.actor)
