"""ISO 8601 durations with calendar-correct arithmetic.

Retention periods and legal deadlines are written in the policy as ISO 8601
durations (``P2Y``, ``P1M``, ``P45D``, ``PT30M``). A month is not 30 days: the
GDPR's "one month" from 31 January ends on the last day of February. So a
:class:`Duration` keeps its calendar parts (years, months) apart from its
exact parts (days, hours, minutes, seconds), and :func:`add_duration` adds the
calendar parts first, clamping the day to the end of the month, then the exact
parts as a :class:`~datetime.timedelta`.

Supported forms: ``PnYnMnDTnHnMnS`` (any subset, integers only, at least one
part) and ``PnW`` (weeks, stored as ``7 * n`` days). Fractions and negative
durations are refused: the policy never needs them and they make deadlines
ambiguous.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = [
    "Duration",
    "add_business_days",
    "add_duration",
    "is_iso_duration",
    "parse_iso_duration",
]

_PATTERN = re.compile(
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?",
    re.ASCII,
)
_WEEKS = re.compile(r"P(?P<weeks>\d+)W", re.ASCII)
_MAX_PART = 10_000_000  # keeps arithmetic away from OverflowError on absurd input


@dataclass(frozen=True, order=False)
class Duration:
    """A parsed ISO 8601 duration; every part is a non-negative integer."""

    years: int = 0
    months: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @property
    def total_months(self) -> int:
        """Years and months together: the calendar part of the duration."""
        return self.years * 12 + self.months

    def exact(self) -> timedelta:
        """Days, hours, minutes and seconds: the part that is a fixed length."""
        return timedelta(
            days=self.days, hours=self.hours, minutes=self.minutes, seconds=self.seconds
        )

    def approximate(self) -> timedelta:
        """A fixed-length estimate (a year is 365 days, a month 30).

        Good for sorting and display only; never use it for a deadline: use
        :func:`add_duration` instead.
        """
        return timedelta(days=self.years * 365 + self.months * 30) + self.exact()

    def __str__(self) -> str:
        """The canonical ISO 8601 form, e.g. ``P1Y2M`` or ``PT30M``; zero is ``P0D``."""
        date_part = "".join(
            f"{value}{unit}"
            for value, unit in ((self.years, "Y"), (self.months, "M"), (self.days, "D"))
            if value
        )
        time_part = "".join(
            f"{value}{unit}"
            for value, unit in ((self.hours, "H"), (self.minutes, "M"), (self.seconds, "S"))
            if value
        )
        if not date_part and not time_part:
            return "P0D"
        return "P" + date_part + (f"T{time_part}" if time_part else "")


def parse_iso_duration(text: str) -> Duration:
    """Parse ``text`` as an ISO 8601 duration; raise ``ValueError`` if it is not one."""
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 duration string, got {type(text).__name__}")
    weeks = _WEEKS.fullmatch(text)
    if weeks is not None:
        return _checked(Duration(days=7 * int(weeks["weeks"])), text)
    match = _PATTERN.fullmatch(text)
    if match is None or text.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration (such as P1M, P45D or PT30M): {text!r}")
    parts = {name: int(value) for name, value in match.groupdict().items() if value is not None}
    return _checked(Duration(**parts), text)


def _checked(duration: Duration, text: str) -> Duration:
    if (
        max(duration.years, duration.months, duration.days) > _MAX_PART
        or max(duration.hours, duration.minutes, duration.seconds) > _MAX_PART * 24
    ):
        raise ValueError(f"ISO 8601 duration too long to be meaningful: {text!r}")
    return duration


def is_iso_duration(text: str) -> bool:
    """True when ``text`` parses as a duration this module supports."""
    try:
        parse_iso_duration(text)
    except ValueError:
        return False
    return True


def add_months(value: datetime, months: int) -> datetime:
    """Move ``value`` by whole months, clamping the day to the target month's end."""
    index = value.year * 12 + (value.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def add_duration(start: datetime, duration: Duration) -> datetime:
    """``start`` plus ``duration``: calendar parts first (clamped), then exact parts.

    ``P1M`` from 31 January is 28 or 29 February; ``P1Y`` from 29 February is
    28 February. Timezone-aware values keep their ``tzinfo`` (wall-clock
    arithmetic, as Python does for aware datetimes).
    """
    moved = add_months(start, duration.total_months) if duration.total_months else start
    return moved + duration.exact()


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``.

    Public holidays are not known here; callers that need them must add them.
    Used for acknowledgement periods such as the CCPA's ten business days.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
