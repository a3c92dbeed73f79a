"""Back-off: exponential, capped, jittered within bounds; attempt budgets per kind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pledge.delivery import Kind, retry_policy
from pledge.delivery.backoff import nominal_delay, retry_delay
from pledge.delivery.kinds import RetryPolicy
from pledge.settings import Settings

POLICY = RetryPolicy(timedelta(seconds=30), timedelta(hours=1), max_attempts=30, jitter=0.5)


def test_the_nominal_delay_doubles_from_the_first_up_to_the_cap() -> None:
    delays = [nominal_delay(n, POLICY).total_seconds() for n in (1, 2, 3, 4, 7, 8, 50, 10_000)]
    assert delays == [30, 60, 120, 240, 1920, 3600, 3600, 3600]


def test_jitter_takes_at_most_its_share_off_the_nominal_delay() -> None:
    assert retry_delay(3, POLICY, lambda: 0.0) == timedelta(seconds=120)
    assert retry_delay(3, POLICY, lambda: 1.0) == timedelta(seconds=60)
    assert retry_delay(3, POLICY, lambda: 7.0) == timedelta(seconds=60), "draws are clamped"
    for attempts in (1, 2, 5, 9, 40):
        nominal = nominal_delay(attempts, POLICY)
        drawn = {retry_delay(attempts, POLICY) for _ in range(200)}
        assert all(nominal / 2 <= delay <= nominal for delay in drawn)
        assert len(drawn) > 150, "real jitter: delays of deliveries that failed together differ"


def test_each_kind_has_its_own_budget_and_operators_can_change_it() -> None:
    settings = Settings(database_url="sqlite://", delivery_max_attempts={"email": 5})
    assert retry_policy(settings, Kind.EMAIL).max_attempts == 5
    assert retry_policy(settings, Kind.RECIPIENT_NOTICE).max_attempts == 10
    assert retry_policy(settings, Kind.CLIENT_WEBHOOK).max_attempts == 50
    assert retry_policy(settings, "a_connector").max_attempts == 30


def test_the_budget_reads_json_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEDGE_DELIVERY_MAX_ATTEMPTS", '{"client_webhook": 7}')
    assert retry_policy(Settings(), Kind.CLIENT_WEBHOOK).max_attempts == 7


def test_the_lease_must_outlast_a_webhook_post() -> None:
    with pytest.raises(ValueError, match="LEASE_SECONDS must be longer"):
        Settings(database_url="sqlite://", delivery_lease_seconds=30, webhook_deadline_seconds=30)
