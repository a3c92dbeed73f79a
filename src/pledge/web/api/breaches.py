"""The breach register for administrators (``/api/v1/admin/breaches``).

The same service as ``pledge breaches`` and the console's pages
(:mod:`pledge.registers.breaches`), audited there: each answer that shows the
sealed summary and reasons is one audited read. The people affected are a
count from the store; no address is ever given back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from pledge.registers.breaches import (
    BreachIn,
    BreachView,
    DecisionIn,
    create_breach,
    decide,
    get_breach,
    list_breaches,
    notify_breach,
)
from pledge.web.api.requests import NoBody
from pledge.web.deps import AdminDep, PledgeDep

router = APIRouter(tags=["registers"])
BASE = "/api/v1/admin/breaches"
JSON = "json"


class BreachOut(BaseModel):
    id: str
    summary: str
    known_at: datetime
    authority_deadline: datetime = Field(description="72 hours after known_at.")
    overdue: bool = Field(description="Past the deadline, authority not told, no decision not to.")
    categories: list[str]
    people_affected: int = Field(description="Holding records of these categories now.")
    notify_authority: bool | None = Field(description="None until decided.")
    authority_reason: str
    authority_told_at: datetime | None
    notify_people: bool | None = Field(description="None until decided.")
    people_reason: str
    people_notice: str
    people_told: int
    decided_by: str | None
    decided_at: datetime | None
    notices_done_at: datetime | None
    created_by: str
    created_at: datetime


class BreachesOut(BaseModel):
    breaches: list[BreachOut]


class NoticesOut(BaseModel):
    queued: int = Field(description="Mails queued by this call (nobody is told twice).")
    people_affected: int
    people_told: int


def _out(item: BreachView) -> BreachOut:
    return BreachOut(
        id=item.id,
        summary=item.summary,
        known_at=item.known_at,
        authority_deadline=item.deadline,
        overdue=item.overdue(),
        categories=list(item.categories),
        people_affected=item.affected,
        notify_authority=item.notify_authority,
        authority_reason=item.authority_reason,
        authority_told_at=item.authority_told_at,
        notify_people=item.notify_people,
        people_reason=item.people_reason,
        people_notice=item.people_notice,
        people_told=item.told,
        decided_by=item.decided_by,
        decided_at=item.decided_at,
        notices_done_at=item.notices_done_at,
        created_by=item.created_by,
        created_at=item.created_at,
    )


@router.post(BASE, status_code=201)
def admin_create_breach(pledge: PledgeDep, admin: AdminDep, body: BreachIn) -> BreachOut:
    """Record a breach; the 72-hour clock to the authority runs from ``known_at``."""
    return _out(create_breach(pledge, body, actor=admin.actor))


@router.get(BASE)
def admin_list_breaches(
    pledge: PledgeDep,
    admin: AdminDep,
    search: Annotated[str, Query(max_length=200)] = "",
) -> BreachesOut:
    """The register, newest first; ``search`` matches summary and categories (an audited read)."""
    items = list_breaches(pledge, search=search, reader=admin.actor, form=JSON)
    return BreachesOut(breaches=[_out(item) for item in items])


@router.get(BASE + "/{breach_id}")
def admin_get_breach(pledge: PledgeDep, admin: AdminDep, breach_id: str) -> BreachOut:
    return _out(get_breach(pledge, breach_id, reader=admin.actor, form=JSON))


@router.post(BASE + "/{breach_id}/decision")
def admin_decide_breach(
    pledge: PledgeDep, admin: AdminDep, breach_id: str, body: DecisionIn
) -> BreachOut:
    """Record (or revise) whether the authority and the people are told, and why."""
    decide(pledge, breach_id, body, actor=admin.actor)
    return _out(get_breach(pledge, breach_id, reader=admin.actor, form=JSON))


@router.post(BASE + "/{breach_id}/notices")
def admin_send_breach_notices(
    pledge: PledgeDep, admin: AdminDep, breach_id: str, _body: NoBody
) -> NoticesOut:
    """Mail everyone affected not yet told, in bounded batches; 409 unless decided so."""
    queued = notify_breach(pledge, breach_id, actor=admin.actor)
    item = get_breach(pledge, breach_id)
    return NoticesOut(queued=queued, people_affected=item.affected, people_told=item.told)
