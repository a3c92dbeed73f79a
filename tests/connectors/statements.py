"""Recording the SQL a connector sends, to prove what it reads and how many queries it makes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from pledge.connectors.sql import SqlConnector


@contextmanager
def recorded(connector: SqlConnector) -> Iterator[list[str]]:
    """Every statement the connector's engine executes inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(connector.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connector.engine, "before_cursor_execute", record)
