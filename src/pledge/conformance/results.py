"""The test suite's results file, which the conformance report reads.

``tests/results_recorder.py`` (a pytest plugin) writes each test's outcome of the
last run that ran it into a JSON file: ``PLEDGE_TEST_RESULTS`` or, by default,
``.pledge-test-results.json`` in the directory pytest or the report runs in (the
repository root; the file is git-ignored).  A run of a few tests updates those tests
and keeps the others' earlier outcomes, each with the time it was recorded.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pledge.conformance.registry import base_test_id

RESULTS_ENV = "PLEDGE_TEST_RESULTS"
DEFAULT_RESULTS_NAME = ".pledge-test-results.json"

Outcome = Literal["passed", "failed", "skipped"]


class Status(StrEnum):
    """A promise's (or a cited test's) standing in the report."""

    passed = "passed"
    failed = "failed"
    not_run = "not run"
    manual = "manual"
    gap = "not covered"


class NodeResult(BaseModel):
    """One test node's outcome and when it was recorded."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    at: datetime


class Results(BaseModel):
    """Every recorded test node id with its last outcome."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    tests: dict[str, NodeResult] = {}

    def nodes_of(self, test_id: str) -> list[NodeResult]:
        """The recorded nodes of a cited id: itself, or each of its parameters."""
        return [
            result
            for node, result in self.tests.items()
            if node == test_id or base_test_id(node) == test_id
        ]

    def status_of(self, test_id: str) -> Status:
        """A cited id's status over its recorded nodes (every parameter of a test).

        Failed if any node failed; passed if at least one passed and none failed (a
        PostgreSQL variant skipped where no server runs does not hide the SQLite pass);
        not run when nothing was recorded or every node was skipped.
        """
        outcomes = {result.outcome for result in self.nodes_of(test_id)}
        if "failed" in outcomes:
            return Status.failed
        if "passed" in outcomes:
            return Status.passed
        return Status.not_run


def combined(statuses: Iterable[Status]) -> Status:
    """The status of several tests: failed over not run over passed."""
    found = set(statuses)
    for status in (Status.failed, Status.not_run):
        if status in found:
            return status
    return Status.passed if found else Status.not_run


def results_path(base: Path | None = None) -> Path:
    """``PLEDGE_TEST_RESULTS``, else the default name in ``base`` (the working directory)."""
    configured = os.environ.get(RESULTS_ENV)
    if configured:
        return Path(configured)
    return (base or Path.cwd()) / DEFAULT_RESULTS_NAME


def read_results(path: Path) -> Results:
    """The recorded results; empty when the file is missing or unreadable (nothing run)."""
    try:
        return Results.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return Results()


def merge_results(path: Path, recorded: dict[str, NodeResult]) -> None:
    """Add this run's outcomes to the file, atomically (a reader never sees half a file).

    A lock file beside it keeps two test runs finishing at once from losing each
    other's outcomes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _merge_locked(path, recorded)


def _merge_locked(path: Path, recorded: dict[str, NodeResult]) -> None:
    results = read_results(path)
    results.tests.update(recorded)
    payload = results.model_dump(mode="json")
    payload["tests"] = dict(sorted(payload["tests"].items()))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=1)
        out.write("\n")
    os.replace(temporary, path)
