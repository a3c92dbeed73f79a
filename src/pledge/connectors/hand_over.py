"""Hand-overs: one application sent to a connected system, once.

Recruiting sends an application to the background-check processor and, on
hire, into the employee-record system; the connected-systems file names, per
kind, the system and which column (or, for a processor's API, attribute)
receives which application field (:class:`~pledge.connectors.spec.HandOver`).
Only those are sent, with the system's deadlines.

- An SQL database: one row in the declared table, through SQLAlchemy's quoting,
  in one transaction.
- A processor's API (``kind: http``): one signed ``hand_over`` request of the
  HTTP systems protocol (``docs/connectors-http.md``), a file's bytes in base64;
  the processor answers whether it took it now or already held it.

Why a reference: a hand-over may be repeated (a retry after Pledge failed to
record it, a double click), so the application goes under Pledge's id and a
second hand-over of it writes nothing. In a database the row is looked up by
its reference column first and written only when it is absent. Two hand-overs
at the same moment may both find no row and both insert: a unique index on the
column lets one of them in, and the other's integrity error, when the row is
then found, means "already written" (``written`` False), not a failure.
Without the index both rows stay. Errors say the system, the table and the
exception's class, never a value.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, column, insert, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.expression import ColumnClause

from pledge.connectors.base import SystemMisdeclared
from pledge.connectors.engines import database_errors
from pledge.connectors.http import HttpConnector
from pledge.connectors.http_wire import HandOverValue
from pledge.connectors.registry import Systems
from pledge.connectors.spec import HandOver
from pledge.connectors.sql import SqlConnector

FILE_PARTS = frozenset({"content", "filename", "media_type", "sha256", "size"})


@dataclass(frozen=True)
class HandedOver:
    """Where an application went, and whether this call wrote it (False: it was there)."""

    system_id: str
    recipient: str | None
    """The policy recipient the system is, if it declares one."""
    table: str | None
    """The table written into (None for a processor's API)."""
    written: bool
    columns: tuple[str, ...]


def receiver(systems: Systems, kind: str) -> tuple[str, HandOver, str | None]:
    """The system id taking ``kind``, its table and its recipient; SystemMisdeclared if none."""
    found = systems.file.receiver(kind)
    if found is None:
        raise SystemMisdeclared(f"no connected system takes the hand-over {kind!r}")
    system_id, spec, target = found
    return system_id, target, spec.recipient


def sources(target: HandOver) -> set[str]:
    """The application fields a hand-over reads (a file part counts as its field)."""
    return {source.split(".", 1)[0] for source in target.columns.values()}


def row_values(
    target: HandOver, data: Mapping[str, Any], *, as_text: bool = False
) -> dict[str, Any]:
    """Each declared column's value from the application (None where the field is absent).

    A file's ``content`` is its bytes, or with ``as_text`` (for JSON) its base64 text."""
    values: dict[str, Any] = {}
    for name, source in target.columns.items():
        field, _, part = source.partition(".")
        value = data.get(field)
        if isinstance(value, dict):  # a file: {filename, media_type, size, sha256, content_base64}
            wanted = part or "content"
            if wanted == "content":
                encoded = value.get("content_base64")
                if not isinstance(encoded, str):
                    value = None
                else:
                    value = encoded if as_text else base64.b64decode(encoded)
            else:
                value = value.get(wanted)
        elif part:
            value = None  # a part of a field that is not a file
        values[name] = value
    return values


def wire_values(target: HandOver, data: Mapping[str, Any]) -> dict[str, HandOverValue]:
    """The attributes a processor is sent: JSON scalars (a file's bytes as base64 text)."""
    return {
        name: value if isinstance(value, str | int | float | bool) else None
        for name, value in row_values(target, data, as_text=True).items()
    }


def hand_over(systems: Systems, kind: str, reference: str, data: Mapping[str, Any]) -> HandedOver:
    """Send the application ``data`` under ``reference`` to the ``kind`` receiver.

    Raises :class:`~pledge.connectors.base.SystemUnavailable` (try later) or
    :class:`~pledge.connectors.base.SystemMisdeclared` (the file or the table is wrong).
    """
    system_id, target, recipient = receiver(systems, kind)
    connector = systems.connector(system_id)
    if isinstance(connector, HttpConnector):
        fields = wire_values(target, data)
        written = connector.hand_over(kind, reference, fields)
        return HandedOver(system_id, recipient, None, written, tuple(sorted(fields)))
    if not isinstance(connector, SqlConnector) or target.table is None or not target.reference:
        raise SystemMisdeclared(f"{system_id}: this system cannot take hand-overs")
    values = row_values(target, data)
    names = (target.reference, *values)
    rows = table(target.table, *(column(name) for name in names))
    reference_column = rows.c[target.reference]
    with database_errors(system_id, target.table):
        try:
            with connector.engine.begin() as conn:
                written = not _found(conn, reference_column, reference)
                if written:
                    conn.execute(insert(rows).values({target.reference: reference, **values}))
        except IntegrityError:
            # Another hand-over of the same application inserted it since our look-up
            # (the unique index refused ours): already written. Any other refusal (a
            # NOT NULL column left out of the declaration) leaves no row: it is raised.
            with connector.engine.connect() as conn:
                if not _found(conn, reference_column, reference):
                    raise
            written = False
    return HandedOver(
        system_id=system_id,
        recipient=recipient,
        table=target.table,
        written=written,
        columns=tuple(sorted(values)),
    )


def _found(conn: Connection, reference_column: ColumnClause[object], reference: str) -> bool:
    """Whether the table holds a row of this application already."""
    query = select(reference_column).where(reference_column == reference).limit(1)
    return conn.execute(query).first() is not None


__all__ = [
    "FILE_PARTS",
    "HandedOver",
    "hand_over",
    "receiver",
    "row_values",
    "sources",
    "wire_values",
]
