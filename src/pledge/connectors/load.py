"""Reading the connected-systems file: a :class:`SystemsFile`, or every problem with its place.

The file is read by the policy loader's YAML reader (:func:`pledge.policy.load_yaml_model`),
so a problem says ``systems.yaml:12 systems.shop.collections.customer.primary_key:
...`` exactly as ``pledge policy check`` does, duplicate keys are refused rather
than silently overwritten, and ``NO`` stays text. An empty file declares no systems.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pledge.connectors.spec import SystemsFile
from pledge.policy import Problem, load_yaml_model
from pledge.policy.checks import Loc, format_loc

Locate = Callable[[Loc], str]
"""Turns a key path (``("systems", "shop", "kind")``) into ``file:line systems.shop.kind``."""


class SystemsFileError(Exception):
    """The file cannot be used; ``problems`` says where and why (``location: message``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.location}: {p.message}" for p in problems[:3]))


def dotted(loc: Loc) -> str:
    """A location without a file: ``systems.shop.kind`` (for a file read elsewhere)."""
    return format_loc(loc)


def read_systems(path: Path) -> tuple[SystemsFile | None, list[Problem], Locate]:
    """The file at ``path`` (None on any problem), its problems, and its locator.

    Never raises for bad content; the locator places the caller's own checks
    (:mod:`pledge.connectors.check`) on the file's lines.
    """
    return load_yaml_model(path, SystemsFile, empty=SystemsFile())


def load_systems(path: Path) -> SystemsFile:
    """Parse and validate the file at ``path``; raises :class:`SystemsFileError`."""
    systems, problems, _ = read_systems(path)
    if systems is None:
        raise SystemsFileError(problems)
    return systems


__all__ = ["Locate", "SystemsFileError", "dotted", "load_systems", "read_systems"]
