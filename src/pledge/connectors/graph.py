"""The walk: from a person's identities to every row of theirs in one system.

Why set-based hops: a person with hundreds of orders must cost a handful of
queries, not hundreds. Each hop asks every collection once for the rows whose
identity or reference columns hold a value found in the previous hop
(``col IN (...)``, an expanding parameter, 1,000 values a statement), then
carries on with the values those rows add, until a hop adds nothing.

References are followed from a parent to the children that point at it (a
customer's orders), and from a child up to its parent only when the parent is
a person's own record, one that declares identities (a support ticket found by
an old e-mail address leads to its customer, and on to the customer's orders).
A parent without identities (a household, a product) is shared by several
people, and going up to it would lead down to everyone's rows.

E-mail addresses and phone numbers met on the way are reported (other systems
may use them), never searched again here: a phone is often shared (a household
line), and searching by it would reach the neighbour. Other identity kinds (a
customer id) are keys of one person and are carried on. And when the request's
own identities find more than one record in a person collection (two
customers with the phone the person gave), the walk stops with
:class:`AmbiguousPerson`: which one is theirs is for staff to decide.
Only keys and the values that lead further are kept; rows themselves are not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnClause, Connection, bindparam, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from pledge.connectors.base import SystemMisdeclared
from pledge.connectors.spec import START_KINDS
from pledge.connectors.sql_tables import SqlCollection, SqlSchema

CHUNK = 1000
"""Values per ``IN (...)``: well under every driver's parameter limit."""

Values = dict[str, set[Any]]
"""Column -> values (as the database returns them, or identity text)."""


class AmbiguousPerson(SystemMisdeclared):
    """The request's identities find several person records in one collection."""


@dataclass
class Found:
    """What the walk reached: keys per collection, and every identity met on the way."""

    keys: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    identities: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def count(self, collection: str) -> int:
        return len(self.keys.get(collection, ()))


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """``values`` in lists of at most ``size``, in a stable order."""
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def any_of(col: ColumnClause[Any], values: list[Any], name: str = "keys") -> ColumnElement[bool]:
    """``col IN (...)``, an expanding parameter left untyped.

    Untyped so that the driver, not SQLAlchemy, says what the values are:
    identities are text, and PostgreSQL must be free to read ``'42'`` as an
    integer when the identity column is one (a typed parameter would be cast
    to VARCHAR and fail to compare)."""
    return col.in_(bindparam(name, value=values, expanding=True, type_=NullType()))


def in_values(coll: SqlCollection, wanted: Mapping[str, set[Any]]) -> Iterator[ColumnElement[bool]]:
    """``col_a IN (...) OR col_b IN (...)`` clauses, each list at most :data:`CHUNK` long.

    Every column's values are cut in chunks; statement ``i`` takes the ``i``-th
    chunk of each column, so one statement a hop suffices below 1,000 values."""
    lists = [(name, list(chunks(_ordered(values)))) for name, values in wanted.items() if values]
    rounds = max((len(parts) for _, parts in lists), default=0)
    for i in range(rounds):
        clauses = [
            any_of(coll.col(name), parts[i], f"v{n}")
            for n, (name, parts) in enumerate(lists)
            if i < len(parts)
        ]
        yield or_(*clauses)


def _ordered(values: set[Any]) -> list[Any]:
    return sorted(values, key=lambda v: (type(v).__name__, v))


