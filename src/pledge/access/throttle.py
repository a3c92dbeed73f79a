"""Rate limits shared by every server process: a sliding window counted in the database.

Why the database and not process memory: ``pledge serve --workers N`` and
several machines behind one address all answer the same attacker, and a limit
kept per process multiplies by the number of processes. One hit is one atomic
upsert (``INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits``,
on PostgreSQL and SQLite alike) in its own short transaction, committed before
the caller does anything expensive, so parallel requests each see their own
count and none slips past the limit.

The window slides: hits are counted per fixed window, and the estimate is this
window's hits plus the previous window's weighted by how much of it still lies
in the last ``seconds`` (the "sliding window counter"). Two rows per bucket at
most are alive; old rows are removed now and then by whoever hits.

A bucket names what is counted only through a keyed hash (the system key of
:class:`~pledge.crypto.keys.KeyManager`): no IP or e-mail address is stored.
"""

from __future__ import annotations

import ipaddress
import math
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pledge.core import Pledge
from pledge.db.models import ThrottleCounter
from pledge.errors import TooManyRequests

PURGE_ONE_IN = 64
"""About one hit in this many also deletes expired counters."""


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` hits per ``seconds`` for one bucket of ``scope``."""

    scope: str
    limit: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: float
    """The sliding-window estimate, this hit included."""
    retry_after: int
    """Seconds until the estimate falls under the limit again (0 when allowed)."""


def client_address(host: str | None) -> str:
    """The address a limit counts: IPv4 as is, IPv6 by its /64 (one customer's network)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address) + "/64"
    return str(address)


def bucket_of(pledge: Pledge, rule: Rule, *parts: str) -> str:
    """The keyed hash that names ``parts`` under ``rule``'s scope."""
    joined = "\x1f".join(parts)
    return pledge.keys.sign(f"throttle:{rule.scope}:{joined}")


def hit(pledge: Pledge, rule: Rule, *parts: str, now: float | None = None) -> Verdict:
    """Count one hit against ``rule`` for ``parts``; committed before it returns."""
    now = time.time() if now is None else now
    window = int(now // rule.seconds)
    elapsed = (now - window * rule.seconds) / rule.seconds
    bucket = bucket_of(pledge, rule, *parts)
    insert = pg_insert if pledge.engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ThrottleCounter)
        .values(bucket=bucket, period=window, hits=1, expires_at=(window + 2) * rule.seconds)
        .on_conflict_do_update(
            index_elements=["bucket", "period"],
            set_={"hits": ThrottleCounter.hits + 1},
        )
        .returning(ThrottleCounter.hits)
    )
    with pledge.transaction() as session:
        current = int(session.execute(statement).scalar_one())
        previous = session.execute(
            select(ThrottleCounter.hits).where(
                ThrottleCounter.bucket == bucket, ThrottleCounter.period == window - 1
            )
        ).scalar()
        if secrets.randbelow(PURGE_ONE_IN) == 0:
            session.execute(delete(ThrottleCounter).where(ThrottleCounter.expires_at < now))
    count = (previous or 0) * (1 - elapsed) + current
    if count <= rule.limit:
        return Verdict(True, count, 0)
    return Verdict(False, count, _retry_after(rule, current, previous or 0, elapsed))


def _retry_after(rule: Rule, current: int, previous: int, elapsed: float) -> int:
    """When the weighted estimate drops to the limit, if no one hits meanwhile."""
    if current > rule.limit:
        # Only the next window's sliding share of this one can bring it down.
        fraction = 1 - rule.limit / current
        return max(1, math.ceil((1 - elapsed + fraction) * rule.seconds))
    fraction = (previous + current - rule.limit) / previous if previous else 0
    return max(1, math.ceil((fraction - elapsed) * rule.seconds))


def clear(pledge: Pledge, rule: Rule, *parts: str) -> None:
    """Forget every hit of ``parts`` under ``rule`` (after a successful sign-in)."""
    bucket = bucket_of(pledge, rule, *parts)
    with pledge.transaction() as session:
        session.execute(delete(ThrottleCounter).where(ThrottleCounter.bucket == bucket))


def forgive(pledge: Pledge, rule: Rule, *parts: str, now: float | None = None) -> None:
    """Take back one hit of this window (a sign-in that succeeded was no attack)."""
    now = time.time() if now is None else now
    bucket = bucket_of(pledge, rule, *parts)
    with pledge.transaction() as session:
        session.execute(
            update(ThrottleCounter)
            .where(
                ThrottleCounter.bucket == bucket,
                ThrottleCounter.period == int(now // rule.seconds),
                ThrottleCounter.hits > 0,
            )
            .values(hits=ThrottleCounter.hits - 1)
        )


def enforce(pledge: Pledge, rule: Rule, *parts: str, message: str) -> None:
    """:func:`hit`, raising :class:`Throttled` (429) when over the limit."""
    verdict = hit(pledge, rule, *parts)
    if not verdict.allowed:
        raise Throttled(message, retry_after=verdict.retry_after)


class Throttled(TooManyRequests):
    """429 with the seconds to wait, for a ``Retry-After`` header."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
