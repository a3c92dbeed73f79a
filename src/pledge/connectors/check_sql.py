"""The live check of one SQL system: does the database hold what the file declares?

Why read the catalogue rather than trust the file: a missing column would make
the first erasure fail half-way, a ``null`` on a NOT NULL column would make it
fail always, and an identity column without an index would make every request
scan the table. The check only reads the database's catalogue (SQLAlchemy's
inspector), on a connection with a short deadline (a SQLite file is opened
read-only, so checking never creates one); no row is read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import URL, Inspector, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.types import Integer, NullType, Numeric, String, TypeEngine

from pledge.connectors.load import Locate
from pledge.connectors.spec import CollectionSpec, Erase, SystemKind, SystemSpec
from pledge.policy import Problem
from pledge.policy.checks import Loc

CONNECT_SECONDS = 5.0
"""The longest a check waits for a system to answer (less when its own timeout is shorter)."""

DIALECTS = {
    SystemKind.POSTGRESQL: "postgresql",
    SystemKind.MYSQL: "mysql",
    SystemKind.SQLITE: "sqlite",
}
"""The SQLAlchemy dialect (URL scheme before ``+driver``) each kind must use (MariaDB is mysql)."""


@dataclass(frozen=True)
class Table:
    """What the catalogue says about one table (names and types only)."""

    columns: dict[str, dict[str, Any]]
    primary_key: tuple[str, ...]
    foreign_keys: list[dict[str, Any]]
    indexed: frozenset[str]
    """Columns that lead an index, a unique constraint or the primary key."""


def _connect_args(kind: SystemKind, seconds: float) -> dict[str, Any]:
    whole = max(2, int(seconds + 0.999))
    if kind is SystemKind.POSTGRESQL:
        options = f"-c statement_timeout={int(seconds * 1000)} -c default_transaction_read_only=on"
        return {"connect_timeout": whole, "options": options}
    if kind is SystemKind.MYSQL:
        return {"connect_timeout": whole, "read_timeout": whole, "write_timeout": whole}
    return {}


def _engine(kind: SystemKind, url: URL, seconds: float) -> Engine:
    """An engine that waits at most ``seconds``; a SQLite file is opened read-only."""
    if kind is SystemKind.SQLITE and url.database not in (None, "", ":memory:"):
        path = str(url.database)

        def read_only() -> sqlite3.Connection:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=seconds)

        return create_engine("sqlite://", creator=read_only)
    return create_engine(url, connect_args=_connect_args(kind, seconds))


def _table(inspector: Inspector, name: str) -> Table:
    pk = tuple(inspector.get_pk_constraint(name).get("constrained_columns") or ())
    indexed = set(pk[:1])
    for index in inspector.get_indexes(name):
        indexed.update(c for c in index["column_names"][:1] if c)
    for unique in inspector.get_unique_constraints(name):
        indexed.update(c for c in unique["column_names"][:1] if c)
    return Table(
        columns={column["name"]: dict(column) for column in inspector.get_columns(name)},
        primary_key=pk,
        foreign_keys=[dict(fk) for fk in inspector.get_foreign_keys(name)],
        indexed=frozenset(indexed),
    )


def _type_class(type_: TypeEngine[Any]) -> str:
    """A coarse class for comparing a reference with its target: text, integer, number."""
    if isinstance(type_, String):
        return "text"
    if isinstance(type_, Integer):
        return "integer"
    if isinstance(type_, Numeric):
        return "number"
    return "other"


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _error(locate: Locate, loc: Loc, message: str) -> Problem:
    return Problem(location=locate(loc), message=message)


def _warning(locate: Locate, loc: Loc, message: str) -> Problem:
    return Problem(location=locate(loc), message=message, severity="warning")


class _SystemCheck:
    """One system's catalogue against its declaration."""

    def __init__(self, system_id: str, spec: SystemSpec, locate: Locate) -> None:
        self.system_id = system_id
        self.spec = spec
        self.locate = locate
        self.tables: dict[str, Table] = {}

    def run(self, inspector: Inspector) -> list[Problem]:
        problems = list(self._read_tables(inspector))
        for name, collection in self.spec.collections.items():
            if name in self.tables:
                problems.extend(self._collection(name, collection))
        return problems

    def _base(self, collection: str) -> Loc:
        return ("systems", self.system_id, "collections", collection)

    def _read_tables(self, inspector: Inspector) -> Iterator[Problem]:
        existing = set(inspector.get_table_names())
        for name in self.spec.collections:
            if name in existing:
                self.tables[name] = _table(inspector, name)
            else:
                yield _error(self.locate, self._base(name), f"table {name!r} does not exist")

    def _collection(self, name: str, collection: CollectionSpec) -> Iterator[Problem]:
        base, table = self._base(name), self.tables[name]
        named: list[tuple[Loc, str]] = [((*base, "primary_key"), collection.primary_key)]
        named += [((*base, "identity", kind), c) for kind, c in collection.identity.items()]
        named += [((*base, "references", c), c) for c in collection.references]
        named += [((*base, "fields", c), c) for c in collection.fields]
        if collection.restriction is not None:
            named.append(((*base, "restriction", "column"), collection.restriction.column))
        missing = {column for _, column in named if column not in table.columns}
        for loc, column in named:
            if column in missing:
                yield _error(
                    self.locate, loc, f"column {column!r} does not exist in table {name!r}"
                )
        yield from self._primary_key(name, collection, table)
        yield from self._fields(name, collection, table, missing)
        yield from self._identities(name, collection, table, missing)
        yield from self._references(name, collection, table, missing)

    def _primary_key(
        self, name: str, collection: CollectionSpec, table: Table
    ) -> Iterator[Problem]:
        declared = collection.primary_key
        if declared in table.columns and table.primary_key != (declared,):
            actual = ", ".join(table.primary_key) or "none"
            message = (
                f"the table's primary key is ({actual}), not {declared!r}: rows are told "
                "apart by it, so it must be unique"
            )
            yield _warning(self.locate, (*self._base(name), "primary_key"), message)

    def _fields(
        self, name: str, collection: CollectionSpec, table: Table, missing: set[str]
    ) -> Iterator[Problem]:
        for column, spec in collection.fields.items():
            if column in missing:
                continue
            info = table.columns[column]
            loc = (*self._base(name), "fields", column, "erase")
            if spec.erase is Erase.NULL and not info.get("nullable", True):
                message = "erase 'null' on a NOT NULL column would fail: use 'mask' or 'delete'"
                yield _error(self.locate, loc, message)
            if spec.erase is Erase.MASK:
                yield from self._mask(loc, spec.mask, info["type"])

    def _mask(self, loc: Loc, mask: str, type_: TypeEngine[Any]) -> Iterator[Problem]:
        if isinstance(type_, NullType):
            return  # a type the dialect does not know: nothing to say
        if not isinstance(type_, String):
            message = f"erase 'mask' on a non-text column ({type_}): use 'null' or 'delete'"
            yield _error(self.locate, loc, message)
        elif type_.length is not None and len(mask) > type_.length:
            message = f"the mask is {len(mask)} characters, longer than the column ({type_})"
            yield _error(self.locate, loc, message)

    def _identities(
        self, name: str, collection: CollectionSpec, table: Table, missing: set[str]
    ) -> Iterator[Problem]:
        for kind, column in collection.identity.items():
            if column not in missing and column not in table.indexed:
                message = f"no index on {column!r}: look-ups will scan the table"
                yield _warning(self.locate, (*self._base(name), "identity", kind), message)

    def _references(
        self, name: str, collection: CollectionSpec, table: Table, missing: set[str]
    ) -> Iterator[Problem]:
        for column in collection.references:
            if column in missing:
                continue
            loc = (*self._base(name), "references", column)
            target, target_column = collection.target_of(column)
            target_table = self.tables.get(target)
            if target_table is None or target_column not in target_table.columns:
                if target_table is not None:
                    message = f"column {target_column!r} does not exist in table {target!r}"
                    yield _error(self.locate, loc, message)
                continue
            yield from self._reference_shape(loc, table, column, target, target_column)

    def _reference_shape(
        self, loc: Loc, table: Table, column: str, target: str, target_column: str
    ) -> Iterator[Problem]:
        backed = any(
            fk["constrained_columns"] == [column]
            and fk["referred_table"] == target
            and fk["referred_columns"] == [target_column]
            for fk in table.foreign_keys
        )
        if not backed:
            message = (
                f"no foreign key to {target}.{target_column}: the database does not keep "
                "this reference consistent"
            )
            yield _warning(self.locate, loc, message)
        if column not in table.indexed:
            yield _warning(
                self.locate, loc, f"no index on {column!r}: look-ups will scan the table"
            )
        mine = _type_class(table.columns[column]["type"])
        theirs = _type_class(self.tables[target].columns[target_column]["type"])
        if "other" not in (mine, theirs) and mine != theirs:
            article = "an" if theirs[0] in "aeiou" else "a"
            message = (
                f"a {mine} column pointing to {article} {theirs} column: values will not match"
            )
            yield _warning(self.locate, loc, message)


