"""Daily counts of page views per group, shown only for groups of at least k.

A day whose page views are still held is counted live from them; a day the
retention run rolled up is read from ``site_aggregates`` (which kept only its
groups of at least k). Either way a group under the policy's
``log_data.min_group_size`` is never returned, so no figure describes one or
two visitors. Counts are of page views: without a visitor id (the policy
declares none for the beacon) distinct people cannot be counted, and a group
of k page views has at most k visitors.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from pledge.core import Pledge
from pledge.db.models import SiteAggregate, SiteEvent
from pledge.errors import NotFound

Row = tuple[date, str, int, int]
"""(day, key, page views, seconds on page summed)."""

DIMENSIONS: dict[str, str] = {
    "views": "Page views and time on page",
    "visits": "Visits (first page views)",
    "pages": "Pages",
    "countries": "Countries",
    "browsers": "Browsers",
    "search_terms": "Search terms that led here",
}


def _key(dimension: str) -> ColumnElement[str] | InstrumentedAttribute[str]:
    if dimension == "pages":
        return SiteEvent.path
    if dimension == "countries":
        return func.coalesce(SiteEvent.country, "unknown")
    if dimension == "browsers":
        return SiteEvent.browser_family
    if dimension == "search_terms":
        return func.coalesce(SiteEvent.search_terms, "")
    return literal("all")


def live_rows(session: Session, dimension: str, since: date, until: date) -> list[Row]:
    """The dimension's groups per day, counted from the page views still held."""
    key = _key(dimension).label("key")
    query = (
        select(SiteEvent.day, key, func.count(), func.coalesce(func.sum(SiteEvent.seconds), 0))
        .where(SiteEvent.day >= since, SiteEvent.day <= until)
        .group_by(SiteEvent.day, key)
    )
    if dimension == "visits":
        query = query.where(SiteEvent.landing.is_(True))
    if dimension == "search_terms":
        query = query.where(SiteEvent.search_terms.is_not(None))
    return [(d, str(k), int(n), int(s)) for d, k, n, s in session.execute(query)]


def rolled_up_days(session: Session, since: date, until: date) -> set[date]:
    query = select(SiteAggregate.day).where(SiteAggregate.day >= since, SiteAggregate.day <= until)
    return set(session.scalars(query.distinct()))


def roll_up(session: Session, days: Iterable[date], k: int) -> int:
    """Keep the groups of at least ``k`` of each of ``days`` not rolled up yet; rows added."""
    wanted = sorted(set(days))
    if not wanted:
        return 0
    done = rolled_up_days(session, wanted[0], wanted[-1])
    todo = {day for day in wanted if day not in done}
    added = 0
    for dimension in DIMENSIONS:
        for day, key, events, seconds in live_rows(session, dimension, wanted[0], wanted[-1]):
            if day in todo and events >= k:
                session.add(
                    SiteAggregate(
                        day=day, dimension=dimension, key=key, events=events, seconds=seconds
                    )
                )
                added += 1
    return added


class Group(BaseModel):
    """One published group: a day, what it counts (a page, a country...), and its figures."""

    model_config = ConfigDict(frozen=True)

    day: date
    key: str
    events: int
    mean_seconds: float
    """Mean time on page of the group's page views."""


class Analytics(BaseModel):
    """``GET /api/v1/admin/analytics``: every group of at least ``min_group_size``."""

    model_config = ConfigDict(frozen=True)

    since: date
    until: date
    min_group_size: int
    dimensions: dict[str, list[Group]]


def published(pledge: Pledge, since: date, until: date) -> Analytics:
    """The groups of at least k between ``since`` and ``until`` (days, both included)."""
    log_data = pledge.policy.log_data
    if log_data is None:
        raise NotFound("this site keeps no log data")
    k = log_data.min_group_size
    out: dict[str, list[Group]] = {}
    with pledge.sessions() as session:
        done = rolled_up_days(session, since, until)
        for dimension in DIMENSIONS:
            rows = [
                row for row in live_rows(session, dimension, since, until) if row[0] not in done
            ]
            rows += _stored_rows(session, dimension, since, until)
            out[dimension] = [
                Group(day=day, key=key, events=events, mean_seconds=round(seconds / events, 1))
                for day, key, events, seconds in sorted(rows, key=lambda r: (r[0], -r[2], r[1]))
                if events >= k
            ]
    return Analytics(since=since, until=until, min_group_size=k, dimensions=out)


def _stored_rows(session: Session, dimension: str, since: date, until: date) -> list[Row]:
    query = select(
        SiteAggregate.day, SiteAggregate.key, SiteAggregate.events, SiteAggregate.seconds
    ).where(
        SiteAggregate.dimension == dimension,
        SiteAggregate.day >= since,
        SiteAggregate.day <= until,
    )
    return [(d, k, n, s) for d, k, n, s in session.execute(query)]
