"""Console pages that only read: the audit log and the record of processing activities.

Both are what an auditor (or a privacy officer) reviews. The audit log holds
ids, actions and tags, never personal data, so showing it adds no exposure;
the record of processing is rendered from the policy (with the connected
systems holding each category, when ``PLEDGE_SYSTEMS`` is set), as ``pledge
policy render --format ropa`` prints it.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pledge.audit.listing import recent
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.policy import render_ropa_csv
from pledge.web.console import HEADERS, page
from pledge.web.console_systems import system_places
from pledge.web.deps import PledgeDep, require

router = APIRouter(include_in_schema=False)
AUDIT_SHOWN = 200
AuditReader = Annotated[StaffPrincipal, require(Permission.AUDIT_READ)]
RopaReader = Annotated[StaffPrincipal, require(Permission.ROPA_READ)]


@router.get("/admin/audit")
def audit_page(
    request: Request,
    pledge: PledgeDep,
    staff: AuditReader,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The newest ``AUDIT_SHOWN`` entries; ``before`` pages back to older ones."""
    with pledge.sessions() as session:
        entries = recent(session, limit=AUDIT_SHOWN, before=before)
    older = entries[-1].id if len(entries) == AUDIT_SHOWN else None
    return page(request, "audit", principal=staff, entries=entries, older=older)


@router.get("/admin/record-of-processing")
def ropa_page(request: Request, pledge: PledgeDep, staff: RopaReader) -> Response:
    rows = list(csv.reader(io.StringIO(render_ropa_csv(pledge.policy, system_places(pledge)))))
    return page(request, "ropa", principal=staff, header=rows[0], rows=rows[1:])


@router.get("/admin/record-of-processing.csv")
def ropa_csv(pledge: PledgeDep, _staff: RopaReader) -> Response:
    return Response(
        render_ropa_csv(pledge.policy, system_places(pledge)),
        media_type="text/csv; charset=utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": 'attachment; filename="record-of-processing.csv"',
        },
    )