def _url(system_id: str, spec: SystemSpec, raw: str, locate: Locate) -> URL | Problem:
    """The system's URL, or the problem with it (naming the variable, never its value)."""
    where = locate(("systems", system_id, "url_env"))
    try:
        url = make_url(raw)
    except ArgumentError:
        return Problem(location=where, message=f"{spec.url_env} does not hold a database URL")
    if url.get_backend_name() != DIALECTS[spec.kind]:
        message = f"{spec.url_env} holds a {url.get_backend_name()} URL but the kind is {spec.kind}"
        return Problem(location=where, message=message)
    return url


def check_sql_system(
    system_id: str, spec: SystemSpec, raw_url: str, locate: Locate
) -> list[Problem]:
    """Connect to one SQL system and hold its catalogue against the declaration."""
    url = _url(system_id, spec, raw_url, locate)
    if isinstance(url, Problem):
        return [url]
    where = locate(("systems", system_id))
    seconds = min(spec.timeout_seconds, CONNECT_SECONDS)
    try:
        engine = _engine(spec.kind, url, seconds)
    except (NoSuchModuleError, ArgumentError) as exc:
        return [Problem(location=where, message=f"cannot connect ({type(exc).__name__})")]
    try:
        connection = engine.connect()
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        return [Problem(location=where, message=f"cannot connect ({type(exc).__name__})")]
    try:
        with connection:
            return _SystemCheck(system_id, spec, locate).run(inspect(connection))
    except (SQLAlchemyError, OSError) as exc:
        message = f"cannot read its catalogue ({type(exc).__name__})"
        return [Problem(location=where, message=message)]
    finally:
        engine.dispose()


__all__ = ["CONNECT_SECONDS", "DIALECTS", "check_sql_system"]
