"""The consent package's three parts import each other one way only.

``rules`` is pure: it imports neither the ledger nor the send-list filter,
nor any database code. The ledger imports the rules, never the filter; the
filter imports the rules and the ledger. Neither part imports the modules
at the package top (cookies, unsubscribe, do-not-call) except the input
shapes (``schemas``), which import nothing of the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pledge.consent

PACKAGE = Path(pledge.consent.__file__).parent
TOP_ALLOWED = {"pledge.consent.schemas"}

ALLOWED = {
    "rules": {"pledge.consent.rules"},
    "ledger": {"pledge.consent.rules", "pledge.consent.ledger", *TOP_ALLOWED},
    "sendlist": {
        "pledge.consent.rules",
        "pledge.consent.ledger",
        "pledge.consent.sendlist",
        *TOP_ALLOWED,
    },
}


def imported(path: Path) -> set[str]:
    """Every module a file imports (at any depth, lazily or not)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def within(name: str, allowed: set[str]) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in allowed)


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_what_it_may(part: str) -> None:
    for path in sorted((PACKAGE / part).glob("*.py")):
        for name in imported(path):
            if name == "pledge.consent" or name.startswith("pledge.consent."):
                assert within(name, ALLOWED[part]), f"{path.name} imports {name}"


def test_the_rules_touch_no_database() -> None:
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        for name in imported(path):
            assert not name.startswith(("sqlalchemy", "psycopg", "pledge.db")), path.name


def test_the_input_shapes_import_nothing_of_the_package() -> None:
    for name in imported(PACKAGE / "schemas.py"):
        assert not name.startswith("pledge.consent"), name
