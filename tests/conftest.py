"""Fixtures shared by every test: a Pledge on SQLite and on PostgreSQL.

The ``pledge`` fixture is parametrised over both databases, so every storage
and API test runs twice. PostgreSQL tests use a fresh database created for
this run (and dropped after); they are skipped when no server answers, unless
``PLEDGE_TEST_REQUIRE_POSTGRES=1`` (set by CI) makes that a failure.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from pledge.access import create_api_key
from pledge.core import Pledge
from pledge.db.base import Base
from pledge.settings import Settings
from pledge.startup import settle_data, upgrade_schema
from pledge.web.app import create_app
from tests.integration.smtp_server import SmtpServer, running_smtp_server

PG_ADMIN_URL = os.environ.get(
    "PLEDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("PLEDGE_TEST_REQUIRE_POSTGRES") == "1"

# Each test's outcome goes to the results file `pledge report conformance` reads.
pytest_plugins = ["tests.results_recorder"]


def new_master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _postgres_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    if not _postgres_available():
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (PLEDGE_TEST_REQUIRE_POSTGRES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable")
    name = f"pledge_test_{secrets.token_hex(4)}_{os.getpid()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(instance: Pledge) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with instance.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def _pg_master_key() -> str:
    return new_master_key()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: a new SQLite file, or the run's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pledge.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def settings(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    key = (
        request.getfixturevalue("_pg_master_key")
        if db_url.startswith("postgresql")
        else new_master_key()
    )
    # Intake limits (per IP and per e-mail address, per hour) are raised for the suite:
    # its tests make many requests for one address from one client. The limits
    # themselves are tested with their defaults in tests/web/test_intake_throttle.py.
    # PostgreSQL has no default audit anchor: each test gets its own, as SQLite does beside
    # its file, so every test's chain is checked against its checkpoints.
    anchor = None if db_url.startswith("sqlite") else tmp_path / "audit-anchor"
    return Settings(
        database_url=db_url,
        master_key=key,
        smtp_url=None,
        audit_anchor=anchor,
        intake_limit_per_ip=10_000,
        intake_limit_per_address=10_000,
        site_form_answer_seconds=0,  # its floor is tested in tests/site_forms/test_impostors.py
    )


@pytest.fixture
def pledge(settings: Settings) -> Iterator[Pledge]:
    """A migrated, empty Pledge on the parametrised database."""
    instance = Pledge(settings)
    upgrade_schema(instance)
    if not settings.is_sqlite:
        _truncate_all(instance)
        settle_data(instance)
    yield instance
    instance.dispose()


@pytest.fixture
def client(pledge: Pledge) -> Iterator[TestClient]:
    """An HTTP client over the real app of the ``pledge`` fixture."""
    with TestClient(create_app(pledge), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def system_key(pledge: Pledge) -> str:
    return create_api_key(pledge, name="test-system", role="system")[1]


@pytest.fixture
def admin_key(pledge: Pledge) -> str:
    return create_api_key(pledge, name="test-admin", role="admin")[1]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port, for the test's duration."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def mailer(pledge: Pledge, smtp: SmtpServer) -> Pledge:
    """The parametrised Pledge, sending through the test SMTP server."""
    pledge.settings.smtp_url = smtp.url
    pledge.settings.smtp_from = "Privacy Team <privacy@pledge.example>"
    return pledge
