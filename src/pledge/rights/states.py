"""The life of a request: its statuses, the moves between them, and the request types.

Why a table of moves: a request's status is what the person, staff and the
yearly report rely on, so an impossible move (completing a request nobody
verified, denying one twice) is refused here rather than trusted to callers.

```
pending_verification ──code──▶ verified ──fulfil──▶ completed | denied
        │                          ├──staff_review──▶ awaiting_review ──approve──▶ verified
        │                          └──rectification, no corrections──▶ awaiting_corrections
        │                                 ──the person sends them (request page)──▶ awaiting_review
        ├──5 wrong codes──▶ locked
        └──(Service Data)──▶ referred

verified ──fulfil, connected systems (PLEDGE_SYSTEMS)──▶ awaiting_systems
        ──every system's task done──▶ completed | denied

a report of a child's data ──▶ awaiting_review ──staff erase──▶ completed | denied
```
Staff may deny any open request, and complete one they handled by hand.

A report that a child gave us data (:mod:`pledge.rights.child_reports`) starts
in ``awaiting_review``: nobody is verified by a code, so it never passes
through ``verified`` and it is never approved into fulfilment; staff close it
by erasing (``completed``) or denying it.
"""

from __future__ import annotations

from typing import Final

from pledge.errors import Conflict

__all__ = [
    "AWAITING_CORRECTIONS",
    "AWAITING_REVIEW",
    "AWAITING_SYSTEMS",
    "CHILD_REPORT",
    "CLOSED",
    "COMPLETED",
    "DENIED",
    "FULFILLING",
    "LOCKED",
    "OPEN",
    "PENDING_VERIFICATION",
    "REFERRED",
    "VERIFIED",
    "check_move",
]

PENDING_VERIFICATION: Final = "pending_verification"
VERIFIED: Final = "verified"
AWAITING_REVIEW: Final = "awaiting_review"
AWAITING_CORRECTIONS: Final = "awaiting_corrections"
"""A rectification verified without corrections: the person gives them on the request's page."""
AWAITING_SYSTEMS: Final = "awaiting_systems"
"""Fulfilment waits for the company's other systems (one task each, retried while down)."""
COMPLETED: Final = "completed"
DENIED: Final = "denied"
LOCKED: Final = "locked"
REFERRED: Final = "referred"
CHILD_REPORT: Final = "child_report"
"""The scope of a report that a child gave data: staff handle it; it has no page."""
FULFILLING: Final = "fulfilling"
"""Held only inside the fulfilment transaction: the claim that makes fulfilment run once."""

OPEN = frozenset(
    {PENDING_VERIFICATION, VERIFIED, AWAITING_REVIEW, AWAITING_CORRECTIONS, AWAITING_SYSTEMS}
)
"""Statuses whose clock is still running."""
CLOSED = frozenset({COMPLETED, DENIED, LOCKED, REFERRED})

_MOVES: dict[str, frozenset[str]] = {
    PENDING_VERIFICATION: frozenset({VERIFIED, LOCKED, DENIED, COMPLETED, REFERRED}),
    VERIFIED: frozenset({COMPLETED, DENIED, AWAITING_REVIEW, AWAITING_CORRECTIONS}),
    FULFILLING: frozenset(
        {COMPLETED, DENIED, AWAITING_REVIEW, AWAITING_CORRECTIONS, AWAITING_SYSTEMS}
    ),
    AWAITING_SYSTEMS: frozenset({COMPLETED, DENIED}),
    AWAITING_REVIEW: frozenset({VERIFIED, COMPLETED, DENIED}),
    AWAITING_CORRECTIONS: frozenset({AWAITING_REVIEW, COMPLETED, DENIED}),
}


def check_move(current: str, new: str) -> None:
    """Refuse (409) a move the life cycle does not allow."""
    if new not in _MOVES.get(current, frozenset()):
        raise Conflict(f"a request that is {current} cannot become {new}")
