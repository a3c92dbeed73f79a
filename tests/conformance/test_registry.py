"""The promises registry is complete and every citation in it resolves.

A promise the bundled policy states (by the rule in docs/conformance.md) without an
entry fails here, as does an entry whose key, code path or test id does not exist.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from pledge.conformance import find_promises, load_registry, read_policy_data, resolve_key, states
from pledge.policy import bundled_policy_path

ROOT = Path(__file__).resolve().parents[2]


def test_every_promise_of_the_bundled_policy_has_an_entry() -> None:
    found = find_promises(read_policy_data(bundled_policy_path()))
    mapped = load_registry().by_sentence()
    missing = [f"{p.key}: {p.sentence}" for p in found if p.sentence not in mapped]
    assert missing == [], "promises without an entry in promises.yaml:\n" + "\n".join(missing)
    assert len(found) > 100


def test_every_entry_is_a_promise_the_policy_states_at_its_key() -> None:
    data = read_policy_data(bundled_policy_path())
    found = {p.sentence for p in find_promises(data)}
    for entry in load_registry().promises:
        resolve_key(data, entry.key)
        assert states(data, entry.key, entry.sentence), f"{entry.id}: not at {entry.key}"
        assert entry.sentence in found, f"{entry.id}: not a promise by the rule"


def test_every_cited_code_path_imports() -> None:
    for entry in load_registry().promises:
        for path in entry.code:
            module_name, _, attribute = path.partition(":")
            target: object = importlib.import_module(module_name)
            for part in filter(None, attribute.split(".")):
                assert hasattr(target, part), f"{entry.id}: {path} has no {part}"
                target = getattr(target, part)


def test_every_cited_test_is_collected() -> None:
    cited = {test for entry in load_registry().promises for test in entry.tests}
    files = sorted({test.split("::")[0] for test in cited})
    collected = _collect(files)
    missing = sorted(t for t in cited if t not in collected)
    assert missing == [], "cited tests pytest does not collect:\n" + "\n".join(missing)


def _collect(files: list[str]) -> set[str]:
    """Node ids pytest collects from these files, parameters dropped."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PLEDGE_TEST_RESULTS": "off"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {line.split("[")[0] for line in result.stdout.splitlines() if "::" in line}


def test_cited_tests_are_not_repeated_within_an_entry() -> None:
    for entry in load_registry().promises:
        assert len(set(entry.tests)) == len(entry.tests), entry.id
