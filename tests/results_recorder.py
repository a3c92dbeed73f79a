"""A pytest plugin: each test's outcome goes to the results file the conformance report reads.

Registered by ``tests/conftest.py``.  A node's outcome is ``failed`` if its set-up,
call or tear-down failed, ``skipped`` if it was skipped (or expected to fail: an xfail
proves nothing), else ``passed``.  Under pytest-xdist only the controller writes (it
receives every worker's reports).  ``PLEDGE_TEST_RESULTS=off`` turns recording off.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pledge.conformance.results import RESULTS_ENV, NodeResult, merge_results, results_path


class ResultsRecorder:
    """Collects this run's outcomes and merges them into the results file at the end."""

    def __init__(self, rootpath: Path) -> None:
        self.rootpath = rootpath
        self.recorded: dict[str, NodeResult] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        now = datetime.now(UTC)
        earlier = self.recorded.get(report.nodeid)
        if report.failed:
            self.recorded[report.nodeid] = NodeResult(outcome="failed", at=now)
        elif report.skipped and earlier is None:
            self.recorded[report.nodeid] = NodeResult(outcome="skipped", at=now)
        elif _passed_call(report) and (earlier is None or earlier.outcome != "failed"):
            self.recorded[report.nodeid] = NodeResult(outcome="passed", at=now)

    def pytest_sessionfinish(self) -> None:
        if self.recorded:
            merge_results(results_path(self.rootpath), self.recorded)


def _passed_call(report: pytest.TestReport) -> bool:
    """The test body passed, and was not an expected failure that happened to pass."""
    return report.when == "call" and report.passed and not hasattr(report, "wasxfail")


def pytest_configure(config: pytest.Config) -> None:
    """Record outcomes, unless turned off or running as an xdist worker."""
    if hasattr(config, "workerinput") or os.environ.get(RESULTS_ENV, "").lower() == "off":
        return
    config.pluginmanager.register(ResultsRecorder(config.rootpath), "pledge-results-recorder")
