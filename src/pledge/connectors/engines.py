"""One SQLAlchemy engine per connected database, and what its failures mean to Pledge.

Why translate every driver error here: fulfilment only needs to know whether
to retry later (:class:`SystemUnavailable`: the server is down, slow, locked)
or to stop and tell staff the declaration is wrong (:class:`SystemMisdeclared`:
a table or column named in the file is missing, a ``null`` on a NOT NULL
column). Messages carry the system id, the collection and the exception's
class name only: driver messages can quote values, and URLs carry passwords.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.spec import SystemKind, SystemSpec

_DRIVERS = {
    SystemKind.POSTGRESQL: ("postgresql", "postgresql+psycopg"),
    SystemKind.MYSQL: ("mysql", "mysql+pymysql"),
    SystemKind.SQLITE: ("sqlite", "sqlite"),
}
"""Kind -> (the URL's backend, the driver used when the URL names none)."""

_MISSING_SQLSTATES = frozenset({"42P01", "42703"})
"""PostgreSQL: undefined table, undefined column."""
_MISSING_MYSQL_CODES = frozenset({1146, 1054})
"""MariaDB/MySQL: no such table, unknown column."""
_MISSING_SQLITE_PREFIXES = ("no such table", "no such column")


def database_url(system_id: str, kind: SystemKind, url: str) -> URL:
    """The parsed URL, its driver filled in when the URL names only the database kind.

    A URL of another kind than declared is refused: the file and the
    environment disagree, and guessing would connect to the wrong system."""
    if kind not in _DRIVERS:
        raise SystemMisdeclared(f"{system_id}: kind {kind.value} is not an SQL database")
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        raise SystemMisdeclared(f"{system_id}: its URL is not an SQLAlchemy URL") from None
    backend, default_driver = _DRIVERS[kind]
    name = parsed.get_backend_name()
    if name == "mariadb":
        name = "mysql"
    if name != backend:
        raise SystemMisdeclared(f"{system_id}: its URL is for {name}, the file says {kind.value}")
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=default_driver)
    return parsed


def _connect_args(kind: SystemKind, timeout: float) -> dict[str, Any]:
    whole = max(2, math.ceil(timeout))
    if kind is SystemKind.POSTGRESQL:
        return {
            "connect_timeout": whole,
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        }
    if kind is SystemKind.MYSQL:
        # A row lock held by the company's own application is the usual wait: the
        # server gives up on it (error 1205) and the connection stays usable; the
        # socket timeouts, a little later, catch a server that stopped answering.
        return {
            "connect_timeout": whole,
            "read_timeout": whole + 2,
            "write_timeout": whole + 2,
            "init_command": f"SET SESSION innodb_lock_wait_timeout = {whole}",
        }
    return {"timeout": timeout}


def make_engine(system_id: str, spec: SystemSpec, url: str) -> Engine:
    """The system's engine: pre-pinged connections, its timeouts on connect and statements."""
    parsed = database_url(system_id, spec.kind, url)
    try:
        return create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args=_connect_args(spec.kind, spec.timeout_seconds),
        )
    except (sa_exc.ArgumentError, ImportError) as exc:
        raise SystemMisdeclared(f"{system_id}: cannot use its URL ({type(exc).__name__})") from None


def _is_missing_object(orig: BaseException | None) -> bool:
    """Whether the driver says a table or column does not exist."""
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) in _MISSING_SQLSTATES:
        return True
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MISSING_MYSQL_CODES:
        return True
    return type(orig).__module__ == "sqlite3" and str(orig).startswith(_MISSING_SQLITE_PREFIXES)


def _unavailable(exc: BaseException) -> bool:
    """Failures that another attempt, later, may not meet."""
    return isinstance(
        exc,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.TimeoutError
        | sa_exc.DisconnectionError
        | ConnectionError
        | TimeoutError,
    )


def _name(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return type(orig if orig is not None else exc).__name__


@contextmanager
def database_errors(system_id: str, where: str = "") -> Iterator[None]:
    """Turn the driver's errors into :class:`SystemUnavailable` / :class:`SystemMisdeclared`."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        place = f"{system_id}.{where}" if where else system_id
        if _is_missing_object(exc.orig):
            raise SystemMisdeclared(f"{place}: a declared table or column is missing") from None
        if _unavailable(exc):
            raise SystemUnavailable(system_id, _name(exc)) from None
        refused = f"{place}: the database refused the statement ({_name(exc)})"
        raise SystemMisdeclared(refused) from None
    except (sa_exc.TimeoutError, sa_exc.DisconnectionError, ConnectionError, TimeoutError) as exc:
        raise SystemUnavailable(system_id, _name(exc)) from None


__all__ = ["database_errors", "database_url", "make_engine"]
