"""Daily counts of page views and distinct visitors per group, shown only for groups of k people.

A day whose page views are still held is counted live from them; a day the
retention run rolled up is read from ``site_aggregates`` (which kept only its
groups of at least k visitors). Either way a group with fewer distinct visitors
than the policy's ``log_data.min_group_size`` is never returned, however many
page views it has, so no figure describes one or two people. Visitors are told
apart by their pseudonym of the day (:mod:`pledge.site_analytics.visitors`): one
person on two days counts once each day, and a group is per day, so that is
never counted as two people in one group.
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

Row = tuple[date, str, int, int, int]
"""(day, key, page views, distinct visitors, seconds on page summed)."""

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
        select(
            SiteEvent.day,
            key,
            func.count(),
            func.count(SiteEvent.visitor.distinct()),
            func.coalesce(func.sum(SiteEvent.seconds), 0),
        )
        .where(SiteEvent.day >= since, SiteEvent.day <= until)
        .group_by(SiteEvent.day, key)
    )
    if dimension == "visits":
        query = query.where(SiteEvent.landing.is_(True))
    if dimension == "search_terms":
        query = query.where(SiteEvent.search_terms.is_not(None))
    return [(d, str(k), int(n), int(v), int(s)) for d, k, n, v, s in session.execute(query)]


def rolled_up_days(session: Session, since: date, until: date) -> set[date]:
    query = select(SiteAggregate.day).where(SiteAggregate.day >= since, SiteAggregate.day <= until)
    return set(session.scalars(query.distinct()))


def roll_up(session: Session, days: Iterable[date], k: int) -> int:
    """Keep the groups of at least ``k`` visitors of each of ``days`` not rolled up yet.

    Returns the rows added.
    """
    wanted = sorted(set(days))
    if not wanted:
        return 0
    done = rolled_up_days(session, wanted[0], wanted[-1])
    todo = {day for day in wanted if day not in done}
    added = 0
    for dimension in DIMENSIONS:
        for day, key, events, visitors, seconds in live_rows(
            session, dimension, wanted[0], wanted[-1]
        ):
            if day in todo and visitors >= k:
                session.add(
                    SiteAggregate(
                        day=day,
                        dimension=dimension,
                        key=key,
                        events=events,
                        visitors=visitors,
                        seconds=seconds,
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
    """Page views in the group."""
    visitors: int
    """Distinct visitors in the group (by their pseudonym of the day): at least k."""
    mean_seconds: float
    """Mean time on page of the group's page views."""


class Analytics(BaseModel):
    """``GET /api/v1/admin/analytics``: every group of at least ``min_group_size`` visitors."""

    model_config = ConfigDict(frozen=True)

    since: date
    until: date
    min_group_size: int
    dimensions: dict[str, list[Group]]


def published(pledge: Pledge, since: date, until: date) -> Analytics:
    """The groups of at least k visitors between ``since`` and ``until`` (days, both included)."""
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
                Group(
                    day=day,
                    key=key,
                    events=events,
                    visitors=visitors,
                    mean_seconds=round(seconds / events, 1),
                )
                for day, key, events, visitors, seconds in sorted(
                    rows, key=lambda r: (r[0], -r[3], -r[2], r[1])
                )
                if visitors >= k
            ]
    return Analytics(since=since, until=until, min_group_size=k, dimensions=out)


def _stored_rows(session: Session, dimension: str, since: date, until: date) -> list[Row]:
    query = select(
        SiteAggregate.day,
        SiteAggregate.key,
        SiteAggregate.events,
        SiteAggregate.visitors,
        SiteAggregate.seconds,
    ).where(
        SiteAggregate.dimension == dimension,
        SiteAggregate.day >= since,
        SiteAggregate.day <= until,
    )
    return [(d, k, n, v, s) for d, k, n, v, s in session.execute(query)]
