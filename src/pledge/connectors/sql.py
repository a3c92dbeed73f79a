"""The connector for SQL databases declared in ``PLEDGE_SYSTEMS``: PostgreSQL, MariaDB, SQLite.

Why every action starts with a walk: the file says where the person's data
can be, not where it is; the walk (:mod:`pledge.connectors.graph`) finds the
rows, and each action then works on those keys only, so rows of other people
are never read or written. Writes run in one transaction per system, children
before parents; an erasure then re-reads what it erased, and a fresh walk,
after the commit, so that ``residual`` is what the database holds, not what
the connector meant to do.

``idempotency_key`` is accepted and unused: every action here is idempotent by
construction (a second erasure finds nothing left to change), so nothing needs
recording in the company's database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, select

from pledge.connectors.base import (
    CollectionReport,
    Connector,
    Identities,
    Row,
    SystemMisdeclared,
    SystemReport,
)
from pledge.connectors.engines import database_errors, make_engine
from pledge.connectors.graph import Found, any_of, chunks, walk
from pledge.connectors.normalise import held, json_value
from pledge.connectors.spec import SQL_KINDS, SystemSpec
from pledge.connectors.sql_tables import SqlCollection, SqlSchema, build_schema
from pledge.connectors.sql_writes import (
    erase_collection,
    rectify_collection,
    residual,
    restrict_collection,
)


class SqlConnector:
    """One SQL system: its engine and its declared tables."""

    def __init__(self, system_id: str, spec: SystemSpec, url: str) -> None:
        self.system_id = system_id
        self.spec = spec
        self.schema: SqlSchema = build_schema(system_id, spec)
        self.engine: Engine = make_engine(system_id, spec, url)

    def _walk(self, conn: Connection, start: Identities) -> Found:
        with database_errors(self.system_id, "walk"):
            return walk(self.schema, conn, start)

    def identities(self, start: Identities) -> dict[str, frozenset[str]]:
        with database_errors(self.system_id), self.engine.connect() as conn:
            found = self._walk(conn, start)
        return {kind: frozenset(values) for kind, values in found.identities.items() if values}

    def holds(self, start: Identities, policy_field: str, matches: Callable[[str], bool]) -> bool:
        with database_errors(self.system_id), self.engine.connect() as conn:
            found = self._walk(conn, start)
            for coll in self.schema.collections.values():
                names = _columns_of(coll, policy_field)
                keys = found.keys.get(coll.name)
                if names and keys and self._holds_in(conn, coll, keys, names, matches):
                    return True
        return False

    def _holds_in(
        self,
        conn: Connection,
        coll: SqlCollection,
        keys: set[Any],
        names: list[str],
        matches: Callable[[str], bool],
    ) -> bool:
        query = select(*(coll.col(n) for n in names))
        with database_errors(self.system_id, coll.name):
            for batch in chunks(keys):
                where = any_of(coll.key, batch)
                for row in conn.execute(query.where(where)):
                    if any(held(v) and matches(str(v)) for v in row):
                        return True
        return False

    def export(self, start: Identities) -> Iterator[Row]:
        with database_errors(self.system_id), self.engine.connect() as conn:
            found = self._walk(conn, start)
            for coll in self.schema.collections.values():
                keys = found.keys.get(coll.name)
                if keys:
                    yield from self._export_rows(conn, coll, keys)

    def _export_rows(self, conn: Connection, coll: SqlCollection, keys: set[Any]) -> Iterator[Row]:
        """The found rows' key and declared fields, streamed a chunk of keys at a time."""
        fields = list(coll.spec.fields)
        names = [coll.spec.primary_key, *(n for n in fields if n != coll.spec.primary_key)]
        query = select(*(coll.col(n) for n in names))
        streaming = conn.execution_options(stream_results=True, yield_per=500)
        with database_errors(self.system_id, coll.name):
            for batch in chunks(keys):
                where = any_of(coll.key, batch)
                for row in streaming.execute(query.where(where)):
                    yield _row(coll, dict(zip(names, row, strict=True)))

    def erase(self, start: Identities, *, idempotency_key: str) -> SystemReport:
        report = SystemReport(system_id=self.system_id, action="erase")
        with database_errors(self.system_id), self.engine.begin() as conn:
            found = self._walk(conn, start)
            for coll in self.schema.erase_order():
                with database_errors(self.system_id, coll.name):
                    result = erase_collection(conn, coll, found.keys.get(coll.name, set()))
                report.collections[coll.name] = result
        report.residual = self._residual(start, found)
        return report

    def _residual(self, start: Identities, before: Found) -> int:
        """Erased fields still held: over the rows erased, and over a fresh walk."""
        with database_errors(self.system_id), self.engine.connect() as conn:
            again = self._walk(conn, start)
            total = 0
            for coll in self.schema.collections.values():
                keys = before.keys.get(coll.name, set()) | again.keys.get(coll.name, set())
                with database_errors(self.system_id, coll.name):
                    total += residual(conn, coll, keys)
        return total

    def rectify(
        self, start: Identities, corrections: Mapping[str, str], *, idempotency_key: str
    ) -> SystemReport:
        def apply(conn: Connection, coll: SqlCollection, keys: set[Any]) -> CollectionReport:
            return rectify_collection(conn, coll, keys, corrections)

        return self._write("rectify", start, apply)

    def restrict(self, start: Identities, *, idempotency_key: str) -> SystemReport:
        return self._write("restrict", start, restrict_collection)

    def _write(
        self,
        action: str,
        start: Identities,
        apply: Callable[[Connection, SqlCollection, set[Any]], CollectionReport],
    ) -> SystemReport:
        """Walk and write in one transaction, collection by collection, children first."""
        report = SystemReport(system_id=self.system_id, action=action)
        with database_errors(self.system_id), self.engine.begin() as conn:
            found = self._walk(conn, start)
            for coll in self.schema.erase_order():
                with database_errors(self.system_id, coll.name):
                    report.collections[coll.name] = apply(
                        conn, coll, found.keys.get(coll.name, set())
                    )
        return report

    def close(self) -> None:
        self.engine.dispose()


def _columns_of(coll: SqlCollection, policy_field: str) -> list[str]:
    """Columns holding ``policy_field``: declared fields of it, identity columns of that kind."""
    names = [n for n, f in coll.spec.fields.items() if f.policy_field(n) == policy_field]
    identity = coll.spec.identity.get(policy_field)
    if identity is not None:
        names.append(identity)
    return list(dict.fromkeys(names))


def _row(coll: SqlCollection, record: dict[str, Any]) -> Row:
    by_category: dict[str, dict[str, Any]] = {}
    for name, spec in coll.spec.fields.items():
        by_category.setdefault(spec.category, {})[name] = json_value(record[name])
    key = str(record[coll.spec.primary_key])
    return Row(collection=coll.name, key=key, by_category=by_category)


def connector_for(system_id: str, spec: SystemSpec, environ: Mapping[str, str]) -> Connector:
    """The connector of an SQL system, its URL read from ``environ[spec.url_env]``.

    Typed as the protocol so that the type checker holds :class:`SqlConnector` to it."""
    if spec.kind not in SQL_KINDS:
        raise SystemMisdeclared(f"{system_id}: kind {spec.kind.value} is not an SQL database")
    url = environ.get(spec.url_env, "").strip()
    if not url:
        raise SystemMisdeclared(f"{system_id}: the environment variable {spec.url_env} is not set")
    return SqlConnector(system_id, spec, url)


__all__ = ["SqlConnector", "connector_for"]
