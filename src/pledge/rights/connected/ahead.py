"""What fulfilment asks the connected systems before its transaction opens.

Why before: these are network calls (a database elsewhere, a processor's API)
and the store's write lock must not wait on them. Three questions, each
skipped when it cannot matter: is the person there, and does their second
data point match (:mod:`~pledge.rights.connected.presence`); which identities
lead from one system into another (:mod:`~pledge.rights.connected.identities`);
and, for an export, what every system holds (:mod:`~pledge.rights.connected.reads`).
A system that cannot be asked leaves the request ``verified`` for the periodic
task, unless only the read failed: then the engine's tasks take it over.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.graph import AmbiguousPerson
from pledge.connectors.registry import systems_of
from pledge.core import Pledge
from pledge.db.models import RightsRequest
from pledge.rights.connected.identities import across_systems, crossing_kinds
from pledge.rights.connected.presence import Presence, connected_presence
from pledge.rights.connected.reads import Read, read_ahead
from pledge.rights.connected.work import ACTION_OF, person_identities

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ahead:
    presence: Presence = field(default_factory=Presence)
    identities: dict[str, frozenset[str]] | None = None
    """The person's identities across systems; None: the request's e-mail alone."""
    reads: list[Read] | None = None
    unavailable: bool = False


def look_ahead(pledge: Pledge, request_id: str) -> Ahead:
    presence = connected_presence(pledge, request_id)
    if presence.unavailable:
        return Ahead(unavailable=True)
    systems = systems_of(pledge)
    if not systems.ids:
        return Ahead(presence)
    with pledge.sessions() as session:
        row = session.get(RightsRequest, request_id)
        if row is None or row.type not in ACTION_OF:
            return Ahead(presence)
        start = person_identities(session, pledge, row)
    if not start:
        return Ahead(presence)
    identities = None
    if crossing_kinds(systems.file):
        try:
            identities = across_systems(systems, start)
        except AmbiguousPerson:
            log.warning("request %s: identities across systems are ambiguous", request_id)
            return Ahead(presence)  # each system's own task meets it and fails, for staff
        except (SystemUnavailable, SystemMisdeclared) as exc:
            log.warning("request %s: identities not gathered (%s)", request_id, type(exc).__name__)
            return Ahead(presence, unavailable=True)
    reads = read_ahead(pledge, request_id, identities or start)
    return Ahead(presence, identities, reads)


__all__ = ["Ahead", "look_ahead"]
