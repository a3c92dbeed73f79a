"""The legal-request register for administrators (``/api/v1/admin/legal-requests``).

The same service as ``pledge legal-requests`` and the console's pages
(:mod:`pledge.registers.legal_requests`), audited there. The people concerned
are sent as e-mail addresses in the body and never given back: an entry shows
their pseudonymous subject ids only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from pledge.registers.legal_requests import (
    LegalRequestIn,
    LegalRequestView,
    NoticeIn,
    create_legal_request,
    get_legal_request,
    list_legal_requests,
    set_notice,
)
from pledge.web.deps import AdminDep, PledgeDep

router = APIRouter(tags=["registers"])
BASE = "/api/v1/admin/legal-requests"


class LegalRequestOut(BaseModel):
    id: str
    authority: str
    reference: str
    legal_basis: str
    scope: str
    received_at: datetime
    answered_at: datetime | None
    categories: list[str] = Field(description="Policy categories disclosed.")
    notify_allowed: bool
    notify_after: datetime | None
    subject_ids: list[str] = Field(description="The people concerned, pseudonymously.")
    created_by: str
    created_at: datetime


class LegalRequestsOut(BaseModel):
    legal_requests: list[LegalRequestOut]


def _out(item: LegalRequestView) -> LegalRequestOut:
    return LegalRequestOut(
        id=item.id,
        authority=item.authority,
        reference=item.reference,
        legal_basis=item.legal_basis,
        scope=item.scope,
        received_at=item.received_at,
        answered_at=item.answered_at,
        categories=list(item.categories),
        notify_allowed=item.notify_allowed,
        notify_after=item.notify_after,
        subject_ids=list(item.subject_ids),
        created_by=item.created_by,
        created_at=item.created_at,
    )


@router.post(BASE, status_code=201)
def admin_create_legal_request(
    pledge: PledgeDep, admin: AdminDep, body: LegalRequestIn
) -> LegalRequestOut:
    """Record a request from a public authority; each person's disclosure log gets an entry."""
    return _out(create_legal_request(pledge, body, actor=admin.actor))


@router.get(BASE)
def admin_list_legal_requests(
    pledge: PledgeDep,
    admin: AdminDep,
    search: Annotated[str, Query(max_length=200)] = "",
) -> LegalRequestsOut:
    """The register, newest first; ``search`` matches authority, reference, basis and scope
    (an audited read)."""
    items = list_legal_requests(pledge, search=search, reader=admin.actor, form="json")
    return LegalRequestsOut(legal_requests=[_out(item) for item in items])


@router.get(BASE + "/{request_id}")
def admin_get_legal_request(pledge: PledgeDep, admin: AdminDep, request_id: str) -> LegalRequestOut:
    return _out(get_legal_request(pledge, request_id, reader=admin.actor, form="json"))


@router.post(BASE + "/{request_id}/notice")
def admin_set_legal_request_notice(
    pledge: PledgeDep, admin: AdminDep, request_id: str, body: NoticeIn
) -> LegalRequestOut:
    """Whether the people may now be told (and from when); their disclosure logs follow."""
    set_notice(pledge, request_id, body, actor=admin.actor)
    return _out(get_legal_request(pledge, request_id, reader=admin.actor, form="json"))
