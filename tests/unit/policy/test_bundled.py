"""The bundled policy must load cleanly and say what the seed document says.

These tests pin the facts other packages rely on (ids, deadlines, bases), so
an edit of the YAML that changes a promise fails here first.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pledge.policy import (
    PRIVACY_SHIELD_WARNING,
    Policy,
    bundled_policy_path,
    check_policy_file,
    load_policy,
)
from tests.unit.policy.helpers import errors

EXPECTED_CATEGORIES = {
    "identification",
    "event",
    "employment_application",
    "service_data",
    "internet_activity",
    "client_account",
}
EXPECTED_RECIPIENTS = {
    "google_analytics",
    "hubspot",
    "hosting_providers",
    "crm_providers",
    "marketing_software_providers",
    "background_check_providers",
    "recruitment_providers",
    "public_authorities",
    "business_transfer_recipients",
}
PRIVACY_SHIELD_USERS = {
    "google_analytics",
    "hubspot",
    "hosting_providers",
    "crm_providers",
    "marketing_software_providers",
    "background_check_providers",
    "recruitment_providers",
}


def test_bundled_path_is_inside_the_package() -> None:
    """The policy must install with the package, so the path lives under pledge/."""
    path = bundled_policy_path()
    assert path.is_file()
    assert path.parent.name == "policies"
    assert path.parent.parent.name == "pledge"


def test_bundled_policy_has_no_errors() -> None:
    """A shipped policy that fails its own checks would stop Pledge from starting."""
    assert errors(check_policy_file(bundled_policy_path())) == []


def test_bundled_warnings_are_exactly_the_privacy_shield_ones(bundled_policy: Policy) -> None:
    """The policy relies on the invalidated Privacy Shield; each reliance is flagged once."""
    warned = {w.location.split()[-1] for w in bundled_policy.warnings}
    expected = {
        f"recipients[{index}].transfer.mechanism"
        for index, recipient in enumerate(bundled_policy.recipients)
        if recipient.id in PRIVACY_SHIELD_USERS
    } | {"transfers.mechanism"}
    assert warned == expected
    assert len(bundled_policy.warnings) == len(expected)
    for warning in bundled_policy.warnings:
        assert warning.severity == "warning"
        assert PRIVACY_SHIELD_WARNING in warning.message
        assert "EU-U.S. Data Privacy Framework" in str(warning)


def test_covers_every_category_and_recipient(bundled_policy: Policy) -> None:
    """Every category and recipient the seed document names has a key."""
    assert {c.id for c in bundled_policy.categories} == EXPECTED_CATEGORIES
    assert {r.id for r in bundled_policy.recipients} == EXPECTED_RECIPIENTS
    named = {r.id for r in bundled_policy.recipients if r.named}
    assert named == {"google_analytics", "hubspot"}


def test_top_level_facts(bundled_policy: Policy) -> None:
    """The scalar promises of the seed document."""
    assert bundled_policy.version == "2020-05-04"
    assert bundled_policy.effective.isoformat() == "2020-05-04"
    assert bundled_policy.minimum_age == 13
    assert bundled_policy.sells_personal_data is False
    assert bundled_policy.honours_do_not_track is False
    assert len(bundled_policy.digest) == 64


def test_controller_contacts(bundled_policy: Policy) -> None:
    """People must be able to reach the privacy officer by every channel the policy gives."""
    controller = bundled_policy.controller
    assert controller.privacy_officer_email == "privacy_officer@interactions.com"
    assert controller.phone == "833-694-0076"
    assert "31 Hayward Street, Suite E" in controller.postal_address.lines()
    assert "Franklin, MA 02038" in controller.registered_office.lines()
    london = controller.offices[0]
    assert london.address.lines()[-2:] == ["London W2 6LG", "United Kingdom"]
    assert controller.dispute_resolution.provider == "JAMS"
    assert "Federal Trade Commission" in controller.supervisory_authority


@pytest.mark.parametrize(
    ("country", "region", "expected"),
    [
        ("FR", None, "eu"),
        ("NO", None, "eu"),
        ("no", None, "eu"),
        ("IS", None, "eu"),
        ("CH", None, "ch"),
        ("GB", None, "uk"),
        ("US", "CA", "california"),
        ("us", "ca", "california"),
        ("US", "NY", "other"),
        ("US", None, "other"),
        ("JP", None, "other"),
        ("CA", None, "other"),
    ],
)
def test_jurisdiction_for(
    bundled_policy: Policy, country: str, region: str | None, expected: str
) -> None:
    """Residence decides the rights; Canada (CA) is not California (US-CA)."""
    assert bundled_policy.jurisdiction_for(country, region).id == expected


@pytest.mark.parametrize(
    ("purpose", "jurisdiction", "basis"),
    [
        ("marketing", "eu", "consent"),
        ("marketing", "ch", "consent"),
        ("marketing", "uk", "consent"),
        ("marketing", "california", "notice"),
        ("site_analytics", "eu", "legitimate_interests"),
        ("respond_to_requests", "eu", "contract"),
        ("client_account_management", "other", "contract"),
        ("legal_disclosure", "eu", "legal_obligation"),
        ("hiring_compliance", "california", "legal_obligation"),
        ("no_such_purpose", "eu", None),
    ],
)
def test_legal_basis(
    bundled_policy: Policy, purpose: str, jurisdiction: str, basis: str | None
) -> None:
    """A jurisdiction's own basis wins, else the purpose's default applies."""
    assert bundled_policy.legal_basis(purpose, jurisdiction) == basis


def test_rights_per_jurisdiction(bundled_policy: Policy) -> None:
    """Deadlines the rights service will count from."""
    eu = bundled_policy.jurisdiction("eu")
    assert eu is not None
    gdpr = {"access", "rectification", "erasure", "restriction", "portability", "objection"}
    assert gdpr <= {right.type for right in eu.rights}
    access = eu.right("access")
    assert access is not None
    assert (access.deadline, access.extension) == ("P1M", "P2M")
    assert access.fee_for_additional_copies
    assert [r.type for r in eu.rights if r.staff_review] == ["rectification"]
    california = bundled_policy.jurisdiction("california")
    assert california is not None
    know = california.right("know")
    assert know is not None
    assert (know.deadline, know.extension, know.acknowledge_within) == ("P45D", "P45D", "P10D")
    assert know.business_days
    other = bundled_policy.jurisdiction("other")
    assert other is not None
    assert other.default
    assert {r.deadline for r in other.rights} == {"P30D"}


def test_erasure_and_delete_are_synonyms(bundled_policy: Policy) -> None:
    """An erasure request from California finds the CCPA's right to delete."""
    right = bundled_policy.right("california", "erasure")
    assert right is not None
    assert right.type == "delete"
    assert bundled_policy.right("nowhere", "access") is None


