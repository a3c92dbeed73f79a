"""Without axe-core the accessibility tests say what to install: skipped here, failed under CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser import accessibility


def test_missing_axe_skips_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(accessibility, "AXE", tmp_path / "axe.min.js")
    monkeypatch.delenv("PLEDGE_TEST_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="npm ci --no-audit --no-fund"):
        accessibility.require_axe()


def test_missing_axe_fails_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(accessibility, "AXE", tmp_path / "axe.min.js")
    monkeypatch.setenv("PLEDGE_TEST_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="axe-core is not installed"):
        accessibility.require_axe()


def test_the_installed_axe_is_the_one_the_lock_file_pins() -> None:
    """scripts/test installs it again when package-lock.json changes."""
    accessibility.require_axe()
    lock = json.loads((accessibility.AXE.parents[2] / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/axe-core"]["version"]
    assert pinned.startswith("4.")
    assert f"axe v{pinned}\n" in accessibility.AXE.read_text(encoding="utf-8")[:100]
