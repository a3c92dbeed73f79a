"""The marketing rules as pure functions, tested exhaustively where it matters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pledge.consent.ledger.evidence import text_hash, truncate_ip
from pledge.consent.rules import REASONS, Facts, marketing_verdict, opt_in_jurisdictions, verdict
from pledge.policy import bundled_policy_path, load_policy

T0 = datetime(2026, 1, 1, tzinfo=UTC)
times = st.one_of(st.none(), st.integers(0, 10).map(lambda d: T0 + timedelta(days=d)))
facts = st.builds(
    Facts,
    known=st.booleans(),
    opt_in=st.booleans(),
    granted=st.one_of(st.none(), st.booleans()),
    state_at=times,
    erased_at=times,
    restricted=st.booleans(),
    objected_at=times,
    opted_out_at=times,
    do_not_call=st.booleans(),
)


@given(facts)
def test_every_verdict_is_a_documented_reason_and_service_is_always_allowed(f: Facts) -> None:
    reason = marketing_verdict(f)
    assert reason is None or reason in REASONS
    assert verdict("service", f) is None


@given(facts)
def test_nothing_is_allowed_without_a_grant_under_opt_in(f: Facts) -> None:
    if f.opt_in and f.granted is not True:
        assert marketing_verdict(f) is not None


@given(facts)
def test_a_restriction_always_wins(f: Facts) -> None:
    if f.restricted:
        assert marketing_verdict(f) in {"erased", "restricted"}


def test_opt_in_needs_consent_opt_out_allows_until_opt_out() -> None:
    assert marketing_verdict(Facts(known=True, opt_in=True)) == "no_consent"
    assert marketing_verdict(Facts(known=True, opt_in=True, granted=True, state_at=T0)) is None
    assert marketing_verdict(Facts(known=True, opt_in=False)) is None
    assert marketing_verdict(Facts(known=True, opt_in=False, granted=False)) == "opted_out"
    assert marketing_verdict(Facts(known=True, opt_in=True, granted=False)) == "opted_out"
    assert marketing_verdict(Facts()) == "unknown"


def test_a_later_consent_lifts_an_old_opt_out_but_not_an_earlier_one() -> None:
    later = Facts(known=True, granted=True, state_at=T0 + timedelta(days=1), opted_out_at=T0)
    earlier = Facts(known=True, granted=True, state_at=T0, opted_out_at=T0 + timedelta(days=1))
    assert marketing_verdict(later) is None
    assert marketing_verdict(earlier) == "opted_out"


def test_opt_in_jurisdictions_come_from_the_policy() -> None:
    policy = load_policy(bundled_policy_path())
    assert opt_in_jurisdictions(policy, "marketing") == {"eu", "uk", "ch"}


def test_ip_truncation_and_text_hash() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert truncate_ip("not an ip") is None
    assert text_hash("Yes,  send me\nnews") == text_hash("Yes, send me news")
