"""Fixtures for the policy tests: the bundled policy, as data and loaded.

Most validation tests start from the bundled YAML as plain data, break one
thing, dump it to ``tmp_path`` with :func:`helpers.dump_policy` and check the
problem reported, including its line.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pledge.policy import Policy, bundled_policy_path, load_policy
from tests.unit.policy.helpers import dump_policy


@pytest.fixture(scope="session")
def bundled_data() -> dict[str, Any]:
    """The bundled policy YAML as plain data; tests must deep-copy before editing."""
    with bundled_policy_path().open(encoding="utf-8") as stream:
        data: dict[str, Any] = yaml.safe_load(stream)
    return data


@pytest.fixture
def policy_data(bundled_data: dict[str, Any]) -> dict[str, Any]:
    """A private copy of the bundled policy data, free to break."""
    return copy.deepcopy(bundled_data)


@pytest.fixture(scope="session")
def bundled_policy() -> Policy:
    """The bundled policy, loaded once."""
    return load_policy(bundled_policy_path())


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Dump a policy dict to a fresh file in ``tmp_path``."""
    counter = iter(range(1_000_000))

    def write(data: dict[str, Any]) -> Path:
        return dump_policy(data, tmp_path / f"policy-{next(counter)}.yaml")

    return write
