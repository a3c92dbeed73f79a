"""The kinds of delivery, their states, and how patiently each is retried.

Why per kind: an SMTP relay that is down for an hour and a Client endpoint
that is down for a day call for different patience, and a recipient notice
that nobody can receive should reach staff sooner than either. Operators
override the attempt budget per kind with ``PLEDGE_DELIVERY_MAX_ATTEMPTS``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from pledge.settings import Settings


class Kind(StrEnum):
    """What is delivered, which decides the transport and who hears of the outcome."""

    EMAIL = "email"
    CLIENT_WEBHOOK = "client_webhook"
    RECIPIENT_NOTICE = "recipient_notice"
    CONNECTOR = "connector"
    """A request's action in one connected system (``PLEDGE_SYSTEMS``)."""


class Status(StrEnum):
    """A delivery's state: only ``pending`` is ever claimed by a worker."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    """Gave up (a permanent refusal, or the attempts ran out); revived by hand only."""
    CANCELLED = "cancelled"
    """Withdrawn before delivery (an erasure or restriction); never sent."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off from ``first_delay`` up to ``max_delay``, jittered, then dead."""

    first_delay: timedelta
    max_delay: timedelta
    max_attempts: int
    jitter: float = 0.5
    """Each delay is drawn from [nominal × (1 - jitter), nominal], so retries of many
    deliveries that failed together spread out instead of arriving together."""


DEFAULT_RETRY: dict[str, RetryPolicy] = {
    Kind.EMAIL: RetryPolicy(timedelta(seconds=30), timedelta(hours=1), max_attempts=30),
    Kind.CLIENT_WEBHOOK: RetryPolicy(timedelta(seconds=10), timedelta(hours=1), max_attempts=50),
    Kind.RECIPIENT_NOTICE: RetryPolicy(timedelta(minutes=1), timedelta(hours=1), max_attempts=10),
    Kind.CONNECTOR: RetryPolicy(timedelta(seconds=15), timedelta(hours=1), max_attempts=60),
}
"""Mail for about a day, Client webhooks for about two, notices for a few hours, a
connected system for about two days and a half (a request's deadline is a month)."""

FALLBACK_RETRY = RetryPolicy(timedelta(seconds=30), timedelta(hours=1), max_attempts=30)
"""For a kind added later (a connector) that names no policy of its own."""


def retry_policy(settings: Settings, kind: str) -> RetryPolicy:
    """The kind's policy, with the operator's attempt budget where one is set."""
    policy = DEFAULT_RETRY.get(kind, FALLBACK_RETRY)
    override = settings.delivery_max_attempts.get(kind)
    return policy if override is None else replace(policy, max_attempts=max(override, 1))
