"""The rule that finds promises in a policy's prose, and the registry's own checks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pledge.conformance.discovery import find_promises, is_promise, sentences
from pledge.conformance.keys import resolve_key, states
from pledge.conformance.registry import parse_registry


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = 'Data goes to the U.S. under the Frameworks. Google Inc. ("Google") acts. We act.'
    assert sentences(text) == [
        "Data goes to the U.S. under the Frameworks.",
        'Google Inc. ("Google") acts.',
        "We act.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "We will keep your Personal Data only for as long as is reasonably necessary.",
        "Interactions does not sell your Personal Data.",
        "You may opt out at any time.",
        "Your authorized agent may submit requests in the same manner.",
        "No date of birth is asked for.",
    ],
)
def test_commitments_are_promises(sentence: str) -> None:
    assert is_promise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Cookies are pieces of data sent to your browser.",
        "Welcome to Interactions, LLC.",
        '"Legitimate interests" means the interests of Interactions.',
    ],
)
def test_descriptions_are_not(sentence: str) -> None:
    assert not is_promise(sentence)


def test_rights_are_promises_whole_and_shared_ones_count_once() -> None:
    right = {"type": "delete", "description": "To have us delete your data."}
    data = {
        "jurisdictions": [
            {"id": "a", "rights": [right]},
            {"id": "b", "rights": [right]},
        ],
        "translations": {"de": {"statements": {"x": {"text": "We will do it."}}}},
        "security": {"measures": ["encryption at rest"]},
        "minimum_age": 13,
    }
    found = [(p.key, p.sentence) for p in find_promises(data)]
    assert found == [
        ("jurisdictions.a.rights.delete.description", "To have us delete your data."),
        ("security.measures.0", "encryption at rest"),
        ("minimum_age", "minimum_age: 13"),
    ]


def test_keys_name_list_items_by_id_type_or_name() -> None:
    data = {"principles": [{"name": "Access", "text": "We honor requests."}], "age": 13}
    assert resolve_key(data, "principles.Access.text") == "We honor requests."
    assert states(data, "principles.Access.text", "We  honor\nrequests.")
    assert states(data, "age", "age: 13")
    with pytest.raises(KeyError):
        resolve_key(data, "principles.Choice.text")


def _entry(**extra: object) -> dict[str, object]:
    return {"id": "x-1", "sentence": "We act.", "key": "a.b", **extra}


def test_an_entry_is_kept_exactly_one_way() -> None:
    parse_registry({"promises": [_entry(manual="a contract with each provider")]})
    parse_registry({"promises": [_entry(code=["pledge.records"], tests=["tests/a.py::test_b"])]})
    for bad in (
        _entry(),
        _entry(manual="a contract with each provider", gap="not built yet at all"),
        _entry(tests=["tests/a.py::test_b"]),
        _entry(tests=["not a test id"], code=["pledge.records"]),
        _entry(manual="a contract with each provider", surprise=True),
    ):
        with pytest.raises(ValidationError):
            parse_registry({"promises": [bad]})
    with pytest.raises(ValidationError):
        parse_registry(
            {"promises": [_entry(manual="a contract here"), _entry(manual="again, same")]}
        )
