"""When to try a failed delivery again: exponential back-off with jitter.

Why jitter: when a receiver comes back after an outage, every delivery that
failed during it would otherwise be due at the same instant and hit it at
once; a random share of each delay spreads them out.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from pledge.delivery.kinds import RetryPolicy

_random = random.SystemRandom()


def nominal_delay(attempts: int, policy: RetryPolicy) -> timedelta:
    """``first_delay`` doubled per failure after the first, capped at ``max_delay``."""
    exponent = min(max(attempts - 1, 0), 30)
    delay: timedelta = policy.first_delay * 2**exponent
    return min(delay, policy.max_delay)


def retry_delay(
    attempts: int, policy: RetryPolicy, draw: Callable[[], float] = _random.random
) -> timedelta:
    """The wait after ``attempts`` failures: the nominal delay less a random share of it."""
    share = min(max(draw(), 0.0), 1.0)
    return nominal_delay(attempts, policy) * (1 - policy.jitter * share)
