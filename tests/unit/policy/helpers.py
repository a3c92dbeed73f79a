"""Helpers for the policy tests: dump a broken variant, find the line a key is on.

Dumping without aliases and without line wrapping keeps each key on a line of
its own, so :func:`find_lines` can say where a problem must be reported.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pledge.policy import Problem


class _NoAliasDumper(yaml.SafeDumper):
    """Writes shared objects out in full, so every key has its own line."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_policy(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` as YAML at ``path`` and return the path."""
    text = yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, width=10_000)
    path.write_text(text, encoding="utf-8")
    return path


def find_lines(path: Path, needle: str) -> list[int]:
    """1-based numbers of the lines of ``path`` that contain ``needle``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, start=1) if needle in line]


def line_of(problem: Problem) -> int:
    """The line number in a ``file:line path`` location."""
    match = re.search(r":(\d+)(?: |$)", problem.location)
    assert match, f"no line number in {problem.location!r}"
    return int(match.group(1))


def errors(problems: list[Problem]) -> list[Problem]:
    """Only the error-severity problems (the bundled policy has warnings)."""
    return [problem for problem in problems if problem.severity == "error"]


def index_of(items: list[dict[str, Any]], id: str, key: str = "id") -> int:
    """Position of the item whose ``key`` is ``id`` in a list of mappings."""
    return next(number for number, item in enumerate(items) if item[key] == id)


def lines_after(path: Path, start: str, needle: str) -> list[int]:
    """Lines containing ``needle`` after the first line containing ``start``."""
    first = find_lines(path, start)[0]
    return [number for number in find_lines(path, needle) if number > first]
