"""The semantic diff between two policy versions, and what makes a change material."""

from __future__ import annotations

import copy
from typing import Any

from pledge.policy import bundled_policy_path, load_policy, policy_to_json
from pledge.policy.diff import compare_policies, has_changes


def bundled() -> dict[str, Any]:
    return policy_to_json(load_policy(bundled_policy_path()))


def test_the_same_text_has_no_changes() -> None:
    diff = compare_policies(bundled(), bundled())
    assert not has_changes(diff)
    assert diff["material"] is False


def test_a_new_purpose_and_a_new_recipient_are_material() -> None:
    old = bundled()
    new = copy.deepcopy(old)
    new["purposes"].append({**new["purposes"][0], "id": "profiling"})
    new["recipients"].append({**new["recipients"][0], "id": "data_broker"})
    diff = compare_policies(old, new)
    assert diff["purposes"]["added"] == ["profiling"]
    assert diff["recipients"]["added"] == ["data_broker"]
    assert diff["reasons"] == ["purpose added: profiling", "recipient added: data_broker"]
    assert diff["material"] is True


def test_removals_and_shorter_retention_are_announced_but_not_material() -> None:
    old = bundled()
    new = copy.deepcopy(old)
    removed = new["recipients"].pop()["id"]
    new["categories"][0]["retention"]["duration"] = "P1Y"  # was P2Y
    diff = compare_policies(old, new)
    assert diff["recipients"]["removed"] == [removed]
    assert diff["retention"]["shorter"] == [new["categories"][0]["id"]]
    assert has_changes(diff)
    assert diff["material"] is False


def test_a_duration_dropped_for_a_rule_alone_counts_as_longer() -> None:
    old = bundled()
    new = copy.deepcopy(old)
    new["categories"][0]["retention"] = {"rule": "until you ask", "basis": "x"}
    diff = compare_policies(old, new)
    assert diff["retention"]["longer"] == [new["categories"][0]["id"]]
    assert diff["material"] is True


def test_rights_are_named_by_jurisdiction_and_cookies_flagged() -> None:
    old = bundled()
    new = copy.deepcopy(old)
    jurisdiction = next(iter(new["rights"]))
    dropped = new["rights"][jurisdiction].pop()
    new["cookies"][0]["lifetime"] = "P1Y"
    diff = compare_policies(old, new)
    assert diff["rights"]["removed"] == [f"{jurisdiction}:{dropped['type']}"]
    assert diff["cookies"] is True
    assert diff["material"] is False
