"""One vocabulary: each request type and restriction kind is named once."""

from __future__ import annotations

import pytest

from pledge.policy import REQUESTABLE, RightType, request_type
from pledge.restrictions import RestrictionKind, consent_withdrawn, marketing_stops, objection
from pledge.rights.actions import ACTIONS


def test_every_requestable_type_has_exactly_one_action() -> None:
    assert set(ACTIONS) == set(REQUESTABLE)


def test_request_types_are_canonical() -> None:
    assert request_type("delete") is RightType.ERASURE
    assert request_type("know") is RightType.KNOW
    for refused in ("complaint", "non_discrimination", "everything", ""):
        with pytest.raises(ValueError, match=refused or "''"):
            request_type(refused)


def test_restriction_kinds_stop_marketing_per_purpose() -> None:
    stops = marketing_stops("newsletter")
    assert stops[RestrictionKind.STORAGE_ONLY] == "restricted"
    assert stops[objection("newsletter")] == "objected_at"
    assert stops[consent_withdrawn("newsletter")] == "opted_out_at"
    assert objection("newsletter") not in marketing_stops("events")
