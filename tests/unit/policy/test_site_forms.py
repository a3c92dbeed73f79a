"""``site.forms`` in the policy: declared categories, purposes and fields, lawful consent."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pledge.policy import PolicyDocument, bundled_policy_path, run_checks


def _doc(change: Any) -> list[str]:
    data = yaml.safe_load(bundled_policy_path().read_text(encoding="utf-8"))
    change(data["site"]["forms"])
    problems = run_checks(PolicyDocument.model_validate(data))
    return [str(p) for p in problems if p.severity == "error"]


def test_the_bundled_forms_are_valid() -> None:
    assert _doc(lambda forms: None) == []


def test_an_undeclared_category_purpose_or_field_is_named() -> None:
    def change(forms: list[dict[str, Any]]) -> None:
        forms[0]["category"] = "nowhere"
        forms[1]["purpose"] = "site_analytics"
        forms[2]["fields"].append({"id": "shoe_size", "label": "Shoe size", "type": "text"})

    problems = _doc(change)
    assert any("site.forms[0].category" in p for p in problems)
    assert any("site.forms[1].purpose" in p and "not a purpose of category" in p for p in problems)
    assert any("site.forms[2].fields[5].id" in p for p in problems)


def test_eu_marketing_consent_must_start_unticked() -> None:
    def change(forms: list[dict[str, Any]]) -> None:
        forms[0]["consents"][0]["checked_in"] = ["eu", "other"]

    assert any("unticked in opt-in jurisdiction 'eu'" in p for p in _doc(change))


def test_every_form_asks_email_and_country() -> None:
    def change(forms: list[dict[str, Any]]) -> None:
        forms[3]["fields"] = [f for f in forms[3]["fields"] if f["id"] != "country"]

    assert any("required country field 'country'" in p for p in _doc(change))


def test_a_form_id_is_a_slug() -> None:
    data = yaml.safe_load(bundled_policy_path().read_text(encoding="utf-8"))
    data["site"]["forms"][0]["id"] = "Contact Us!"
    with pytest.raises(ValidationError):
        PolicyDocument.model_validate(data)
