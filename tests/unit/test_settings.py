"""Settings refuse unsafe or malformed master keys."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from pledge.errors import ConfigurationError
from pledge.settings import Settings


def test_postgres_requires_a_master_key() -> None:
    settings = Settings(database_url="postgresql+psycopg://u@h/db", master_key=None)
    with pytest.raises(ConfigurationError, match="PLEDGE_MASTER_KEY is required"):
        settings.master_key_bytes()


@pytest.mark.parametrize("value", ["not base64!!", base64.b64encode(b"short").decode()])
def test_malformed_master_key_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="PLEDGE_MASTER_KEY"):
        Settings(master_key=value).master_key_bytes()


def test_sqlite_key_file_is_created_private_and_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", master_key=None)
    first = settings.master_key_bytes()
    key_file = tmp_path / "p.db.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert "PLEDGE_MASTER_KEY" in caplog.text
    assert settings.master_key_bytes() == first
