"""The site's visitor log data over HTTP: the public beacon and the admins' aggregates.

``POST /api/v1/beacon`` is public and cheap to refuse: its body is capped at
``BEACON_MAX_BYTES`` while it streams in (413), each IP address is counted
(``PLEDGE_BEACON_LIMIT_PER_IP`` per minute, shared counters holding keyed hashes;
429), then the body is checked whole (422 naming the field) before anything is
stored. The caller's address is turned into a country by
:mod:`pledge.site_analytics` and kept nowhere; the access log drops it for this
path (:mod:`pledge.web.access_log`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from pledge import site_analytics
from pledge.access.throttle import Rule, enforce
from pledge.consent.schemas import openapi_body
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.errors import PayloadTooLarge, ValidationFailed
from pledge.i18n import N_
from pledge.site_analytics import Analytics, BeaconIn
from pledge.validation import error_fields
from pledge.web.deps import AdminDep, PledgeDep
from pledge.web.intake import caller
from pledge.web.openapi import errors

router = APIRouter(tags=["site analytics"])

BEACON_MAX_BYTES = 4096
"""A page view is a few hundred bytes; anything much larger is not the beacon."""
MINUTE = 60
MAX_DAYS = 400
TOO_MANY = N_("too many page views from your network; please try again later")


async def _capped_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BEACON_MAX_BYTES:
        raise PayloadTooLarge(f"body over {BEACON_MAX_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > BEACON_MAX_BYTES:
            raise PayloadTooLarge(f"body over {BEACON_MAX_BYTES} bytes")
    return bytes(body)


def _parsed(raw: bytes) -> BeaconIn:
    try:
        return BeaconIn.model_validate_json(raw)
    except ValidationError as exc:
        located = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
        fields = error_fields(located)
        raise ValidationFailed("the page view is not valid", fields=fields) from None


def _count_and_record(pledge: Pledge, raw: bytes, request: Request) -> None:
    rule = Rule("beacon-ip", pledge.settings.beacon_limit_per_ip, MINUTE)
    enforce(pledge, rule, caller(request), message=TOO_MANY)
    view = _parsed(raw)
    site_analytics.record_page_view(
        pledge,
        view,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


@router.post(
    "/api/v1/beacon",
    status_code=204,
    response_class=Response,
    responses=errors(404, 413, 422, 429),
    openapi_extra=openapi_body(BeaconIn),
)
async def beacon(request: Request, pledge: PledgeDep) -> Response:
    """One page view from ``/static/beacon.js``, sent only after analytics consent."""
    raw = await _capped_body(request)
    await run_in_threadpool(_count_and_record, pledge, raw, request)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def period(since: date | None, until: date | None) -> tuple[date, date]:
    """The days asked for: the last 30 by default, at most ``MAX_DAYS``, ``since`` first."""
    last = until or utcnow().date()
    first = since or last - timedelta(days=29)
    if first > last:
        raise ValidationFailed("the period is empty", fields={"since": "is after until"})
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed("the period is too long", fields={"since": f"over {MAX_DAYS} days"})
    return first, last


@router.get("/api/v1/admin/analytics", response_model=Analytics)
def admin_analytics(
    pledge: PledgeDep,
    _admin: AdminDep,
    since: Annotated[date | None, Query(description="First day (UTC), included.")] = None,
    until: Annotated[date | None, Query(description="Last day (UTC), included.")] = None,
) -> Analytics:
    """Daily groups of at least the policy's k distinct visitors; smaller groups are left out."""
    first, last = period(since, until)
    return site_analytics.published(pledge, first, last)
