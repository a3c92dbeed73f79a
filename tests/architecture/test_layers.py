"""The structure of the package: layers, no import circles, a small public face."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pledge
from tests.architecture.cycles import package_cycles

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_imports_only_the_layers_below_it() -> None:
    """The contract in pyproject.toml ([tool.importlinter]), as docs/architecture.md draws it.

    In a process of its own: import-linter reconfigures logging, which would
    silence the log captures of the tests that run after this one.
    """
    linted = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout[-3000:]


def test_no_import_circle_in_any_package() -> None:
    assert package_cycles("pledge") == []


def test_the_circle_check_finds_a_circle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "circled"
    (package / "a").mkdir(parents=True)
    (package / "b").mkdir()
    (package / "__init__.py").write_text("")
    (package / "a" / "__init__.py").write_text("")
    (package / "b" / "__init__.py").write_text("")
    (package / "a" / "one.py").write_text("from circled.b import two\n")
    (package / "b" / "two.py").write_text(
        textwrap.dedent(
            """
            def late():
                from circled.a import one  # a lazy import is still a circle
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert package_cycles("circled") == [("circled", ["circled.a", "circled.b"])]


def test_the_public_face() -> None:
    assert sorted(pledge.__all__) == [
        "Pledge",
        "PledgeError",
        "Policy",
        "Settings",
        "create_app",
        "load_policy",
        "upgrade_schema",
    ]
    for name in pledge.__all__:
        assert getattr(pledge, name).__name__ == name
    with pytest.raises(AttributeError):
        _ = pledge.nothing_here  # type: ignore[attr-defined]


def test_importing_a_small_part_does_not_load_the_web_stack() -> None:
    code = (
        "import pledge.pii, sys; print('pledge.web.app' in sys.modules, 'fastapi' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.split() == ["False", "False"]
