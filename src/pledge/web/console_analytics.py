"""The console's site analytics (``analytics.read``): the beacon's aggregates as charts.

Shows exactly what ``GET /api/v1/admin/analytics`` returns, groups of at least
the policy's k distinct visitors, as server-drawn SVG bars (:mod:`pledge.web.bar_charts`)
with their tables. Auditors and privacy officers may read it; nothing here changes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pledge import site_analytics
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.errors import ValidationFailed
from pledge.web.api.analytics import period
from pledge.web.bar_charts import chart, per_day, totals
from pledge.web.console import page
from pledge.web.deps import PledgeDep, require

router = APIRouter(include_in_schema=False)
AnalyticsReader = Annotated[StaffPrincipal, require(Permission.ANALYTICS_READ)]


@router.get("/admin/analytics")
def analytics_page(
    request: Request,
    pledge: PledgeDep,
    staff: AnalyticsReader,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
) -> Response:
    try:
        first, last = period(since, until)
    except ValidationFailed as exc:
        first, last = period(None, None)
        problem = "; ".join(f"{k} {v}" for k, v in exc.fields.items())
    else:
        problem = ""
    if pledge.policy.log_data is None:
        return page(request, "analytics", principal=staff, charts=[], k=None, problem=problem)
    data = site_analytics.published(pledge, first, last)
    groups = data.dimensions
    charts = [
        chart("Visitors per day", per_day(groups["views"], visitors=True)),
        chart("Page views per day", per_day(groups["views"])),
        chart("Visits per day", per_day(groups["visits"])),
        chart("Mean time on page per day", per_day(groups["views"], mean=True), " s"),
        chart("Pages", totals(groups["pages"])),
        chart("Countries", totals(groups["countries"])),
        chart("Browsers", totals(groups["browsers"])),
        chart("Search terms that led here", totals(groups["search_terms"])),
    ]
    return page(
        request,
        "analytics",
        principal=staff,
        charts=charts,
        k=data.min_group_size,
        since=first,
        until=last,
        problem=problem,
    )
