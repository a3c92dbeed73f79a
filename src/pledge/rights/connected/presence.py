"""Is the person in the connected systems, and does their second data point match there?

Why before fulfilment, outside its transaction: a person may be known only to
the shop's database (never to Pledge), and a request that reveals or changes
data needs a second data point that matches what is held (issue #14, item 5).
Asking the systems takes network time, which must not hold the store's write
lock (SQLite has one for everyone); so it is asked first, and fulfilment reads
the verdict. The typed value was never kept: only its blind index, so each
held value is indexed the same way and compared, and no system sees the value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.graph import AmbiguousPerson
from pledge.connectors.registry import systems_of
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.models import RightsRequest
from pledge.errors import ValidationFailed
from pledge.policy import REVEALS_OR_CHANGES_DATA
from pledge.rights.connected.work import ACTION_OF
from pledge.rights.lifecycle import person_email, private_data
from pledge.rights.states import VERIFIED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Presence:
    """What the systems said of the person: found there, second data point matched there."""

    found: bool = False
    matched: bool = False
    unavailable: bool = False
    """A system could not be asked: fulfilment waits for the periodic retry."""


def connected_presence(pledge: Pledge, request_id: str) -> Presence:
    """Ask each connected system about the verified request's person (none: nothing to ask)."""
    systems = systems_of(pledge)
    if not systems.ids:
        return Presence()
    with pledge.sessions() as session:
        row = session.get(RightsRequest, request_id)
        if row is None or row.status != VERIFIED or not _needs_answer(row):
            return Presence()
        email = person_email(pledge, row)
        wanted = _wanted(pledge, row)
        country = row.country
    if not email:
        return Presence()
    start = {"email": frozenset({email.strip().lower()})}
    found = matched = False
    for system_id in systems.ids:
        try:
            connector = systems.connector(system_id)
            if wanted and not matched:  # a match also says the person is there: one walk
                matched = all(
                    connector.holds(start, field, _same_as(pledge.keys, field, index, country))
                    for field, index in wanted.items()
                )
                found = found or matched
            if not found:
                found = connector.holds(start, "email", lambda _value: True)
        except AmbiguousPerson:  # several people answer to these details there: not verified
            return Presence(found=True, matched=False)
        except (SystemUnavailable, SystemMisdeclared) as exc:
            what = type(exc).__name__
            log.warning("request %s: system %s not asked (%s)", request_id, system_id, what)
            return Presence(unavailable=True)
    return Presence(found=found, matched=matched)


def _needs_answer(row: RightsRequest) -> bool:
    """Only types that reveal or change data need the second point, and only when the
    local store did not already give it."""
    return (
        row.type in ACTION_OF and row.type in REVEALS_OR_CHANGES_DATA and row.verification != "full"
    )


def _wanted(pledge: Pledge, row: RightsRequest) -> dict[str, str]:
    """The declared verifiers the person gave (blind indexes), never the address itself."""
    given: dict[str, str] = private_data(pledge, row).get("match") or {}
    verification = pledge.policy.verification
    return {
        field: index
        for field, index in given.items()
        if field != "email" and verification.verifier(field) is not None
    }


def _same_as(keys: KeyManager, field: str, index: str, country: str) -> Callable[[str], bool]:
    """Whether a held value, indexed as the typed one was, is the same."""
    kind = "phone" if field == "phone" else f"match:{field}"

    def matches(value: str) -> bool:
        try:
            return keys.blind_index(kind, value, country) == index
        except ValidationFailed:  # a held value that is no phone number at all
            return False

    return matches


__all__ = ["Presence", "connected_presence"]
