"""What each request type does once verified: one small function per type.

Each action gets a :class:`Context` (the open transaction, the claimed
request, the clock) and returns a :class:`Done`; :mod:`pledge.rights.fulfil`
closes the request, mails the person and commits, all at once.
"""

from __future__ import annotations

from collections.abc import Callable

from pledge.policy import RightType
from pledge.rights.actions.common import Context, Done
from pledge.rights.actions.disclose import access, disclosures, know, portability
from pledge.rights.actions.effects import (
    objection,
    opt_out_marketing,
    rectification,
    restriction,
    withdraw_consent,
)
from pledge.rights.actions.erase import erasure

ACTIONS: dict[RightType, Callable[[Context], Done]] = {
    RightType.ACCESS: access,
    RightType.KNOW: know,
    RightType.PORTABILITY: portability,
    RightType.DISCLOSURES: disclosures,
    RightType.ERASURE: erasure,
    RightType.RECTIFICATION: rectification,
    RightType.RESTRICTION: restriction,
    RightType.OBJECTION: objection,
    RightType.WITHDRAW_CONSENT: withdraw_consent,
    RightType.OPT_OUT_MARKETING: opt_out_marketing,
}
"""One action per type of :data:`pledge.policy.REQUESTABLE` (a test holds them equal)."""

__all__ = ["ACTIONS", "Context", "Done"]
