"""The data map: for each policy category, where its data lives in the connected systems.

Drawn from the connected-systems file alone (no connection), so the console
can show it on every page load and the record of processing can list it. The
policy package never imports connectors: it receives the plain mapping of
:func:`locations_by_category`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pledge.connectors.spec import Erase, SystemsFile


@dataclass(frozen=True)
class Holding:
    """One column holding data of a category."""

    system: str
    collection: str
    column: str
    policy_field: str
    erase: Erase
    reason: str | None
    """Why the column is kept (``keep`` only)."""

    @property
    def location(self) -> str:
        return f"{self.system}.{self.collection}"


def data_map(systems: SystemsFile) -> dict[str, list[Holding]]:
    """Category id -> every column of every system holding it, in the file's order."""
    found: dict[str, list[Holding]] = {}
    for system_id, system in systems.systems.items():
        for name, collection in system.collections.items():
            for column, spec in collection.fields.items():
                holding = Holding(
                    system=system_id,
                    collection=name,
                    column=column,
                    policy_field=spec.policy_field(column),
                    erase=spec.erase,
                    reason=spec.reason if spec.erase is Erase.KEEP else None,
                )
                found.setdefault(spec.category, []).append(holding)
    return found


def locations_by_category(systems: SystemsFile) -> dict[str, list[str]]:
    """Category id -> the ``system.collection`` places holding it, each once."""
    return {
        category: list(dict.fromkeys(h.location for h in holdings))
        for category, holdings in data_map(systems).items()
    }


__all__ = ["Holding", "data_map", "locations_by_category"]
