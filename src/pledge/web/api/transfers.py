"""The business-transfer record for administrators (``/api/v1/admin/transfers``).

The same service as ``pledge transfers`` and the console's pages
(:mod:`pledge.registers.transfers`), audited there: each answer that shows
the sealed note is one audited read. The people affected are a count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from pledge.registers.transfers import (
    TransferIn,
    TransferView,
    create_transfer,
    get_transfer,
    list_transfers,
    notify_transfer,
)
from pledge.web.api.breaches import NoticesOut
from pledge.web.api.requests import NoBody
from pledge.web.deps import AdminDep, PledgeDep

router = APIRouter(tags=["registers"])
BASE = "/api/v1/admin/transfers"
JSON = "json"


class TransferOut(BaseModel):
    id: str
    buyer: str
    transferred_at: datetime
    categories: list[str] = Field(description="Policy categories that moved to the buyer.")
    note: str
    people_affected: int = Field(description="Holding records of these categories now.")
    people_told: int
    notices_done_at: datetime | None
    created_by: str
    created_at: datetime


class TransfersOut(BaseModel):
    transfers: list[TransferOut]


def _out(item: TransferView) -> TransferOut:
    return TransferOut(
        id=item.id,
        buyer=item.buyer,
        transferred_at=item.transferred_at,
        categories=list(item.categories),
        note=item.note,
        people_affected=item.affected,
        people_told=item.told,
        notices_done_at=item.notices_done_at,
        created_by=item.created_by,
        created_at=item.created_at,
    )


@router.post(BASE, status_code=201)
def admin_create_transfer(pledge: PledgeDep, admin: AdminDep, body: TransferIn) -> TransferOut:
    """Record that data moved to a buyer in a merger, sale or other corporate change."""
    return _out(create_transfer(pledge, body, actor=admin.actor))


@router.get(BASE)
def admin_list_transfers(
    pledge: PledgeDep,
    admin: AdminDep,
    search: Annotated[str, Query(max_length=200)] = "",
) -> TransfersOut:
    """The record, newest first; ``search`` matches buyer, note and categories (audited)."""
    items = list_transfers(pledge, search=search, reader=admin.actor, form=JSON)
    return TransfersOut(transfers=[_out(item) for item in items])


@router.get(BASE + "/{transfer_id}")
def admin_get_transfer(pledge: PledgeDep, admin: AdminDep, transfer_id: str) -> TransferOut:
    return _out(get_transfer(pledge, transfer_id, reader=admin.actor, form=JSON))


@router.post(BASE + "/{transfer_id}/notices")
def admin_send_transfer_notices(
    pledge: PledgeDep, admin: AdminDep, transfer_id: str, _body: NoBody
) -> NoticesOut:
    """Mail everyone whose data moved and who was not yet told, in bounded batches."""
    queued = notify_transfer(pledge, transfer_id, actor=admin.actor)
    item = get_transfer(pledge, transfer_id)
    return NoticesOut(queued=queued, people_affected=item.affected, people_told=item.told)
