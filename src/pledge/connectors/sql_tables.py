"""The declared tables as SQLAlchemy constructs: only what the file names can be read or written.

Why no reflection: reading the live schema on every request costs round trips
and would make every column of a table reachable. Here each collection becomes
a ``sqlalchemy.table()`` with exactly its declared columns (primary key,
identity, reference and restriction columns, personal fields), so a statement
built from it cannot name anything else, and names are always quoted by
SQLAlchemy, never formatted into SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnClause, TableClause, column, table

from pledge.connectors.base import SystemMisdeclared
from pledge.connectors.spec import CollectionSpec, Erase, SystemSpec


@dataclass(frozen=True)
class Link:
    """One declared reference: ``child.column`` holds values of ``parent.target``."""

    child: str
    column: str
    parent: str
    target: str


@dataclass(frozen=True)
class SqlCollection:
    """One declared table and the roles of its columns."""

    name: str
    spec: CollectionSpec
    table: TableClause

    def col(self, name: str) -> ColumnClause[object]:
        """A declared column of this table (a KeyError for anything undeclared)."""
        return self.table.c[name]

    @property
    def key(self) -> ColumnClause[object]:
        return self.col(self.spec.primary_key)

    @property
    def deletes_rows(self) -> bool:
        return any(f.erase is Erase.DELETE for f in self.spec.fields.values())

    def erased_fields(self) -> list[str]:
        """Declared fields erasure removes (everything but ``keep``)."""
        return [name for name, f in self.spec.fields.items() if f.erase is not Erase.KEEP]

    def kept_fields(self) -> dict[str, str]:
        """``keep`` fields -> their reason."""
        return {
            name: f.reason or "" for name, f in self.spec.fields.items() if f.erase is Erase.KEEP
        }


@dataclass(frozen=True)
class SqlSchema:
    """Every declared collection of one system, its references, and the erasure order."""

    system_id: str
    collections: dict[str, SqlCollection]
    links: tuple[Link, ...]

    def links_from(self, child: str) -> list[Link]:
        return [link for link in self.links if link.child == child]

    def links_to(self, parent: str) -> list[Link]:
        return [link for link in self.links if link.parent == parent]

    def link_columns(self, name: str) -> set[str]:
        """Columns of ``name`` whose values lead to other rows (either end of a reference)."""
        own = {link.column for link in self.links_from(name)}
        return own | {link.target for link in self.links_to(name)}

    def erase_order(self) -> list[SqlCollection]:
        """Collections that reference others first (children before parents: FK-safe deletes).

        Reference cycles, which no foreign key order can satisfy, keep the file's order."""
        remaining = list(self.collections)
        ordered: list[str] = []
        while remaining:
            ready = [
                name
                for name in remaining
                if not any(
                    link.parent == name and link.child in remaining and link.child != name
                    for link in self.links
                )
            ]
            if not ready:
                ready = remaining[:1]
            for name in ready:
                remaining.remove(name)
            ordered.extend(ready)
        return [self.collections[name] for name in ordered]


def _columns(spec: CollectionSpec) -> list[str]:
    names = [spec.primary_key, *spec.identity.values(), *spec.references, *spec.fields]
    if spec.restriction is not None:
        names.append(spec.restriction.column)
    return list(dict.fromkeys(names))


def _check(system_id: str, name: str, spec: CollectionSpec) -> None:
    kinds = {f.erase for f in spec.fields.values()}
    if Erase.DELETE in kinds and Erase.KEEP in kinds:
        raise SystemMisdeclared(
            f"{system_id}.{name}: a collection whose rows are deleted cannot keep a field"
        )


def build_schema(system_id: str, spec: SystemSpec) -> SqlSchema:
    """The system's declared tables; a reference to an undeclared collection is refused."""
    collections: dict[str, SqlCollection] = {}
    extra: dict[str, set[str]] = {name: set() for name in spec.collections}
    links: list[Link] = []
    for name, cspec in spec.collections.items():
        _check(system_id, name, cspec)
        for ref_column in cspec.references:
            parent, target = cspec.target_of(ref_column)
            if parent not in spec.collections:
                raise SystemMisdeclared(
                    f"{system_id}.{name}.references.{ref_column}: no collection {parent!r}"
                )
            extra[parent].add(target)
            links.append(Link(child=name, column=ref_column, parent=parent, target=target))
    for name, cspec in spec.collections.items():
        names = list(dict.fromkeys([*_columns(cspec), *sorted(extra[name])]))
        clause = table(name, *(column(n) for n in names))
        collections[name] = SqlCollection(name=name, spec=cspec, table=clause)
    return SqlSchema(system_id=system_id, collections=collections, links=tuple(links))


__all__ = ["Link", "SqlCollection", "SqlSchema", "build_schema"]
