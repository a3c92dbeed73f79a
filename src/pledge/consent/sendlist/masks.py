"""The common facts of one address for one purpose and channel, packed into a small integer.

Known or not, opt-in jurisdiction or not, latest consent given, withdrawn or
absent: seven combinations, so a million addresses share at most seven
masks and each is decided once by :func:`pledge.consent.rules.marketing_verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import ColumnElement, case, false

from pledge.consent.rules import Facts, opt_in_jurisdictions
from pledge.db.models import MarketingReach
from pledge.policy import Policy

KNOWN, OPT_IN, GRANTED, WITHDRAWN = 1, 2, 4, 8
"""Bits of a mask; 0 is an address ``marketing_reach`` does not hold."""


@dataclass(frozen=True)
class Target:
    """The purpose and channel being filtered, with the policy's opt-in jurisdictions."""

    purpose: str
    channel: str
    opt_in: frozenset[str]


def target(policy: Policy, purpose: str, channel: str) -> Target:
    return Target(purpose, channel, opt_in_jurisdictions(policy, purpose))


@cache
def facts_of_mask(mask: int) -> Facts:
    """The common facts a mask stands for (no rights-process facts, no times); immutable."""
    return Facts(
        known=bool(mask & KNOWN),
        opt_in=bool(mask & OPT_IN),
        granted=True if mask & GRANTED else False if mask & WITHDRAWN else None,
    )


def mask_of(goal: Target, known: ColumnElement[bool]) -> ColumnElement[int]:
    """The mask of a ``marketing_reach`` row as SQL; 0 where ``known`` is false."""
    reach = MarketingReach
    granted = getattr(reach, f"{goal.channel}_granted")
    opt_in = reach.jurisdiction.in_(sorted(goal.opt_in)) if goal.opt_in else false()
    common = (
        KNOWN
        + case((opt_in, OPT_IN), else_=0)
        + case((granted.is_(True), GRANTED), (granted.is_(False), WITHDRAWN), else_=0)
    )
    return case((known, common), else_=0)
