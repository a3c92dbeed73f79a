"""The statements erasure, rectification and restriction run: set-based, by found keys.

Why each UPDATE also says which rows still need it (``col IS NOT NULL``,
``col <> :mask``): so that ``changed`` counts rows really changed, a second
run changes nothing, and a retried request is harmless without any journal
in the connected database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, case, delete, func, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from pledge.connectors.base import CollectionReport
from pledge.connectors.graph import any_of, chunks
from pledge.connectors.spec import Erase
from pledge.connectors.sql_tables import SqlCollection


def _keys_in(coll: SqlCollection, batch: list[Any]) -> ColumnElement[bool]:
    return any_of(coll.key, batch)


def still_held(coll: SqlCollection, name: str) -> ColumnElement[bool]:
    """The column still holds what erasure removes (a masked value counts as erased)."""
    spec = coll.spec.fields[name]
    column = coll.col(name)
    if spec.erase is Erase.MASK:
        return column != literal(spec.mask)
    return column.is_not(None)


def _run(conn: Connection, coll: SqlCollection, keys: set[Any], statement: Any) -> int:
    total = 0
    for batch in chunks(keys):
        total += conn.execute(statement.where(_keys_in(coll, batch))).rowcount
    return total


def erase_collection(conn: Connection, coll: SqlCollection, keys: set[Any]) -> CollectionReport:
    """Delete the rows, or null and mask their fields; ``keep`` fields are reported, untouched."""
    report = CollectionReport(rows=len(keys))
    erased = coll.erased_fields()
    if coll.deletes_rows:
        report.deleted = _run(conn, coll, keys, delete(coll.table))
        report.fields = erased
        return report
    report.kept = coll.kept_fields() if keys else {}
    if not erased or not keys:
        return report
    values = {
        name: (coll.spec.fields[name].mask if coll.spec.fields[name].erase is Erase.MASK else None)
        for name in erased
    }
    pending = or_(*(still_held(coll, name) for name in erased))
    report.changed = _run(conn, coll, keys, update(coll.table).where(pending).values(values))
    report.fields = erased
    return report


def rectify_collection(
    conn: Connection, coll: SqlCollection, keys: set[Any], corrections: Mapping[str, str]
) -> CollectionReport:
    """Set every declared column holding a corrected policy field.

    ``keep`` fields stay as they are and are reported with their reason: a
    record kept for a legal duty (an invoice) is evidence, not to be rewritten.
    Every found row is written, even one already right: comparing first would
    miss a correction of letter case under MariaDB's case-blind collations."""
    report = CollectionReport(rows=len(keys))
    values: dict[str, str] = {}
    for name, spec in coll.spec.fields.items():
        wanted = corrections.get(spec.policy_field(name))
        if wanted is None:
            continue
        if spec.erase is Erase.KEEP:
            report.kept[name] = spec.reason or ""
        else:
            values[name] = wanted
    if not values or not keys:
        return report
    report.changed = _run(conn, coll, keys, update(coll.table).values(values))
    report.fields = sorted(values)
    return report


def restrict_collection(conn: Connection, coll: SqlCollection, keys: set[Any]) -> CollectionReport:
    """Set the collection's restriction flag on the found rows, where it declares one."""
    report = CollectionReport(rows=len(keys))
    flag = coll.spec.restriction
    if flag is None or not keys:
        return report
    column = coll.col(flag.column)
    pending = or_(column.is_(None), column != literal(flag.value))
    report.changed = _run(
        conn, coll, keys, update(coll.table).where(pending).values({flag.column: flag.value})
    )
    report.fields = [flag.column]
    return report


def residual(conn: Connection, coll: SqlCollection, keys: set[Any]) -> int:
    """Erased fields of these rows that still hold a value (counted in the database)."""
    erased = coll.erased_fields()
    if not erased or not keys:
        return 0
    held = sum(
        (case((still_held(coll, name), 1), else_=0) for name in erased),
        start=literal(0),
    )
    total = 0
    for batch in chunks(keys):
        query = select(func.coalesce(func.sum(held), 0)).where(_keys_in(coll, batch))
        total += int(conn.execute(query).scalar_one())
    return total


__all__ = [
    "erase_collection",
    "rectify_collection",
    "residual",
    "restrict_collection",
    "still_held",
]
