"""Reading the connected-systems file: a :class:`SystemsFile`, or every problem with its place."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from pledge.connectors.spec import SystemsFile
from pledge.policy.schema import Problem


class SystemsFileError(Exception):
    """The file cannot be used; ``problems`` says where and why (``location: message``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.location}: {p.message}" for p in problems[:3]))


def load_systems(path: Path) -> SystemsFile:
    """Parse and validate the file at ``path``; raises :class:`SystemsFileError`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemsFileError([Problem(location=str(path), message=type(exc).__name__)]) from None
    except yaml.YAMLError as exc:
        problem = Problem(location=str(path), message=f"YAML error: {exc}")
        raise SystemsFileError([problem]) from None
    try:
        return SystemsFile.model_validate(data or {})
    except ValidationError as exc:
        problems = [
            Problem(
                location=f"{path} " + ".".join(str(part) for part in error["loc"]),
                message=error["msg"],
            )
            for error in exc.errors()
        ]
        raise SystemsFileError(problems) from None


__all__ = ["SystemsFileError", "load_systems"]
