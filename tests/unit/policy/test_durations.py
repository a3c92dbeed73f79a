"""ISO 8601 durations: parsing and calendar-correct addition.

Retention and every legal deadline are computed with these functions, so the
properties that make a deadline trustworthy (adding nothing changes nothing,
longer durations never end earlier, a month from 31 January ends in February)
are checked over many generated values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pledge.policy import Duration, add_business_days, add_duration, parse_iso_duration
from pledge.policy.durations import is_iso_duration

small = st.integers(min_value=0, max_value=500)
durations = st.builds(
    Duration, years=small, months=small, days=small, hours=small, minutes=small, seconds=small
)
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2500, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P2Y", Duration(years=2)),
        ("P13M", Duration(months=13)),
        ("P30D", Duration(days=30)),
        ("P45D", Duration(days=45)),
        ("PT30M", Duration(minutes=30)),
        ("PT1M", Duration(minutes=1)),
        ("P1Y2M3DT4H5M6S", Duration(1, 2, 3, 4, 5, 6)),
        ("P2W", Duration(days=14)),
        ("P0D", Duration()),
    ],
)
def test_parse(text: str, expected: Duration) -> None:
    """The forms the policy uses parse to their parts."""
    assert parse_iso_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "P", "PT", "P1DT", "1M", "P1.5D", "P-1D", "P1X", "p1d", "P1M2Y", "45 days", "P١D"],
)
def test_rejects(text: str) -> None:
    """Anything else is a ValueError, never a silent zero."""
    with pytest.raises(ValueError, match="duration"):
        parse_iso_duration(text)
    assert not is_iso_duration(text)


def test_rejects_absurd_lengths() -> None:
    """Huge values would overflow date arithmetic later; they are refused up front."""
    with pytest.raises(ValueError, match="too long"):
        parse_iso_duration("P99999999999Y")


@pytest.mark.parametrize(
    ("start", "text", "end"),
    [
        (datetime(2023, 1, 31), "P1M", datetime(2023, 2, 28)),
        (datetime(2024, 1, 31), "P1M", datetime(2024, 2, 29)),
        (datetime(2024, 2, 29), "P1Y", datetime(2025, 2, 28)),
        (datetime(2024, 3, 31), "P1M", datetime(2024, 4, 30)),
        (datetime(2024, 11, 30), "P2M", datetime(2025, 1, 30)),
        (datetime(2024, 1, 31), "P1M1D", datetime(2024, 3, 1)),
        (datetime(2024, 12, 31, 23, 30), "PT30M", datetime(2025, 1, 1)),
    ],
)
def test_add_duration_examples(start: datetime, text: str, end: datetime) -> None:
    """Months clamp to the month's last day; exact parts are added afterwards."""
    assert add_duration(start, parse_iso_duration(text)) == end


def test_timezone_is_kept() -> None:
    """Aware datetimes stay aware, in the same zone."""
    start = datetime(2024, 1, 31, 12, tzinfo=UTC)
    assert add_duration(start, Duration(months=1)).tzinfo is UTC


@given(moments)
def test_adding_zero_is_identity(start: datetime) -> None:
    """P0D changes nothing."""
    assert add_duration(start, parse_iso_duration("P0D")) == start


@given(moments, durations)
def test_never_goes_back(start: datetime, duration: Duration) -> None:
    """A non-negative duration never ends before it starts."""
    assert add_duration(start, duration) >= start


@given(moments, durations, durations)
def test_monotonic_in_the_duration(start: datetime, a: Duration, b: Duration) -> None:
    """A duration at least as long in every part never ends earlier."""
    longer = Duration(*(max(x, y) for x, y in zip(_parts(a), _parts(b), strict=True)))
    assert add_duration(start, longer) >= add_duration(start, a)


@given(moments, moments, durations)
def test_monotonic_in_the_start(first: datetime, second: datetime, duration: Duration) -> None:
    """A later start never gives an earlier deadline (clamping can make them equal)."""
    early, late = sorted((first, second))
    assert add_duration(early, duration) <= add_duration(late, duration)


@given(moments, st.integers(min_value=0, max_value=1200))
def test_months_land_on_the_same_day_or_the_month_end(start: datetime, months: int) -> None:
    """Adding months keeps the day of month unless the target month is too short."""
    end = add_duration(start, Duration(months=months))
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    next_day = end + timedelta(days=1)
    assert end.day == start.day or (end.day < start.day and next_day.day == 1)


@given(durations)
def test_str_round_trips(duration: Duration) -> None:
    """The canonical text parses back to the same duration."""
    assert parse_iso_duration(str(duration)) == duration


@given(durations)
def test_approximate_matches_exact_part(duration: Duration) -> None:
    """The approximation counts a year as 365 days and a month as 30."""
    expected = timedelta(days=duration.years * 365 + duration.months * 30) + duration.exact()
    assert duration.approximate() == expected


def test_business_days_skip_weekends() -> None:
    """Ten business days from a Friday end on the second Friday after."""
    friday = date(2024, 5, 3)
    assert add_business_days(friday, 10) == date(2024, 5, 17)
    assert add_business_days(friday, 1) == date(2024, 5, 6)
    assert add_business_days(friday, 0) == friday
    with pytest.raises(ValueError, match="negative"):
        add_business_days(friday, -1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 60))
def test_business_days_land_on_weekdays(start: date, days: int) -> None:
    """The result is a weekday (unless nothing was added) and never before the start."""
    end = add_business_days(start, days)
    assert end >= start
    if days:
        assert end.weekday() < 5


def _parts(duration: Duration) -> tuple[int, ...]:
    return (
        duration.years,
        duration.months,
        duration.days,
        duration.hours,
        duration.minutes,
        duration.seconds,
    )
