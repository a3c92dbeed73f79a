"""Bulk inserts: COPY on PostgreSQL, executemany elsewhere.

Bulk imports write a million rows; COPY is several times faster than even
pipelined INSERTs, and it runs on the session's own connection, so it stays
inside the caller's transaction (all-or-nothing is kept). A handful of rows
for several tables (a few new people in one consent batch) is the opposite
case: each COPY costs two round trips, and under load each round trip also
waits for the interpreter lock, so :func:`bulk_insert_all` sends small sets
as plain INSERTs in one psycopg pipeline (the consent API's tail latency
with both, measured, is in ``docs/performance.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Json
from sqlalchemy import JSON, FromClause, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def bulk_insert(session: Session, table: FromClause, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the current transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), list(rows))  # type: ignore[arg-type]
        return
    columns = list(rows[0])
    json_columns = _json_columns(table)
    table_name = getattr(table, "name", None)
    assert table_name is not None
    wrap = [name in json_columns for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = f'COPY "{table_name}" ({names}) FROM STDIN'
    with _as_sqlalchemy_errors(statement), raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    Json(row[c]) if is_json else row[c]
                    for c, is_json in zip(columns, wrap, strict=True)
                ]
            )


@contextmanager
def _as_sqlalchemy_errors(statement: str) -> Iterator[None]:
    """The driver's integrity errors as SQLAlchemy's, as every other statement raises them.

    Callers retry on ``IntegrityError`` when another writer created the same
    person at the same moment; COPY and the pipeline bypass SQLAlchemy.
    """
    try:
        yield
    except psycopg.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc


PIPELINE_MAX_ROWS = 200
"""Up to this many rows in all, :func:`bulk_insert_all` pipelines INSERTs instead of COPYs."""


def bulk_insert_all(
    session: Session, batches: Sequence[tuple[FromClause, Sequence[dict[str, Any]]]]
) -> None:
    """Rows for several tables, in order, in the current transaction."""
    batches = [(table, rows) for table, rows in batches if rows]
    connection = session.connection()
    small = sum(len(rows) for _, rows in batches) <= PIPELINE_MAX_ROWS
    if connection.dialect.name != "postgresql" or not small:
        for table, rows in batches:
            bulk_insert(session, table, rows)
        return
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    names = ", ".join(getattr(table, "name", "?") for table, _ in batches)
    with _as_sqlalchemy_errors(f"pipelined INSERTs into {names}"):
        _pipelined(raw, batches)


def _pipelined(
    raw: psycopg.Connection[Any], batches: Sequence[tuple[FromClause, Sequence[dict[str, Any]]]]
) -> None:
    with raw.pipeline(), raw.cursor() as cursor:
        insert_many(cursor, batches)


def insert_many(
    cursor: psycopg.Cursor[Any], batches: Sequence[tuple[FromClause, Sequence[dict[str, Any]]]]
) -> None:
    """Plain INSERTs on a psycopg cursor, for a caller that holds a pipeline open."""
    for table, rows in batches:
        if rows:
            statement = _insert_sql(table, list(rows[0]))
            cursor.executemany(statement, _with_json(table, rows))


def _insert_sql(table: FromClause, columns: list[str]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join(f"%({name})s" for name in columns)
    return f'INSERT INTO "{getattr(table, "name", "")}" ({names}) VALUES ({values})'  # noqa: S608


def _json_columns(table: FromClause) -> set[str]:
    """Columns psycopg must be told are JSON (it would send a dict as a composite)."""
    return {c.name for c in table.columns if isinstance(c.type, JSON)}


def _with_json(table: FromClause, rows: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    wrap = _json_columns(table)
    if not wrap:
        return rows
    return [{k: Json(v) if k in wrap else v for k, v in row.items()} for row in rows]