def test_lookups(bundled_policy: Policy) -> None:
    """The id lookups return the declared item, or None for an unknown id."""
    category = bundled_policy.category("internet_activity")
    assert category is not None
    field = category.field("ip_address")
    assert field is not None
    assert field.type == "ip_address"
    assert category.field("nope") is None
    assert bundled_policy.category("nope") is None
    assert bundled_policy.purpose("marketing") is not None
    assert bundled_policy.recipient("hubspot") is not None
    assert bundled_policy.jurisdiction("nope") is None
    cookie = bundled_policy.cookie("_ga")
    assert cookie is not None
    assert cookie.lifetime == "P2Y"


def test_service_data_is_processed_for_clients(bundled_policy: Policy) -> None:
    """Service Data is the Client's: Interactions is its processor, kept per the contract."""
    service = bundled_policy.category("service_data")
    assert service is not None
    assert service.role == "processor"
    assert service.retention.duration is None
    assert service.retention.rule == "as instructed by the Client contract"
    assert service.retention.deadline(datetime(2024, 1, 1)) is None
    others = [c for c in bundled_policy.categories if c.id != "service_data"]
    assert {c.role for c in others} == {"controller"}


def test_retention_deadline_is_calendar_correct(bundled_policy: Policy) -> None:
    """Thirteen months from 31 January ends on the last day of February."""
    category = bundled_policy.category("internet_activity")
    assert category is not None
    assert category.retention.deadline(datetime(2023, 1, 31)) == datetime(2024, 2, 29)
    delta = category.retention.delta()
    assert delta is not None
    assert delta.days == 13 * 30  # approximate: a month counts 30 days


def test_cookies(bundled_policy: Policy) -> None:
    """The cookie table feeds the banner: names, lifetimes and kinds must match."""
    lifetimes = {c.name: c.lifetime for c in bundled_policy.cookies}
    assert lifetimes == {
        "_ga": "P2Y",
        "_gid": "P1D",
        "_gat": "PT1M",
        "__hstc": "P13M",
        "hubspotutk": "P13M",
        "__hssc": "PT30M",
        "__hssrc": "session",
        "pledge_consent": "P6M",
        "pledge_session": "session",
        "pledge_request": "PT30M",
        "pledge_lang": "P1Y",
    }
    necessary = {c.name for c in bundled_policy.cookies if c.category == "strictly_necessary"}
    assert necessary == {"pledge_consent", "pledge_session", "pledge_request", "pledge_lang"}


def test_marketing_channels(bundled_policy: Policy) -> None:
    """Marketing reaches people by email, post and phone, and they may object."""
    marketing = bundled_policy.purpose("marketing")
    assert marketing is not None
    assert marketing.marketing
    assert marketing.objectable
    assert set(marketing.channels) == {"email", "post", "phone"}


def test_every_item_names_its_section(bundled_data: dict[str, Any]) -> None:
    """A reader must be able to go from a key back to the sentence it encodes."""
    for key in ("categories", "purposes", "recipients", "jurisdictions"):
        for item in bundled_data[key]:
            assert item["section"], item["id"]
    for name, statement in bundled_data["statements"].items():
        assert statement["section"], name


def test_dumped_copy_loads_identically(
    bundled_data: dict[str, Any], bundled_policy: Policy, tmp_path: Path
) -> None:
    """The test helpers' dump of the bundled data must be the same policy (same digest)."""
    from tests.unit.policy.helpers import dump_policy

    copy = load_policy(dump_policy(bundled_data, tmp_path / "copy.yaml"))
    assert copy.digest == bundled_policy.digest


def test_load_policy_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    """Pledge reads the policy often; an unchanged file is parsed once."""
    path = tmp_path / "policy.yaml"
    path.write_bytes(bundled_policy_path().read_bytes())
    first = load_policy(path)
    assert load_policy(path) is first
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_policy(path) is not first
