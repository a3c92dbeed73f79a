"""Answer deadlines of data subject requests, as pure functions of the policy's rights.

Why pure functions: deadlines are legal promises (GDPR Art. 12(3): one month,
extendable once by two further months; CCPA: 45 days, extendable once by 45,
receipt confirmed within 10 business days). Keeping them free of the database
and of the clock lets Hypothesis check the promises over any receipt time, and
lets callers pass a frozen ``now``.

Every extended due date is computed from the receipt with the deadline and the
extension added together, never by chaining, so an extension can never reach
past ``receipt + deadline + extension`` (three months in the EU, 90 days in
California), whatever month lengths lie in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from pledge.policy.durations import (
    Duration,
    add_business_days,
    add_duration,
    parse_iso_duration,
)
from pledge.policy.schema import Right

__all__ = [
    "AT_RISK_WITHIN",
    "Extension",
    "ExtensionRefused",
    "acknowledge_by",
    "at_risk",
    "due_date",
    "extend",
    "latest_due_date",
    "overdue",
]

AT_RISK_WITHIN = timedelta(days=7)
"""A request due within this time is flagged ``at_risk`` in the queue."""


class ExtensionRefused(ValueError):
    """The law does not allow this extension; the message says why (no personal data)."""


@dataclass(frozen=True)
class Extension:
    """A granted extension: the new due date, and the latest day the person had to be told."""

    due_at: datetime
    notice_by: datetime


def _combined(first: Duration, second: Duration) -> Duration:
    return Duration(
        years=first.years + second.years,
        months=first.months + second.months,
        days=first.days + second.days,
        hours=first.hours + second.hours,
        minutes=first.minutes + second.minutes,
        seconds=first.seconds + second.seconds,
    )


def due_date(right: Right, received_at: datetime) -> datetime:
    """When the answer is due: receipt plus the right's deadline (calendar-correct)."""
    return add_duration(received_at, parse_iso_duration(right.deadline))


def latest_due_date(right: Right, received_at: datetime) -> datetime:
    """The furthest the due date may ever move: receipt + deadline + one extension."""
    deadline = parse_iso_duration(right.deadline)
    if right.extension is None:
        return add_duration(received_at, deadline)
    return add_duration(received_at, _combined(deadline, parse_iso_duration(right.extension)))


def acknowledge_by(right: Right, received_at: datetime) -> datetime | None:
    """When receipt must be confirmed (CCPA: 10 business days), or None if the law is silent."""
    if right.acknowledge_within is None:
        return None
    period = parse_iso_duration(right.acknowledge_within)
    if not right.business_days:
        return add_duration(received_at, period)
    day = add_business_days(received_at.date(), period.days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=received_at.tzinfo)


def extend(
    right: Right, received_at: datetime, *, already_extended: bool, now: datetime
) -> Extension:
    """Extend once, if the right allows it and the notice is still on time.

    Refused when the right has no extension, when it was extended already, or
    when ``now`` is past the notice period (GDPR: the reason must reach the
    person within the first month; CCPA: within the first 45 days).
    """
    if right.extension is None:
        raise ExtensionRefused("this right cannot be extended")
    if already_extended:
        raise ExtensionRefused("the request was already extended once")
    notice = right.extension_notice_within or right.deadline
    notice_by = add_duration(received_at, parse_iso_duration(notice))
    if now > notice_by:
        raise ExtensionRefused("the extension notice period has passed")
    return Extension(due_at=latest_due_date(right, received_at), notice_by=notice_by)


def overdue(due_at: datetime, now: datetime) -> bool:
    """True once the due date has passed without an answer."""
    return now > due_at


def at_risk(due_at: datetime, now: datetime, within: timedelta = AT_RISK_WITHIN) -> bool:
    """True when not yet overdue but due within ``within`` (7 days by default)."""
    return not overdue(due_at, now) and due_at - now <= within
