"""The connected-systems file read with ``file:line`` places, and checked without a connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pledge.connectors.check import check_live, check_systems, has_errors
from pledge.connectors.load import SystemsFileError, load_systems, read_systems
from pledge.connectors.spec import SystemsFile
from pledge.policy import Policy, Problem, bundled_policy_path, load_policy
from tests.connectors.shop_systems import ENVIRON, SHOP_YAML, shop_data, write


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(bundled_policy_path())


def _check(policy: Policy, tmp_path: Path, data: dict[str, Any] | str) -> list[Problem]:
    systems, problems, locate = read_systems(write(tmp_path / "systems.yaml", data))
    assert systems is not None, problems
    return check_systems(policy, systems, ENVIRON, locate)


def _errors(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if p.severity == "error"]


def _warnings(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if p.severity == "warning"]


def test_the_shop_file_is_valid_with_warnings_for_unlisted_fields(
    policy: Policy, tmp_path: Path
) -> None:
    problems = _check(policy, tmp_path, SHOP_YAML)
    assert not has_errors(problems), problems
    warned = _warnings(problems)
    assert len(warned) == 3, warned
    path = tmp_path / "systems.yaml"
    assert warned[0].startswith(f"{path}:13 systems.shop.collections.customer.fields.street: ")
    assert "'street' is not one of the fields the policy lists for 'identification'" in warned[0]
    assert "warning: " in warned[0]


def test_problems_carry_file_line_and_dotted_path(tmp_path: Path) -> None:
    path = write(tmp_path / "systems.yaml", SHOP_YAML.replace("kind: sqlite", "kind: oracle"))
    with pytest.raises(SystemsFileError) as caught:
        load_systems(path)
    [problem] = caught.value.problems
    assert problem.location == f"{path}:3 systems.shop.kind"
    assert "'postgresql', 'mysql', 'sqlite' or 'http'" in problem.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("systems:\n  shop:\n    kind: sqlite\n    kind: sqlite\n", ":4: duplicate key 'kind'"),
        ("systems: [\n", "YAML error"),
        ("- a list\n", ":1: expected a mapping"),
        (
            "systems:\n  shop:\n    kind: sqlite\n    url_env: U\n"
            "    collections: {}\n    port: 5\n",
            ":6 systems.shop.port: unknown key 'port'",
        ),
    ],
)
def test_a_file_that_does_not_parse_gives_its_problems(
    tmp_path: Path, text: str, expected: str
) -> None:
    systems, problems, _ = read_systems(write(tmp_path / "systems.yaml", text))
    assert systems is None
    assert any(expected in str(p) for p in problems), problems


def test_an_empty_file_declares_no_systems_and_a_missing_one_is_a_problem(tmp_path: Path) -> None:
    assert load_systems(write(tmp_path / "empty.yaml", "# nothing yet\n")) == SystemsFile()
    _, problems, _ = read_systems(tmp_path / "absent.yaml")
    assert [p.message for p in problems] == ["file not found"]


def test_unknown_category_is_an_error(policy: Policy, tmp_path: Path) -> None:
    data = shop_data()
    data["systems"]["shop"]["collections"]["customer"]["fields"]["name"]["category"] = "identity"
    [error] = _errors(_check(policy, tmp_path, data))
    assert (
        "systems.shop.collections.customer.fields.name.category: unknown policy category" in error
    )
    assert "'identity'" in error


def test_a_field_naming_its_policy_field_gives_no_warning(policy: Policy, tmp_path: Path) -> None:
    data = shop_data()
    data["systems"]["shop"]["collections"]["customer"]["fields"]["street"]["field"] = "country"
    warned = _warnings(_check(policy, tmp_path, data))
    assert not any("customer.fields.street" in w for w in warned)


def test_recipients(policy: Policy, tmp_path: Path) -> None:
    data = shop_data()
    data["systems"]["crm"]["recipient"] = "acme"
    data["systems"]["shop"]["recipient"] = "hosting_providers"
    [error] = _errors(_check(policy, tmp_path, data))
    assert "systems.crm.recipient: unknown policy recipient 'acme'" in error
    del data["systems"]["crm"]["recipient"]
    [error] = _errors(_check(policy, tmp_path, data))
    assert error.endswith(
        "systems.crm: an http system (a processor) must name its policy 'recipient'"
    )


def test_references_point_to_declared_collections_and_columns(
    policy: Policy, tmp_path: Path
) -> None:
    data = shop_data()
    collections = data["systems"]["shop"]["collections"]
    collections["orders"]["references"] = {"customer_id": "client.id"}
    collections["address"]["references"] = {"customer_id": "customer.uuid"}
    errors = _errors(_check(policy, tmp_path, data))
    assert any(
        "orders.references.customer_id: points to collection 'client'" in e for e in errors
    ), errors
    assert any("address.references.customer_id: points to column 'uuid'" in e for e in errors), (
        errors
    )
    # orders now reaches nothing: it is reported as unreachable too
    assert any(
        e.endswith(
            "collections.orders: not reachable from an e-mail or phone: "
            "give it an identity, or a reference to or from a collection that is"
        )
        for e in errors
    )


def test_every_collection_is_reachable_and_every_identity_kind_found(
    policy: Policy, tmp_path: Path
) -> None:
    data = shop_data()
    data["systems"]["crm"]["collections"]["notes"] = {
        "primary_key": "id",
        "identity": {"crm_contact_id": "contact_id"},
        "fields": {"text": {"category": "identification", "field": "inquiry"}},
    }
    errors = _errors(_check(policy, tmp_path, data))
    assert len(errors) == 2, errors
    assert (
        "crm.collections.notes.identity.crm_contact_id: identity kind 'crm_contact_id'"
        in (errors[0])
    )
    assert errors[1].endswith(
        "crm.collections.notes: not reachable from an e-mail or phone: "
        "give it an identity, or a reference to or from a collection that is"
    )


def test_identities_found_on_the_way_cross_systems(policy: Policy, tmp_path: Path) -> None:
    """The CRM's contacts are reached by the shop's customer id alone, found in the shop."""
    data = shop_data()
    del data["systems"]["crm"]["collections"]["contacts"]["identity"]["email"]
    problems = _check(policy, tmp_path, data)
    assert not has_errors(problems), problems


def test_an_email_column_outside_fields_is_a_warning(policy: Policy, tmp_path: Path) -> None:
    data = shop_data()
    del data["systems"]["shop"]["collections"]["customer"]["fields"]["email"]
    warned = _warnings(_check(policy, tmp_path, data))
    assert any(
        "customer.identity.email: warning: column 'email' holds the person's email but is not "
        "among 'fields'" in w
        for w in warned
    ), warned


def test_environment_variables_are_named_never_shown(policy: Policy, tmp_path: Path) -> None:
    systems, _, locate = read_systems(write(tmp_path / "systems.yaml", SHOP_YAML))
    assert systems is not None
    environ = {"CRM_URL": "http://user:hunter2@crm.example", "SHOP_DATABASE_URL": " "}
    problems = check_systems(policy, systems, environ, locate)
    errors = _errors(problems)
    assert [e.split(" ", 1)[1] for e in errors] == [
        "systems.shop.url_env: the environment variable SHOP_DATABASE_URL is not set",
        "systems.crm.secret_env: the environment variable CRM_SECRET is not set",
    ]
    assert not any("hunter2" in str(p) for p in problems)
    # and the live check skips a system whose URL is unset rather than guessing
    assert check_live(systems, {}, locate) == []


def test_the_documented_example_is_valid(policy: Policy, tmp_path: Path) -> None:
    """The file in docs/connectors.md: no error, only the policy's silence on addresses."""
    text = (Path(__file__).parents[2] / "docs" / "connectors.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    problems = _check(policy, tmp_path, example)
    assert not has_errors(problems), problems
    assert {p.location.rsplit(".", 1)[1] for p in problems} == {
        "street",
        "city",
        "postcode",
        "shipping_street",
    }
