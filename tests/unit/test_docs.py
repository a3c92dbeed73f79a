"""Fails when a command, setting or route exists but is not documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from typer.main import get_command

from pledge.cli.main import app as cli_app
from pledge.core import Pledge
from pledge.settings import Settings
from pledge.web.app import create_app

PARAM = re.compile(r"\{[^}]+\}")
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _command_paths(command: object, prefix: str = "pledge") -> list[str]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        paths = []
        for name, sub in subcommands.items():
            paths.extend(_command_paths(sub, f"{prefix} {name}"))
        return paths
    return [prefix]


def test_every_command_is_in_the_cli_reference() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = [p for p in _command_paths(get_command(cli_app)) if f"`{p}" not in text]
    assert not missing, f"undocumented commands: {missing}"


def test_every_setting_is_in_the_operations_guide() -> None:
    text = (DOCS / "operations.md").read_text()
    missing = [
        f"PLEDGE_{n.upper()}" for n in Settings.model_fields if f"PLEDGE_{n.upper()}" not in text
    ]
    assert not missing, f"undocumented settings: {missing}"


def _all_routes(routes: list[Any]) -> list[Any]:
    """Flatten included routers (FastAPI keeps them nested)."""
    flat: list[Any] = []
    for route in routes:
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        flat.extend(_all_routes(inner) if inner is not None else [route])
    return flat


def test_every_route_is_in_the_http_reference(tmp_path: Path) -> None:
    text = PARAM.sub("{}", (DOCS / "http.md").read_text())
    app = create_app(Pledge(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")))
    missing = []
    for route in _all_routes(app.routes):
        path = getattr(route, "path", "")
        for method in sorted(getattr(route, "methods", None) or []):
            if method in {"HEAD", "OPTIONS"}:
                continue
            if f"{method} {PARAM.sub('{}', path)}" not in text:
                missing.append(f"{method} {path}")
    assert not missing, f"undocumented routes: {missing}"
