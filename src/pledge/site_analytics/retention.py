"""Page views past the policy's ``log_data.retention`` go; their days' aggregates stay.

In one transaction per batch of days: each day with a page view now due is
rolled up (its groups of at least k, :func:`~pledge.site_analytics.aggregates.roll_up`),
then the due page views are deleted. A day rolled up once is never counted
again, so the page views of a day that expire on a later run are not lost from
its figures. Page views name no person, so a legal hold does not reach them.
Every run that is not a dry run also deletes the visitor-pseudonym salts of the
days before ``as_of`` (:func:`~pledge.site_analytics.visitors.purge_salts`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import SiteEvent
from pledge.policy.durations import add_months
from pledge.site_analytics.aggregates import roll_up
from pledge.site_analytics.visitors import purge_salts


def cutoff(pledge: Pledge, as_of: datetime) -> datetime | None:
    """Page views at or before this moment are due; None when the policy keeps none."""
    log_data = pledge.policy.log_data
    duration = log_data.retention.parsed() if log_data else None
    if duration is None:
        return None
    return add_months(as_of - duration.exact(), -duration.total_months)


def expire_page_views(pledge: Pledge, *, as_of: datetime, dry_run: bool = False) -> int:
    """Delete (or count, when ``dry_run``) the page views past retention; how many."""
    if not dry_run:
        with pledge.transaction() as session:
            purge_salts(session, as_of.astimezone(UTC).date())
    until = cutoff(pledge, as_of)
    log_data = pledge.policy.log_data
    if until is None or log_data is None:
        return 0
    due = SiteEvent.occurred_at <= until
    with pledge.transaction() as session:
        count = int(session.scalar(select(func.count()).select_from(SiteEvent).where(due)) or 0)
        if dry_run or count == 0:
            return count
        days = set(session.scalars(select(SiteEvent.day).where(due).distinct()))
        kept = roll_up(session, days, log_data.min_group_size)
        session.execute(delete(SiteEvent).where(due))
        audit.append(
            session,
            action="log_data.expired",
            actor="system",
            object_type="log_data",
            object_id="site_events",
            details={"removed": count, "days": len(days), "aggregates_kept": kept},
        )
    return count
