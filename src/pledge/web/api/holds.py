"""Legal holds for administrators: place, list and release (``/api/v1/admin/holds``).

The same service calls as ``pledge holds`` and the console's holds page
(:mod:`pledge.rights.holds`, :mod:`pledge.rights.hold_release`); each is
audited there. The person's address is taken in the body, never in a URL,
and never given back: a hold shows only whether Pledge knew the person.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pledge.rights.hold_release import release_hold
from pledge.rights.holds import MAX_EMAIL, MAX_REASON, HoldView, create_hold, list_holds
from pledge.web.api.requests import NoBody
from pledge.web.deps import AdminDep, PledgeDep
from pledge.web.openapi import errors

router = APIRouter(tags=["legal holds"])


class HoldIn(BaseModel):
    email: str = Field(min_length=3, max_length=MAX_EMAIL, pattern=r"^[^@\s]+@[^@\s]+$")
    reason: str = Field(
        min_length=1,
        max_length=MAX_REASON,
        description="The matter or case the hold is for; keep personal data out of it.",
    )


class HoldOut(BaseModel):
    id: str
    active: bool
    subject_known: bool = Field(description="Whether Pledge held anything about the person.")
    reason: str
    created_by: str
    created_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None
    waiting_requests: int = Field(description="Erasure requests waiting for the release.")


class HoldsOut(BaseModel):
    holds: list[HoldOut]


class ReleasedOut(BaseModel):
    hold: HoldOut
    erasures_done: int = Field(description="Waiting erasures carried out on this release.")


def _out(hold: HoldView) -> HoldOut:
    return HoldOut(
        id=hold.id,
        active=hold.active,
        subject_known=hold.subject_known,
        reason=hold.reason,
        created_by=hold.created_by,
        created_at=hold.created_at,
        released_by=hold.released_by,
        released_at=hold.released_at,
        waiting_requests=hold.waiting_requests,
    )


@router.post("/api/v1/admin/holds", status_code=201)
def admin_create_hold(pledge: PledgeDep, admin: AdminDep, body: HoldIn) -> HoldOut:
    """Place a legal hold on the person with this e-mail: retention and erasure stop."""
    return _out(create_hold(pledge, email=body.email, reason=body.reason, actor=admin.actor))


@router.get("/api/v1/admin/holds")
def admin_list_holds(pledge: PledgeDep, admin: AdminDep) -> HoldsOut:
    """Every hold, those in force first, newest first."""
    return HoldsOut(holds=[_out(hold) for hold in list_holds(pledge, reader=admin.actor)])


@router.post("/api/v1/admin/holds/{hold_id}/release", responses=errors(409))
def admin_release_hold(
    pledge: PledgeDep, admin: AdminDep, hold_id: str, _body: NoBody
) -> ReleasedOut:
    """End a hold; the erasures that waited on it are carried out now (409 if already ended)."""
    released = release_hold(pledge, hold_id, actor=admin.actor)
    return ReleasedOut(hold=_out(released.hold), erasures_done=released.erasures_done)
