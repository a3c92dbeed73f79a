"""The person's identities across systems: what one system finds leads into another.

Why: a shop keys its customers by e-mail, while a CRM may know the same person
only by the shop's customer id. Each system's connector walks its own tables
(or asks its processor); here, the identity kinds one system finds and
another declares are carried over, round after round, until nothing new is
found. Only kinds that cross systems are worth the extra look-ups, so when no
system declares a kind another produces (a single shop, say), nothing is asked.
"""

from __future__ import annotations

from pledge.connectors.graph import AmbiguousPerson
from pledge.connectors.registry import Systems
from pledge.connectors.spec import START_KINDS, SystemsFile

ROUNDS = 3
MAX_NEW = 5
"""Values of one kind a round may add: a person has a customer id or two, not hundreds; a
system that answers more (a processor out of sync) would lead to strangers' rows."""


def crossing_kinds(file: SystemsFile) -> frozenset[str]:
    """Identity kinds, besides e-mail and phone, that more than one system declares."""
    seen: dict[str, set[str]] = {}
    for system_id, spec in file.systems.items():
        for collection in spec.collections.values():
            for kind in collection.identity:
                seen.setdefault(kind, set()).add(system_id)
    return frozenset(k for k, ids in seen.items() if len(ids) > 1 and k not in START_KINDS)


def across_systems(systems: Systems, start: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """``start`` widened by the crossing kinds each system finds (SystemUnavailable passes up)."""
    crossing = crossing_kinds(systems.file)
    if not crossing:
        return start
    known = dict(start)
    for _ in range(ROUNDS):
        grown = False
        for system_id in systems.ids:
            found = systems.connector(system_id).identities(known)
            for kind in crossing:
                new = found.get(kind, frozenset()) - known.get(kind, frozenset())
                if len(new) > MAX_NEW:
                    raise AmbiguousPerson(f"{system_id}: {len(new)} values of {kind}")
                if new:
                    known[kind] = known.get(kind, frozenset()) | new
                    grown = True
        if not grown:
            break
    return known


__all__ = ["MAX_NEW", "ROUNDS", "across_systems", "crossing_kinds"]
