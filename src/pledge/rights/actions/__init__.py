"""What each request type does once verified: one small function per type.

Each action gets a :class:`Context` (the open transaction, the claimed
request, the clock) and returns a :class:`Done`; :mod:`pledge.rights.fulfil`
closes the request, mails the person and commits, all at once.
"""

from __future__ import annotations

from collections.abc import Callable

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

ACTIONS: dict[str, Callable[[Context], Done]] = {
    "access": access,
    "know": know,
    "portability": portability,
    "disclosures": disclosures,
    "erasure": erasure,
    "rectification": rectification,
    "restriction": restriction,
    "objection": objection,
    "withdraw_consent": withdraw_consent,
    "opt_out_marketing": opt_out_marketing,
}

__all__ = ["ACTIONS", "Context", "Done"]
