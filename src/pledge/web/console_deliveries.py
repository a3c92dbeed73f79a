"""The console's view of the outbox: counts per kind and state, dead letters, recent deliveries.

Only ids, kinds, targets (Client or recipient ids), states, attempts, error
codes and dates: no address and no body ever reaches this page, so any staff
member whose role reads deliveries may see it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.delivery import Kind, Status, list_deliveries, status_counts
from pledge.web.console import page
from pledge.web.deps import PledgeDep, require

router = APIRouter(include_in_schema=False)
DEAD_LETTERS_SHOWN = 100
RECENT_SHOWN = 200


@router.get("/admin/deliveries")
def deliveries_page(
    request: Request,
    pledge: PledgeDep,
    staff: Annotated[StaffPrincipal, require(Permission.DELIVERIES_READ)],
    kind: str = "",
    status: str = "",
) -> Response:
    kind = kind if kind in set(Kind) else ""
    status = status if status in set(Status) else ""
    return page(
        request,
        "deliveries",
        principal=staff,
        counts=status_counts(pledge),
        statuses=list(Status),
        kinds=list(Kind),
        kind=kind,
        status=status,
        dead=list_deliveries(pledge, status=Status.DEAD, limit=DEAD_LETTERS_SHOWN),
        rows=list_deliveries(pledge, kind=kind or None, status=status or None, limit=RECENT_SHOWN),
    )
