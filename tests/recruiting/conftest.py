"""Recruiting's fixtures: applications sent with the careers form, the recruiting team signed
in, and the systems applications are handed over to (a background-check processor's table and
the employee record) on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    select,
)

from pledge.connectors.registry import Systems
from pledge.core import Pledge
from pledge.db.models import Record
from tests.connectors.live_databases import fresh_database
from tests.site_forms.helpers import careers, pdf
from tests.staff_accounts import create_staff, csrf_of, sign_in

SYSTEMS_YAML = """\
systems:
  checks:
    kind: {kind}
    url_env: RECRUIT_TEST_CHECKS_URL
    recipient: background_check_providers
    collections: {{}}
    hand_over:
      background_check:
        table: check_requests
        reference: pledge_application
        columns: {{full_name: name, email: email, country: country, resume: resume.content}}
  hr:
    kind: {kind}
    url_env: RECRUIT_TEST_HR_URL
    collections: {{}}
    hand_over:
      employee_record:
        table: employees
        reference: pledge_application
        columns: {{full_name: name, email: email, phone: phone, country: country,
                   position: position, resume: resume.content, resume_name: resume.filename,
                   resume_sha256: resume.sha256}}
"""

metadata = MetaData()
CHECK_REQUESTS = Table(
    "check_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pledge_application", String(36), nullable=False, unique=True),
    Column("full_name", String(200)),
    Column("email", String(320)),
    Column("country", String(2)),
    Column("resume", LargeBinary),
)
EMPLOYEES = Table(
    "employees",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pledge_application", String(36), nullable=False, unique=True),
    Column("full_name", String(200)),
    Column("email", String(320)),
    Column("phone", String(40)),
    Column("country", String(2)),
    Column("position", String(64)),
    Column("resume", LargeBinary),
    Column("resume_name", String(200)),
    Column("resume_sha256", String(64)),
)


def apply(
    client: TestClient,
    pledge: Pledge,
    email: str,
    *,
    country: str = "FR",
    position: str | None = "backend-2027",
    keep: bool = False,
    name: str = "Ada Example",
    **extra: Any,
) -> str:
    """Send the careers form with a PDF résumé; the new record's id."""
    body = careers(pledge, email=email, country=country, name=name, **extra)
    if position is not None:
        body["position"] = position
    if keep:
        body["future_opportunities"] = "on"
    before = application_ids(pledge)
    answer = client.post(
        "/api/v1/forms/careers", data=body, files={"resume": ("cv.pdf", pdf(), "application/pdf")}
    )
    assert answer.status_code == 201, answer.text
    new = application_ids(pledge) - before
    assert len(new) == 1
    return new.pop()


def application_ids(pledge: Pledge) -> set[str]:
    with pledge.sessions() as session:
        return set(
            session.scalars(select(Record.id).where(Record.category == "employment_application"))
        )


def signed_in(client: TestClient, pledge: Pledge, role: str) -> TestClient:
    """A browser of its own, signed in as a new account of ``role``."""
    email = f"{role}-{len(_browsers)}@interactions.com"
    create_staff(pledge, email, role)
    browser = TestClient(client.app, raise_server_exceptions=False)
    _browsers.append(browser)
    assert sign_in(browser, email) == 303
    return browser


_browsers: list[TestClient] = []


def csrf(browser: TestClient) -> str:
    return csrf_of(browser.get("/admin/account").text)


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


@dataclass
class Target:
    """The database applications are handed over to (both tables in one database)."""

    kind: str
    url: str
    engine: Engine

    def rows(self, table: Table) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(select(table))]


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def target(
    request: pytest.FixtureRequest, tmp_path: Path, pledge: Pledge, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Target]:
    """The hand-over tables on the parametrised database, declared in PLEDGE_SYSTEMS."""
    kind = str(request.param)
    if kind == "sqlite":
        yield from _declared(
            kind, f"sqlite:///{tmp_path / 'hr.sqlite'}", tmp_path, pledge, monkeypatch
        )
        return
    with fresh_database(kind) as url:
        yield from _declared(kind, url, tmp_path, pledge, monkeypatch)


def _declared(
    kind: str, url: str, tmp_path: Path, pledge: Pledge, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Target]:
    engine = create_engine(url)
    metadata.create_all(engine)
    declared = tmp_path / "systems.yaml"
    declared.write_text(SYSTEMS_YAML.format(kind=kind), encoding="utf-8")
    monkeypatch.setenv("RECRUIT_TEST_CHECKS_URL", url)
    monkeypatch.setenv("RECRUIT_TEST_HR_URL", url)
    pledge.settings.systems = declared
    pledge.forget_state(Systems)
    try:
        yield Target(kind, url, engine)
    finally:
        pledge.state(Systems, lambda: Systems.load(None)).close()
        engine.dispose()
