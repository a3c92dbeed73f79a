"""Fresh databases for the live checks: a SQLite file, a PostgreSQL and a MariaDB database.

Each server database is created for the test session and dropped after; a
server that does not answer skips its tests, unless ``PLEDGE_TEST_REQUIRE_POSTGRES=1``
or ``PLEDGE_TEST_REQUIRE_MARIADB=1`` makes that a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.conftest import PG_ADMIN_URL

MARIADB_ADMIN_URL = os.environ.get(
    "PLEDGE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/mysql"
)
REQUIRED = {
    "postgresql": os.environ.get("PLEDGE_TEST_REQUIRE_POSTGRES") == "1",
    "mysql": os.environ.get("PLEDGE_TEST_REQUIRE_MARIADB") == "1",
}
ADMIN_URLS = {"postgresql": PG_ADMIN_URL, "mysql": MARIADB_ADMIN_URL}


def _admin(kind: str) -> Engine:
    engine = create_engine(ADMIN_URLS[kind], isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception:
        engine.dispose()
        if REQUIRED[kind]:
            pytest.fail(f"{kind} is required for these tests but not reachable")
        pytest.skip(f"{kind} not reachable")
    return engine


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The URL of a new, empty database on the ``kind`` server, dropped on exit."""
    admin = _admin(kind)
    name = f"pledge_check_{secrets.token_hex(4)}_{os.getpid()}"
    quoted = f'"{name}"' if kind == "postgresql" else f"`{name}`"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {quoted}"))
    try:
        yield ADMIN_URLS[kind].rsplit("/", 1)[0] + "/" + name
    finally:
        force = " WITH (FORCE)" if kind == "postgresql" else ""
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted}{force}"))
        admin.dispose()
