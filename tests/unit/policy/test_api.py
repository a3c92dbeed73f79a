"""The public surface of ``pledge.policy``: what other packages may import.

Other packages (records, rights, web, cli) import only from ``pledge.policy``;
these tests keep ``__all__`` honest and pin the names they depend on.
"""

from __future__ import annotations

import pydantic
import pytest

import pledge.policy
from pledge.policy import Policy, Retention

REQUIRED = {
    "Policy",
    "load_policy",
    "check_policy_file",
    "Problem",
    "PolicyError",
    "policy_to_json",
    "render_html",
    "render_markdown",
    "render_ropa_csv",
    "bundled_policy_path",
    "Controller",
    "Jurisdiction",
    "Category",
    "Field",
    "Retention",
    "Purpose",
    "LegalBasis",
    "Recipient",
    "Transfer",
    "Right",
    "Cookie",
    "parse_iso_duration",
    "add_duration",
    "Duration",
}


def test_all_is_honest() -> None:
    """Every name in __all__ exists and is listed once (ruff keeps it sorted)."""
    for name in pledge.policy.__all__:
        assert hasattr(pledge.policy, name), name
    assert len(set(pledge.policy.__all__)) == len(pledge.policy.__all__)


def test_required_names_are_exported() -> None:
    """The names the rest of Pledge is written against."""
    assert set(pledge.policy.__all__) >= REQUIRED


def test_policy_is_frozen(bundled_policy: Policy) -> None:
    """A loaded policy never changes; a new text is a new version with a new digest."""
    with pytest.raises(pydantic.ValidationError):
        bundled_policy.minimum_age = 16  # type: ignore[misc]


def test_retention_needs_duration_or_rule() -> None:
    """The model itself refuses a retention that limits nothing."""
    with pytest.raises(pydantic.ValidationError, match="retention needs a duration"):
        Retention(basis="because")
    assert Retention(rule="while the contract lasts", basis="x").duration is None


def _models(model: type[pydantic.BaseModel], seen: set[type[pydantic.BaseModel]]) -> None:
    """Every model reachable from ``model`` through its field annotations."""
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for candidate in _types_in(field.annotation):
            _models(candidate, seen)


def _types_in(annotation: object) -> list[type[pydantic.BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    return [found for arg in typing.get_args(annotation) for found in _types_in(arg)]


def test_every_key_is_in_the_reference() -> None:
    """docs/policy-reference.md must describe every key a policy file may hold."""
    from pathlib import Path

    from pledge.policy import PolicyDocument

    reference = Path(__file__).resolve().parents[3] / "docs" / "policy-reference.md"
    text = reference.read_text(encoding="utf-8")
    seen: set[type[pydantic.BaseModel]] = set()
    _models(PolicyDocument, seen)
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in seen
        for name in model.model_fields
        if f"`{name}`" not in text
    )
    assert not missing, f"undocumented policy keys: {missing}"
