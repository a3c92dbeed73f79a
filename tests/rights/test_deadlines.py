"""Deadlines are pure functions of the policy's rights: checked over any receipt time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pledge.policy import bundled_policy_path, load_policy
from pledge.policy.durations import add_months
from pledge.rights import deadlines
from pledge.rights.deadlines import ExtensionRefused

POLICY = load_policy(bundled_policy_path())
EU = POLICY.right("eu", "access")
CA = POLICY.right("california", "access")
OTHER = POLICY.right("other", "access")
assert EU is not None
assert CA is not None
assert OTHER is not None

receipts = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
)


def test_eu_one_month_calendar_correct() -> None:
    received = datetime(2024, 1, 31, 9, 0, tzinfo=UTC)
    assert deadlines.due_date(EU, received) == datetime(2024, 2, 29, 9, 0, tzinfo=UTC)
    assert deadlines.acknowledge_by(EU, received) is None


def test_california_45_days_and_ten_business_days() -> None:
    received = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)  # a Friday
    assert deadlines.due_date(CA, received) == received + timedelta(days=45)
    ack = deadlines.acknowledge_by(CA, received)
    assert ack is not None
    assert ack.date() == datetime(2024, 3, 15).date()


def test_other_jurisdictions_per_policy() -> None:
    received = datetime(2024, 5, 5, tzinfo=UTC)
    assert deadlines.due_date(OTHER, received) == received + timedelta(days=30)
    with pytest.raises(ExtensionRefused):
        deadlines.extend(OTHER, received, already_extended=False, now=received)


@given(received=receipts, wait=st.integers(min_value=0, max_value=31 * 24))
def test_eu_extension_never_past_three_months(received: datetime, wait: int) -> None:
    now = received + timedelta(hours=wait)
    try:
        granted = deadlines.extend(EU, received, already_extended=False, now=now)
    except ExtensionRefused:
        assert now > add_months(received, 1), "refused only after the first month"
        return
    assert granted.due_at <= add_months(received, 3)
    assert granted.due_at > deadlines.due_date(EU, received)


@given(received=receipts, wait=st.integers(min_value=0, max_value=45 * 24))
def test_california_extension_never_past_90_days(received: datetime, wait: int) -> None:
    granted = deadlines.extend(
        CA, received, already_extended=False, now=received + timedelta(hours=wait)
    )
    assert granted.due_at <= received + timedelta(days=90)


@given(received=receipts)
def test_extending_twice_is_refused(received: datetime) -> None:
    for right in (EU, CA):
        with pytest.raises(ExtensionRefused):
            deadlines.extend(right, received, already_extended=True, now=received)


@given(first=receipts, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
def test_due_date_is_monotonic_in_receipt(first: datetime, gap: timedelta) -> None:
    later = first + gap
    for right in (EU, CA, OTHER):
        assert deadlines.due_date(right, first) <= deadlines.due_date(right, later)
        assert deadlines.latest_due_date(right, first) <= deadlines.latest_due_date(right, later)


def test_extension_refused_after_the_notice_period() -> None:
    received = datetime(2024, 1, 10, tzinfo=UTC)
    with pytest.raises(ExtensionRefused, match="notice period"):
        deadlines.extend(
            EU, received, already_extended=False, now=datetime(2024, 2, 11, tzinfo=UTC)
        )


def test_overdue_and_at_risk() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    assert deadlines.overdue(now - timedelta(seconds=1), now)
    assert deadlines.at_risk(now + timedelta(days=6), now)
    assert not deadlines.at_risk(now + timedelta(days=8), now)
    assert not deadlines.at_risk(now - timedelta(days=1), now)
