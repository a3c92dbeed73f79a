"""A complaint's states, and the moves staff may make between them.

``received`` until staff take it up (``investigating``); it ends ``answered``
(the answer mailed to the person) or ``escalated`` (referred to the policy's
independent recourse body, with that body's reference).
"""

from __future__ import annotations

from pledge.errors import Conflict

RECEIVED = "received"
INVESTIGATING = "investigating"
ANSWERED = "answered"
ESCALATED = "escalated"
STATES = (RECEIVED, INVESTIGATING, ANSWERED, ESCALATED)
CLOSED = frozenset({ANSWERED, ESCALATED})
METHODS = ("web", "post", "phone")
"""web: the privacy center or the API; post and phone: entered by staff."""

MOVES: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({INVESTIGATING, ANSWERED, ESCALATED}),
    INVESTIGATING: frozenset({ANSWERED, ESCALATED}),
    ANSWERED: frozenset({ESCALATED}),
    ESCALATED: frozenset(),
}
"""An answered complaint may still be escalated: the person was not satisfied."""


def check_move(current: str, wanted: str) -> None:
    """409 unless ``wanted`` may follow ``current``."""
    if wanted not in MOVES.get(current, frozenset()):
        raise Conflict(f"a complaint that is {current} cannot become {wanted}")
