"""What every connector does, whatever it talks to: the contract rights fulfilment relies on.

Why one protocol for databases and processors' APIs: fulfilment asks each
system the same five questions (what do you hold, give it, erase it, correct
it, restrict it) and must treat a database that is down and an API that is
down alike: :class:`SystemUnavailable` means "try again later" (the delivery
engine backs off and retries), anything else is a fault in the declaration.

Nothing here holds personal data longer than a call: identities come in,
rows stream out, reports carry counts, collection names and reasons only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Identities = Mapping[str, frozenset[str]]
"""Identity kind (``email``, ``phone``, ``shop_customer_id``…) -> the person's values."""


class SystemUnavailable(Exception):
    """The system could not be reached or did not answer in time: retry later.

    ``reason`` is an exception class name or a status code, never a value.
    """

    def __init__(self, system_id: str, reason: str) -> None:
        super().__init__(f"{system_id}: {reason}")
        self.system_id = system_id
        self.reason = reason


class SystemMisdeclared(Exception):
    """The live system does not match its declaration (a missing table or column)."""


@dataclass(frozen=True)
class Row:
    """One row reached from the person: its declared personal fields, by category."""

    collection: str
    key: str
    """The primary key's value, as text."""
    by_category: dict[str, dict[str, Any]]
    """Policy category -> column -> value (JSON-ready: text, number, bool, ISO date)."""


@dataclass
class CollectionReport:
    """What an action did in one collection (counts and names only)."""

    rows: int = 0
    """Rows of the person found in it."""
    changed: int = 0
    """Rows updated (erased fields, a correction, a restriction flag)."""
    deleted: int = 0
    fields: list[str] = field(default_factory=list)
    """Columns the action wrote."""
    kept: dict[str, str] = field(default_factory=dict)
    """Column -> the reason it was kept (``keep``)."""


@dataclass
class SystemReport:
    """One system's answer to an action; ``residual`` 0 is what makes an erasure complete."""

    system_id: str
    action: str
    collections: dict[str, CollectionReport] = field(default_factory=dict)
    residual: int = 0
    """Declared, non-kept personal fields of the person still holding a value after an
    erasure (re-read from the system after its transaction committed)."""
    identities_found: dict[str, list[str]] = field(default_factory=dict)
    """Kinds of identity found on the way -> how many values (never the values here)."""
    pending: str | None = None
    """An HTTP system that answers later: the reference its callback will carry."""

    @property
    def complete(self) -> bool:
        return self.pending is None and self.residual == 0

    def as_dict(self) -> dict[str, Any]:
        """The report as stored on the request and shown to staff (no personal data)."""
        return {
            "system": self.system_id,
            "action": self.action,
            "complete": self.complete,
            "residual": self.residual,
            "pending": self.pending,
            "collections": {
                name: {
                    "rows": c.rows,
                    "changed": c.changed,
                    "deleted": c.deleted,
                    "fields": sorted(c.fields),
                    "kept": dict(sorted(c.kept.items())),
                }
                for name, c in sorted(self.collections.items())
            },
        }


class Connector(Protocol):
    """One connected system. Every method may raise :class:`SystemUnavailable`."""

    system_id: str

    def identities(self, start: Identities) -> dict[str, frozenset[str]]:
        """Every identity of the person this system leads to, ``start`` included."""
        ...

    def holds(self, start: Identities, policy_field: str, matches: Callable[[str], bool]) -> bool:
        """Whether a row reached from ``start`` holds, in a column of that policy field (or
        an identity column of that kind), a value ``matches`` accepts.

        The second data point of verification: Pledge keeps only a blind index of
        what the person typed, so the caller's ``matches`` normalises each held value
        (a phone to E.164) and compares indexes; the connector never sees the value."""
        ...

    def export(self, start: Identities) -> Iterator[Row]:
        """Every row reached from ``start``: declared columns only, streamed."""
        ...

    def erase(self, start: Identities, *, idempotency_key: str) -> SystemReport:
        """Apply each field's strategy in one transaction, then re-read (``residual``)."""
        ...

    def rectify(
        self, start: Identities, corrections: Mapping[str, str], *, idempotency_key: str
    ) -> SystemReport:
        """Set each column holding a corrected policy field to the new value."""
        ...

    def restrict(self, start: Identities, *, idempotency_key: str) -> SystemReport:
        """Mark the person's rows restricted where the collection declares how."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


__all__ = [
    "CollectionReport",
    "Connector",
    "Identities",
    "Row",
    "SystemMisdeclared",
    "SystemReport",
    "SystemUnavailable",
]
