"""``translations``: the privacy center's texts from the policy, in other languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pledge.i18n import supported
from pledge.policy import Policy, check_policy_file, load_policy
from pledge.rights.mails import LABELS
from tests.unit.policy.helpers import errors

Write = Callable[[dict[str, Any]], Path]


def test_the_bundled_policy_translates_everything_the_privacy_center_shows(
    bundled_policy: Policy,
) -> None:
    """Every jurisdiction's name and every right's description, in every shipped language."""
    for code in supported():
        if code == bundled_policy.language:
            continue
        for jurisdiction in bundled_policy.jurisdictions:
            assert bundled_policy.text_of(jurisdiction, code)[1] == code, jurisdiction.id
            for right in jurisdiction.rights:
                text, lang = bundled_policy.text_of(jurisdiction, code, right=right.type)
                assert lang == code, (jurisdiction.id, right.type)
                assert text != right.description
                name = "erasure" if right.type == "delete" else right.type
                assert name in LABELS, f"no label in the catalogue for {right.type}"


def test_an_untranslated_text_is_the_policys_own(bundled_policy: Policy) -> None:
    eu = bundled_policy.jurisdiction("eu")
    assert eu is not None
    assert bundled_policy.text_of(eu, "fr") == (eu.name, "en")
    access = eu.right("access")
    assert access is not None
    assert bundled_policy.text_of(eu, "fr", right="access") == (access.description, "en")


def test_a_translation_must_name_what_the_policy_has(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    policy_data["translations"] = {
        "en": {"jurisdictions": {}},
        "de": {
            "jurisdictions": {
                "atlantis": {"name": "Atlantis"},
                "california": {"rights": {"erasure": "Löschen", "delete": "Löschen"}},
                "other": {"rights": {"portability": "Übertragbarkeit"}},
            }
        },
    }
    found = {
        p.location.split()[-1]: p.message
        for p in errors(check_policy_file(write_policy(policy_data)))
    }
    assert found == {
        "translations.en": "the policy itself is in 'en'",
        "translations.de.jurisdictions.atlantis": "unknown jurisdiction 'atlantis'",
        "translations.de.jurisdictions.california.rights.erasure": (
            "jurisdiction 'california' has no right 'erasure'"
        ),
        "translations.de.jurisdictions.other.rights.portability": (
            "jurisdiction 'other' has no right 'portability'"
        ),
    }


def test_a_right_type_and_a_language_code_are_checked_by_the_schema(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    policy_data["translations"] = {
        "Deutsch": {"jurisdictions": {"eu": {"rights": {"flying": "Fliegen"}}}}
    }
    locations = {
        p.location.split()[-1] for p in errors(check_policy_file(write_policy(policy_data)))
    }
    assert any("Deutsch" in where for where in locations), locations
    assert any("flying" in where for where in locations), locations


def test_a_policy_without_translations_loads(
    policy_data: dict[str, Any], write_policy: Write
) -> None:
    del policy_data["translations"]
    assert load_policy(write_policy(policy_data)).translations == {}
