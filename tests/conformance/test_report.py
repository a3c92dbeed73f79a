"""``pledge report conformance``: statuses from the results file, JSON and printable HTML."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pledge.cli.main import build_app
from pledge.conformance import load_registry
from pledge.conformance.results import NodeResult, Results, Status, merge_results, read_results
from pledge.policy import bundled_policy_path, load_policy

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def _result(outcome: str) -> NodeResult:
    return NodeResult.model_validate({"outcome": outcome, "at": NOW})


def test_a_cited_test_covers_its_parameters() -> None:
    results = Results(
        tests={
            "tests/a.py::test_x[sqlite]": _result("passed"),
            "tests/a.py::test_x[postgresql]": _result("skipped"),
            "tests/a.py::test_y[sqlite]": _result("passed"),
            "tests/a.py::test_y[postgresql]": _result("failed"),
            "tests/a.py::test_z": _result("skipped"),
        }
    )
    assert results.status_of("tests/a.py::test_x") is Status.passed
    assert results.status_of("tests/a.py::test_y") is Status.failed
    assert results.status_of("tests/a.py::test_z") is Status.not_run
    assert results.status_of("tests/a.py::test_unknown") is Status.not_run


def test_a_later_run_updates_its_tests_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    merge_results(
        path, {"tests/a.py::test_x": _result("passed"), "tests/a.py::test_y": _result("passed")}
    )
    merge_results(path, {"tests/a.py::test_y": _result("failed")})
    tests = read_results(path).tests
    assert tests["tests/a.py::test_x"].outcome == "passed"
    assert tests["tests/a.py::test_y"].outcome == "failed"
    (tmp_path / "broken.json").write_text("{not json")
    assert read_results(tmp_path / "broken.json").tests == {}


def _all_cited(outcome: str) -> dict[str, NodeResult]:
    cited = {test for entry in load_registry().promises for test in entry.tests}
    return {f"{test}[sqlite]": _result(outcome) for test in cited}


def _report(args: list[str], results: Path, **env: str) -> str:
    outcome = CliRunner().invoke(
        build_app(),
        ["report", "conformance", *args, "--results", str(results)],
        env={"PLEDGE_TEST_RESULTS": "", **env},
    )
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def test_json_lists_every_promise_with_its_status(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    merge_results(results, _all_cited("passed"))
    merge_results(
        results,
        {
            "tests/web/test_records_api.py::test_child_data_is_refused[postgresql]": _result(
                "failed"
            )
        },
    )
    report = json.loads(_report(["--format", "json"], results))
    policy = load_policy(bundled_policy_path())
    assert report["controller"] == "Interactions, LLC"
    assert report["policy_digest"] == policy.digest
    rows = {row["id"]: row for row in report["promises"]}
    assert len(rows) == len(load_registry().promises) > 100
    assert rows["minimum-age"]["status"] == "failed"
    assert rows["minimum-age"]["key"] == "minimum_age"
    assert rows["eu-access-1"]["status"] == "passed"
    assert rows["security-measures-5"]["status"] == "manual"
    assert rows["access-3"]["status"] == "not covered"
    summary = report["summary"]
    assert summary["failed"] >= 1
    assert summary["unmapped"] == summary["stale"] == 0
    counted = ("passed", "failed", "not_run", "manual", "not_covered")
    assert sum(summary[name] for name in counted) == summary["total"]


def test_without_results_every_tested_promise_is_not_run(tmp_path: Path) -> None:
    report = json.loads(_report([], tmp_path / "absent.json"))
    statuses = {row["status"] for row in report["promises"]}
    assert statuses == {"not run", "manual", "not covered"}
    assert report["results_recorded_at"] is None


def test_a_promise_added_to_the_policy_shows_as_unmapped(tmp_path: Path) -> None:
    document = yaml.safe_load(bundled_policy_path().read_text())
    document["statements"]["children"]["text"] += " We will never sell a child's data."
    document["statements"]["contact"]["text"] = "Please write to us."
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    report = json.loads(_report([], tmp_path / "absent.json", PLEDGE_POLICY=str(path)))
    assert report["unmapped"] == [
        {"key": "statements.children.text", "sentence": "We will never sell a child's data."}
    ]
    assert report["summary"]["unmapped"] == 1


@pytest.mark.parametrize("outcome", ["passed", "failed"])
def test_html_is_a_self_contained_printable_document(tmp_path: Path, outcome: str) -> None:
    results = tmp_path / "results.json"
    merge_results(results, _all_cited(outcome))
    html = _report(["--format", "html"], results)
    policy = load_policy(bundled_policy_path())
    assert html.startswith("<!DOCTYPE html>")
    for text in ("Interactions, LLC", policy.digest, "2020-05-04", "Summary", "@media print"):
        assert text in html
    assert not re.search(r"<(script|link|img)\b", html)
    assert "url(" not in html
    assert html.count('class="promise"') == len(load_registry().promises)
    assert f'<span class="status s-{outcome}">{outcome}</span>' in html
