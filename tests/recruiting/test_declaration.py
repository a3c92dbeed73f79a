"""The connected-systems file's ``hand_over``: checked against the policy before any use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pledge.connectors.check import check_systems
from pledge.connectors.load import SystemsFileError, load_systems, read_systems
from pledge.policy import Policy, bundled_policy_path, load_policy
from tests.connectors.shop_systems import write

ENVIRON = {
    "HR_URL": "sqlite:///nowhere.db",
    "CHECKS_URL": "https://checks.example.com/pledge",
    "CHECKS_SECRET": "x" * 40,
}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(bundled_policy_path())


def _system(hand_over: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "systems": {
            "hr": {"kind": "sqlite", "url_env": "HR_URL", "collections": {}, **extra}
            | {"hand_over": hand_over}
        }
    }


def _errors(policy: Policy, tmp_path: Path, data: dict[str, Any]) -> list[str]:
    systems, problems, locate = read_systems(write(tmp_path / "systems.yaml", data))
    assert systems is not None, problems
    return [str(p) for p in check_systems(policy, systems, ENVIRON, locate)]


def test_a_good_declaration_passes(policy: Policy, tmp_path: Path) -> None:
    data = _system(
        {
            "employee_record": {
                "table": "employees",
                "reference": "ref",
                "columns": {"n": "name", "cv": "resume.content", "kind": "resume.media_type"},
            },
            "background_check": {
                "table": "checks",
                "reference": "ref",
                "columns": {"n": "name", "e": "email"},
            },
        },
        recipient="background_check_providers",
    )
    assert _errors(policy, tmp_path, data) == []


def test_unknown_fields_parts_and_recipients_are_errors(policy: Policy, tmp_path: Path) -> None:
    data = _system(
        {
            "background_check": {
                "table": "checks",
                "reference": "ref",
                "columns": {"a": "salary", "b": "name.content"},
            }
        },
        recipient="hubspot",
    )
    errors = _errors(policy, tmp_path, data)
    assert any("columns.a" in e and "not a field of 'employment_application'" in e for e in errors)
    assert any("columns.b" in e and "only a file field has parts" in e for e in errors)
    assert any("background_checks" in e and "recipient" in e for e in errors)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            {
                "systems": {
                    "crm": {
                        "kind": "http",
                        "url_env": "HR_URL",
                        "secret_env": "HR_URL",
                        "collections": {},
                        "hand_over": {
                            "employee_record": {
                                "table": "t",
                                "reference": "r",
                                "columns": {"a": "name"},
                            }
                        },
                    }
                }
            },
            "give 'columns' only",
        ),
        (
            _system({"employee_record": {"reference": "r", "columns": {"a": "name"}}}),
            "give both",
        ),
        (
            _system(
                {"employee_record": {"table": "t", "reference": "r", "columns": {"r": "name"}}}
            ),
            "reference column",
        ),
        (
            _system({"payroll": {"table": "t", "reference": "r", "columns": {"a": "name"}}}),
            "payroll",
        ),
    ],
)
def test_shapes_the_file_refuses(tmp_path: Path, data: dict[str, Any], said: str) -> None:
    with pytest.raises(SystemsFileError) as refused:
        load_systems(write(tmp_path / "systems.yaml", data))
    assert said in str(refused.value)


def test_one_system_per_hand_over(tmp_path: Path) -> None:
    one = {"table": "t", "reference": "r", "columns": {"a": "name"}}
    data = {
        "systems": {
            name: {"kind": "sqlite", "url_env": "HR_URL", "collections": {}}
            | {"hand_over": {"employee_record": one}}
            for name in ("hr", "payroll")
        }
    }
    with pytest.raises(SystemsFileError) as refused:
        load_systems(write(tmp_path / "systems.yaml", data))
    assert "more than one system" in str(refused.value)


def _http(recipient: str, columns: dict[str, str]) -> dict[str, Any]:
    return {
        "systems": {
            "checks": {
                "kind": "http",
                "url_env": "CHECKS_URL",
                "secret_env": "CHECKS_SECRET",
                "recipient": recipient,
                "collections": {},
                "hand_over": {"background_check": {"columns": columns}},
            }
        }
    }


def test_a_processor_takes_hand_overs_under_the_same_checks(policy: Policy, tmp_path: Path) -> None:
    good = _http("background_check_providers", {"full_name": "name", "cv": "resume.content"})
    assert _errors(policy, tmp_path, good) == []
    bad = _http("recruitment_providers", {"full_name": "name", "pay": "salary"})
    errors = _errors(policy, tmp_path, bad)
    assert any(
        "columns.pay" in e and "not a field of 'employment_application'" in e for e in errors
    )
    assert any("hand_over.background_check" in e and "'background_checks'" in e for e in errors)
