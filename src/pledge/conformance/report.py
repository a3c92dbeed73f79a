"""The conformance report: each promise of the policy, what keeps it and its live status.

Built from three sources: the policy in force (its controller, version and digest,
and the promises the discovery rule finds in it), the registry (``promises.yaml``)
and the test suite's results file.  A promise of the policy with no registry entry is
listed as unmapped; an entry whose sentence the policy no longer states, as stale.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pledge.conformance.discovery import find_promises, read_policy_data
from pledge.conformance.keys import resolve_key, states
from pledge.conformance.registry import PromiseEntry, Registry
from pledge.conformance.results import Results, Status, combined
from pledge.policy import Policy


class CitedTest(BaseModel):
    """A test cited for a promise, with its status and when that was recorded."""

    id: str
    status: Status
    recorded_at: datetime | None


class PromiseRow(BaseModel):
    """One promise as reported."""

    id: str
    sentence: str
    key: str
    section: str | None
    code: list[str]
    tests: list[CitedTest]
    manual: str | None
    gap: str | None
    note: str | None
    status: Status
    stated_in_policy: bool


class Unmapped(BaseModel):
    """A promise the policy states that the registry has no entry for."""

    key: str
    sentence: str


class Summary(BaseModel):
    """Totals per status, over the registry's entries."""

    total: int
    passed: int
    failed: int
    not_run: int
    manual: int
    not_covered: int
    unmapped: int
    stale: int


class ConformanceReport(BaseModel):
    """The whole report, as ``--format json`` prints it and the HTML shows it."""

    generated_at: datetime
    controller: str
    policy_title: str
    policy_version: str
    policy_effective: str
    policy_digest: str
    policy_path: str
    results_path: str
    results_recorded_at: datetime | None
    summary: Summary
    promises: list[PromiseRow]
    unmapped: list[Unmapped]


def build_report(
    policy: Policy, policy_path: Path, registry: Registry, results: Results, results_at: Path
) -> ConformanceReport:
    """Match the registry to the policy in force and to the last recorded test outcomes."""
    data = read_policy_data(policy_path)
    rows = [_row(entry, data, results) for entry in registry.promises]
    mapped = registry.by_sentence()
    unmapped = [
        Unmapped(key=found.key, sentence=found.sentence)
        for found in find_promises(data)
        if found.sentence not in mapped
    ]
    recorded = [result.at for result in results.tests.values()]
    return ConformanceReport(
        generated_at=datetime.now(UTC),
        controller=policy.controller.name,
        policy_title=policy.title,
        policy_version=policy.version,
        policy_effective=policy.effective.isoformat(),
        policy_digest=policy.digest,
        policy_path=str(policy_path),
        results_path=str(results_at),
        results_recorded_at=max(recorded) if recorded else None,
        summary=_summary(rows, unmapped),
        promises=rows,
        unmapped=unmapped,
    )


def _row(entry: PromiseEntry, data: dict[str, Any], results: Results) -> PromiseRow:
    tests = [_cited(test_id, results) for test_id in entry.tests]
    return PromiseRow(
        id=entry.id,
        sentence=entry.sentence,
        key=entry.key,
        section=section_of(data, entry.key),
        code=entry.code,
        tests=tests,
        manual=entry.manual,
        gap=entry.gap,
        note=entry.note,
        status=_status(entry, tests),
        stated_in_policy=states(data, entry.key, entry.sentence),
    )


def _cited(test_id: str, results: Results) -> CitedTest:
    times = [result.at for result in results.nodes_of(test_id)]
    return CitedTest(
        id=test_id, status=results.status_of(test_id), recorded_at=max(times) if times else None
    )


def _status(entry: PromiseEntry, tests: list[CitedTest]) -> Status:
    if entry.manual is not None:
        return Status.manual
    if entry.gap is not None:
        return Status.gap
    return combined(test.status for test in tests)


def _summary(rows: list[PromiseRow], unmapped: list[Unmapped]) -> Summary:
    counts = Counter(row.status for row in rows)
    return Summary(
        total=len(rows),
        passed=counts[Status.passed],
        failed=counts[Status.failed],
        not_run=counts[Status.not_run],
        manual=counts[Status.manual],
        not_covered=counts[Status.gap],
        unmapped=len(unmapped),
        stale=sum(1 for row in rows if not row.stated_in_policy),
    )


def section_of(data: dict[str, Any], key: str) -> str | None:
    """The policy heading (``section:``) nearest above the key, for a reader to find it."""
    parts = key.split(".")
    for length in range(len(parts), 0, -1):
        try:
            node = resolve_key(data, ".".join(parts[:length]))
        except KeyError:
            continue
        if isinstance(node, dict) and isinstance(node.get("section"), str):
            return str(node["section"])
    return None