class Walk:
    """One walk over one system's declared graph (on the caller's connection)."""

    def __init__(self, schema: SqlSchema, conn: Connection) -> None:
        self.schema = schema
        self.conn = conn
        self.found = Found()
        self._seen: dict[tuple[str, str], set[Any]] = defaultdict(set)
        self._asked: dict[tuple[str, str], set[Any]] = defaultdict(set)

    def run(self, start: Mapping[str, Iterable[str]]) -> Found:
        """Walk to the fixpoint; ``start`` values count as found identities."""
        new_ids: dict[str, set[str]] = defaultdict(set)
        for kind, values in start.items():
            for value in values:
                if value:
                    self.found.identities[kind].add(value)
                    new_ids[kind].add(value)
        new_ids, new_vals = self._hop(new_ids, {})
        self._refuse_ambiguity()
        while new_ids or new_vals:
            new_ids, new_vals = self._hop(new_ids, new_vals)
        return self.found

    def _refuse_ambiguity(self) -> None:
        """After the first hop: at most one record per person collection (no references)."""
        for coll in self.schema.collections.values():
            is_person = coll.spec.identity and not coll.spec.references
            if is_person and len(self.found.keys.get(coll.name, ())) > 1:
                raise AmbiguousPerson(f"{coll.name}: the identities find more than one record")

    def _hop(
        self, ids: Mapping[str, set[str]], vals: Mapping[tuple[str, str], set[Any]]
    ) -> tuple[dict[str, set[str]], dict[tuple[str, str], set[Any]]]:
        next_ids: dict[str, set[str]] = defaultdict(set)
        next_vals: dict[tuple[str, str], set[Any]] = defaultdict(set)
        for coll in self.schema.collections.values():
            wanted = self._wanted(coll, ids, vals)
            if wanted:
                self._read(coll, wanted, next_ids, next_vals)
        return dict(next_ids), dict(next_vals)

    def _wanted(
        self,
        coll: SqlCollection,
        ids: Mapping[str, set[str]],
        vals: Mapping[tuple[str, str], set[Any]],
    ) -> Values:
        """Column -> the new values that make a row of ``coll`` the person's.

        A value already asked for in that column, or a primary key already
        found, is not asked again: going back up a reference costs nothing."""
        wanted: Values = defaultdict(set)
        for kind, name in coll.spec.identity.items():
            wanted[name] |= ids.get(kind, set())
        for link in self.schema.links_from(coll.name):
            wanted[link.column] |= vals.get((link.parent, link.target), set())
        if coll.spec.identity:  # up to a person's own record only, never to a shared one
            for link in self.schema.links_to(coll.name):
                wanted[link.target] |= vals.get((link.child, link.column), set())
        result: Values = {}
        for name, values in wanted.items():
            asked = self._asked[(coll.name, name)]
            fresh = values - asked
            if fresh and name == coll.spec.primary_key:
                known = {str(key) for key in self.found.keys[coll.name]}
                fresh = {value for value in fresh if str(value) not in known}
            asked |= fresh
            if fresh:
                result[name] = fresh
        return result

    def _read(
        self,
        coll: SqlCollection,
        wanted: Values,
        next_ids: dict[str, set[str]],
        next_vals: dict[tuple[str, str], set[Any]],
    ) -> None:
        identity = list(coll.spec.identity.items())
        links = sorted(self.schema.link_columns(coll.name))
        names = list(dict.fromkeys([coll.spec.primary_key, *(n for _, n in identity), *links]))
        query = select(*(coll.col(n) for n in names))
        keys = self.found.keys[coll.name]
        for where in in_values(coll, wanted):
            for row in self.conn.execute(query.where(where)):
                record = dict(zip(names, row, strict=True))
                key = record[coll.spec.primary_key]
                if key in keys:
                    continue
                keys.add(key)
                self._note(coll.name, record, identity, links, next_ids, next_vals)

    def _note(
        self,
        collection: str,
        record: dict[str, Any],
        identity: list[tuple[str, str]],
        links: list[str],
        next_ids: dict[str, set[str]],
        next_vals: dict[tuple[str, str], set[Any]],
    ) -> None:
        """Keep the new identities and reference values a found row brings."""
        for kind, name in identity:
            value = record[name]
            text = "" if value is None else str(value)
            if text and text not in self.found.identities[kind]:
                self.found.identities[kind].add(text)
                if kind not in START_KINDS:  # e-mails and phones may be shared: not searched
                    next_ids[kind].add(text)
        for name in links:
            value = record[name]
            seen = self._seen[(collection, name)]
            if value is not None and value not in seen:
                seen.add(value)
                next_vals[(collection, name)].add(value)


def walk(schema: SqlSchema, conn: Connection, start: Mapping[str, Iterable[str]]) -> Found:
    """Every row of the person in this system, reached from ``start``."""
    return Walk(schema, conn).run(start)


__all__ = ["CHUNK", "AmbiguousPerson", "Found", "Walk", "any_of", "chunks", "in_values", "walk"]
