"""What the register tests share: people collected through the API, a signed-in browser."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pledge.core import Pledge
from tests.retention.conftest import (  # noqa: F401  (helpers and the fixture, reused)
    ANNA,
    BRUNO,
    CARLA,
    application,
    audit_of,
    count,
    identification,
    post_records,
    web,
)
from tests.staff_accounts import create_staff, sign_in


def browser(pledge: Pledge, client: TestClient, role: str) -> TestClient:
    """A console session of a new account of ``role``."""
    email = f"{role}.registers@interactions.com"
    create_staff(pledge, email, role)
    signed_in = TestClient(client.app, raise_server_exceptions=False)
    assert sign_in(signed_in, email) == 303
    return signed_in


def token_of(html: str) -> str:
    return html.split('name="form_token" value="')[1].split('"')[0]


@pytest.fixture
def cli(pledge: Pledge, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The real ``pledge`` command line, on the ``pledge`` fixture's database and key."""
    monkeypatch.setenv("PLEDGE_DATABASE_URL", pledge.settings.database_url)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", pledge.settings.master_key or "")
    return CliRunner()
