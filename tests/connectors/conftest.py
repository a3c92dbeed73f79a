"""The shop database on SQLite (a file per test), PostgreSQL and MariaDB (a fresh database per run).

PostgreSQL is skipped when no server answers, unless ``PLEDGE_TEST_REQUIRE_POSTGRES=1``;
MariaDB likewise unless ``PLEDGE_TEST_REQUIRE_MARIADB=1`` (both set by CI).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from pledge.connectors.sql import SqlConnector
from tests.connectors import shop

PG_ADMIN_URL = os.environ.get(
    "PLEDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get(
    "PLEDGE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/mysql"
)
REQUIRE = {
    "postgresql": os.environ.get("PLEDGE_TEST_REQUIRE_POSTGRES") == "1",
    "mysql": os.environ.get("PLEDGE_TEST_REQUIRE_MARIADB") == "1",
}


def _server_database(kind: str, admin_url: str) -> Iterator[str]:
    """A new database on the server at ``admin_url``, dropped at the end; its URL."""
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect():
            pass
    except Exception:
        if REQUIRE[kind]:
            pytest.fail(f"{kind} is required for these tests but not reachable")
        pytest.skip(f"{kind} not reachable")
    name = f"pledge_conn_{secrets.token_hex(4)}_{os.getpid()}"
    quoted = f'"{name}"' if kind == "postgresql" else f"`{name}`"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {quoted}"))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        drop = f"DROP DATABASE IF EXISTS {quoted}"
        with admin.connect() as conn:
            conn.execute(text(drop + (" WITH (FORCE)" if kind == "postgresql" else "")))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_shop_url() -> Iterator[str]:
    yield from _server_database("postgresql", PG_ADMIN_URL)


@pytest.fixture(scope="session")
def mariadb_shop_url() -> Iterator[str]:
    yield from _server_database("mysql", MARIADB_ADMIN_URL)


@dataclass
class Shop:
    """The shop database of one test: its kind, URL and an engine for checking it."""

    kind: str
    url: str
    engine: Engine

    def connector(self, **changes: object) -> SqlConnector:
        return SqlConnector("shop", shop.spec(self.kind, **changes), self.url)


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def shop_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    """The shop, freshly built, on the parametrised database."""
    kind = str(request.param)
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.db'}"
    elif kind == "postgresql":
        url = str(request.getfixturevalue("pg_shop_url"))
    else:
        url = str(request.getfixturevalue("mariadb_shop_url"))
    engine = create_engine(url)
    shop.build(engine)
    try:
        yield Shop(kind=kind, url=url, engine=engine)
    finally:
        engine.dispose()


@pytest.fixture
def connector(shop_db: Shop) -> Iterator[SqlConnector]:
    instance = shop_db.connector()
    try:
        yield instance
    finally:
        instance.close()
