"""The loader's robustness: any input gives problems, never an exception.

``pledge policy check`` runs on files people are editing, half-written and
sometimes not YAML at all; it must always answer with problems. Hypothesis
feeds it arbitrary text and arbitrary YAML-shaped data.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pledge.policy import (
    Policy,
    PolicyDocument,
    bundled_policy_path,
    check_policy_file,
    content_digest,
    policy_to_json,
    run_checks,
)
from tests.unit.policy.helpers import find_lines, line_of

_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_bytes(content: bytes) -> None:
    """Write ``content`` to a file and check it: every result is a well-formed Problem."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "policy.yaml"
        path.write_bytes(content)
        problems = check_policy_file(path)
    assert problems, "arbitrary input cannot be a valid policy"
    for problem in problems:
        assert problem.location.startswith(str(path))
        assert problem.message


@_FUZZ
@given(st.text())
def test_arbitrary_text_gives_problems(text: str) -> None:
    """Any text, even with surrogates or control characters, yields problems."""
    _check_bytes(text.encode("utf-8", "surrogatepass"))


@_FUZZ
@given(st.binary())
def test_arbitrary_bytes_give_problems(content: bytes) -> None:
    """Binary garbage is a problem too (usually 'not UTF-8')."""
    _check_bytes(content)


_yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.floats(allow_nan=False)
)
_yaml_data = st.recursive(
    _yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@_FUZZ
@given(st.dictionaries(st.sampled_from(list(PolicyDocument.model_fields)), _yaml_data))
def test_yaml_shaped_data_gives_problems(data: dict[str, Any]) -> None:
    """Right keys with wrong values exercise the pydantic-to-line mapping."""
    _check_bytes(yaml.safe_dump(data).encode("utf-8"))


@pytest.mark.parametrize(
    "text", ["&a [*a]", "&a {k: *a}", "a: &x [1]\nb: *x\n", "[" * 3000, "a: *undefined\n"]
)
def test_aliases_and_deep_nesting(text: str) -> None:
    """Recursive aliases and very deep nesting are problems, not crashes."""
    _check_bytes(text.encode("utf-8"))


def test_errors_inside_an_alias_point_at_the_alias(tmp_path: Path) -> None:
    """The uk and ch rights reuse the eu list by alias; each copy's error has its own line."""
    text = bundled_policy_path().read_text(encoding="utf-8")
    broken = text.replace("        deadline: P1M\n", "        deadline: soon\n", 1)
    path = tmp_path / "alias.yaml"
    path.write_text(broken, encoding="utf-8")
    problems = check_policy_file(path)
    by_path = {problem.location.split()[-1]: line_of(problem) for problem in problems}
    aliases = find_lines(path, "rights: *gdpr_rights")
    assert by_path == {
        "jurisdictions[0].rights[0].deadline": find_lines(path, "deadline: soon")[0],
        "jurisdictions[1].rights[0].deadline": aliases[0],
        "jurisdictions[2].rights[0].deadline": aliases[1],
    }


def test_norway_is_a_country_not_false(tmp_path: Path) -> None:
    """YAML 1.1 reads a bare NO as false; the policy loader reads it as Norway."""
    text = bundled_policy_path().read_text(encoding="utf-8").replace('"NO"]', "NO]")
    assert 'LI, "NO"' not in text
    path = tmp_path / "norway.yaml"
    path.write_text(text, encoding="utf-8")
    assert [p for p in check_policy_file(path) if p.severity == "error"] == []


def test_policy_to_json_is_serialisable_and_stable(bundled_policy: Policy) -> None:
    """The JSON form is what records cite by digest; it must not vary between loads."""
    first = json.dumps(policy_to_json(bundled_policy), sort_keys=True)
    second = json.dumps(policy_to_json(bundled_policy), sort_keys=True)
    assert first == second
    data = json.loads(first)
    required = {
        "version",
        "effective",
        "digest",
        "controller",
        "categories",
        "purposes",
        "recipients",
        "rights",
        "jurisdictions",
        "cookies",
        "minimum_age",
        "sells_personal_data",
        "honours_do_not_track",
    }
    assert required <= set(data)
    assert set(data["rights"]) == {j.id for j in bundled_policy.jurisdictions}
    assert data["effective"] == "2020-05-04"


def test_digest_depends_on_content_only(bundled_policy: Policy) -> None:
    """The digest is of the content: the same document always has the same digest."""
    content = bundled_policy.model_dump(exclude={"digest", "warnings"})
    document = PolicyDocument.model_validate(content)
    assert content_digest(document) == bundled_policy.digest
    changed = document.model_copy(update={"minimum_age": 16})
    assert content_digest(changed) != bundled_policy.digest


def test_checks_without_a_file_use_bare_paths(bundled_policy: Policy) -> None:
    """run_checks is pure: without a locator the locations are key paths."""
    problems = run_checks(bundled_policy)
    assert problems
    assert all(" " not in p.location and ":" not in p.location for p in problems)
    assert "transfers.mechanism" in {p.location for p in problems}
