"""``verification.verifiers``: the data points that may prove identity beside the e-mail code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pledge.policy import Policy, check_policy_file, load_policy
from tests.unit.policy.helpers import errors

Write = Callable[[dict[str, Any]], Path]


def test_the_bundled_policy_accepts_phone_and_username(bundled_policy: Policy) -> None:
    fields = [v.field for v in bundled_policy.verification.verifiers]
    assert fields == ["phone", "username"]
    assert bundled_policy.verification.verifier("email") is None


def test_a_policy_without_the_block_accepts_the_phone_alone(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    del policy_data["verification"]
    policy = load_policy(write_policy(policy_data))
    assert [(v.field, v.min_distinct) for v in policy.verification.verifiers] == [("phone", 3)]


def test_the_address_or_a_few_valued_field_cannot_be_a_verifier(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    policy_data["verification"]["verifiers"] = [
        {"field": "email", "name": "E-mail"},
        {"field": "country", "name": "Country"},
        {"field": "phone", "name": "Phone"},
        {"field": "phone", "name": "Phone again"},
    ]
    found = {
        p.location.split()[-1]: p.message
        for p in errors(check_policy_file(write_policy(policy_data)))
    }
    assert "e-mail address" in found["verification.verifiers[0].field"]
    assert "type country" in found["verification.verifiers[1].field"]
    assert "duplicate verifier 'phone'" in found["verification.verifiers[3].field"]


def test_a_verifier_no_category_holds_is_a_warning(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    policy_data["verification"]["verifiers"].append({"field": "postcode", "name": "Postcode"})
    problems = check_policy_file(write_policy(policy_data))
    (warning,) = [p for p in problems if "verification" in p.location]
    assert warning.severity == "warning"
    assert "never match" in warning.message
