"""One person is not a send list: a few statements, no writes, the filter's verdicts.

The one-person path (:mod:`pledge.consent.ledger.person`) reads its facts in
one statement; these tests count them, and hold its verdicts to the bulk
filter's for the same people, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from pledge.consent import (
    ConsentIn,
    DoNotCallIn,
    add_do_not_call,
    consent_history,
    filter_recipients,
    marketing_state,
    may_send_marketing,
    record_consent,
)
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import (
    MarketingReach,
    MarketingReachCoverage,
    MarketingSuppression,
    SubjectRestriction,
)
from pledge.errors import ValidationFailed
from pledge.policy import bundled_policy_path, load_policy
from pledge.startup import settle_data
from tests.consent.conftest import EU, give
from tests.consent.test_filter import subject_of
from tests.consent.test_reach import collected, population
from tests.queries import recorded_statements

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(WRITES)]


def audit_inserts(statement: str) -> bool:
    return statement.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRIES")


def test_an_unknown_address_costs_two_statements(pledge: Pledge) -> None:
    """Before: 24 statements on SQLite (18 on PostgreSQL), the filter once per channel."""
    with recorded_statements(pledge.engine) as statements:
        history = consent_history(pledge, "nobody@example.org", reader="test")
    assert history.known is False
    assert history.marketing["marketing"]["email"].reason == "unknown"
    assert len(statements) == 2  # the person (none), their marketing facts
    assert writes(statements) == []


def test_a_known_address_costs_three_statements_and_its_audit_entry(pledge: Pledge) -> None:
    """Before: 26 statements on SQLite (20 on PostgreSQL). Reading the history is audited."""
    give(pledge, EU)
    with recorded_statements(pledge.engine) as statements:
        history = consent_history(pledge, EU, reader="test")
    assert history.known is True
    assert len(history.events) == 1
    assert history.marketing["marketing"]["email"].allowed is True
    assert len(statements) == 4  # the person with their key, the events, the facts, the audit
    assert [audit_inserts(s) for s in writes(statements)] == [True]


def test_may_send_marketing_costs_one_statement(pledge: Pledge) -> None:
    """Before (as ``is_allowed``): 7 statements on SQLite, 5 on PostgreSQL."""
    give(pledge, EU)
    with recorded_statements(pledge.engine) as statements:
        allowed = may_send_marketing(pledge, EU, "email")
        refused = may_send_marketing(pledge, EU, "post", "marketing")
    assert allowed  # true in a condition when allowed
    assert allowed.reason is None
    assert not refused
    assert refused.reason == "no_consent"
    assert len(statements) == 2  # one per call
    with recorded_statements(pledge.engine) as statements:
        state = marketing_state(pledge, EU)
    assert len(statements) == 1  # every purpose and channel at once
    assert state["marketing"]["email"] == allowed
    assert writes(statements) == []


def test_a_bad_purpose_or_channel_is_refused_as_by_the_filter(pledge: Pledge) -> None:
    with pytest.raises(ValidationFailed):
        may_send_marketing(pledge, EU, "email", "respond_to_requests")
    with pytest.raises(ValidationFailed):
        may_send_marketing(pledge, EU, "fax")


def test_reading_never_backfills_the_projection(pledge: Pledge) -> None:
    """An uncovered purpose shows its people as unknown (it only suppresses) and writes nothing."""
    collected(pledge, "older@example.com", "US")
    with pledge.transaction() as session:  # as if created before the purpose existed
        session.execute(delete(MarketingReach))
        session.execute(delete(MarketingReachCoverage))
    with recorded_statements(pledge.engine) as statements:
        verdict = may_send_marketing(pledge, "older@example.com", "email")
        consent_history(pledge, "older@example.com", reader="test")
    assert verdict.reason == "unknown"
    assert all(audit_inserts(s) for s in writes(statements))  # the read's audit entry only
    with pledge.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MarketingReachCoverage)) == 0


@pytest.mark.parametrize("channel", ["email", "post", "phone"])
def test_the_filter_and_the_one_person_path_agree_on_a_population(
    pledge: Pledge, channel: str
) -> None:
    emails = population(pledge, 60, seed=11)
    send = [*emails, "stranger@example.net"]
    bulk = filter_recipients(pledge, channel, send, strategy="push")
    one = {e: may_send_marketing(pledge, e, channel).reason for e in send}
    assert dict(bulk.suppressed) == {e: r for e, r in one.items() if r is not None}
    assert bulk.allowed == [e for e in send if one[e] is None]


# Property: for any people, with any mix of facts, both paths give the same verdicts.

SUPPRESSIONS = ("erasure", "objection", "opt_out_marketing", "withdraw_consent")
RESTRICTIONS = (
    "restriction",
    "objection:marketing",
    "objection:newsletter",
    "marketing_opt_out",
    "consent_withdrawn:marketing",
    "consent_withdrawn:newsletter",
)
PAIRS = (
    ("marketing", "email"),
    ("marketing", "post"),
    ("marketing", "phone"),
    ("newsletter", "email"),
    ("newsletter", "post"),
)
"""The (purpose, channel) pairs of the two-purpose policy below."""
PHONES = ("+1 415 555 0100", "+1 415 555 0101", "+1 415 555 0102")
"""Few, so that people share a line (a household) and a listed number reaches several."""

days = st.integers(-3, 3).filter(bool).map(lambda n: timedelta(days=n))


@dataclass
class Person:
    known: str
    country: str
    phone: str | None
    acts: list[tuple[tuple[str, str], bool]]
    suppressions: list[tuple[str, timedelta]]
    restrictions: list[tuple[str, timedelta, bool]]
    listed_email: bool
    listed_phone: bool
    stray: bool
    """Its reach rows are missing (written by a process with an older policy)."""
    email: str = field(default="")


people = st.builds(
    Person,
    known=st.sampled_from(["no", "collected", "consented"]),
    country=st.sampled_from(["FR", "US", "GB", "CA"]),
    phone=st.none() | st.sampled_from(PHONES),
    acts=st.lists(st.tuples(st.sampled_from(PAIRS), st.booleans()), max_size=3),
    suppressions=st.lists(st.tuples(st.sampled_from(SUPPRESSIONS), days), max_size=2),
    restrictions=st.lists(
        st.tuples(st.sampled_from(RESTRICTIONS), days, st.booleans()), max_size=2
    ),
    listed_email=st.booleans(),
    listed_phone=st.booleans(),
    stray=st.booleans(),
)


@pytest.fixture
def two_purposes(pledge: Pledge, tmp_path: Path) -> Iterator[Pledge]:
    """The bundled policy plus a second marketing purpose, consent-based everywhere."""
    document = yaml.safe_load(bundled_policy_path().read_text(encoding="utf-8"))
    marketing = next(p for p in document["purposes"] if p["id"] == "marketing")
    newsletter = {
        **marketing,
        "id": "newsletter",
        "name": "Our newsletter",
        "legal_basis": {"default": "consent"},
        "channels": ["email", "post"],
    }
    document["purposes"].append(newsletter)
    path = tmp_path / "two-marketing-purposes.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    custom = Pledge(pledge.settings, policy=load_policy(path))
    settle_data(custom)  # covers the new purpose
    try:
        yield custom
    finally:
        custom.dispose()


_numbers = itertools.count()


def _seed(pledge: Pledge, person: Person) -> None:
    """Write what ``person`` says through Pledge's own calls, then the rights-process rows."""
    person.email = email = f"person{next(_numbers)}@example.org"
    subject = {"email": email, "country": person.country}
    if person.phone:
        subject["phone"] = person.phone
    if person.known == "collected":
        collected(pledge, email, person.country)
    acts = person.acts if person.known == "consented" else []
    if person.known == "consented" and not acts:
        acts = [(("marketing", "post"), True)]
    for (purpose, channel), granted in acts:
        body = {
            "subject": subject,
            "purpose": purpose,
            "channel": channel,
            "granted": granted,
            "method": "web_form",
        }
        record_consent(pledge, ConsentIn.model_validate(body), actor="test")
    now = utcnow()
    with pledge.transaction() as session:
        index = pledge.keys.blind_index("email", email)
        for reason, offset in person.suppressions:
            session.add(
                MarketingSuppression(email_index=index, reason=reason, created_at=now + offset)
            )
        if person.known != "no":
            subject_id = subject_of(pledge, email)
            for kind, offset, lifted in person.restrictions:
                session.add(
                    SubjectRestriction(
                        subject_id=subject_id,
                        kind=kind,
                        created_at=now + offset,
                        lifted_at=now if lifted else None,
                    )
                )
            if person.stray:
                session.execute(
                    delete(MarketingReach).where(MarketingReach.subject_id == subject_id)
                )
    if person.listed_email:
        add_do_not_call(pledge, DoNotCallIn(email=email), actor="test")
    if person.listed_phone and person.phone:
        add_do_not_call(pledge, DoNotCallIn(phone=person.phone), actor="test")


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(crowd=st.lists(people, min_size=1, max_size=4))
def test_any_people_get_the_same_verdict_from_both_paths(
    two_purposes: Pledge, crowd: list[Person]
) -> None:
    pledge = two_purposes
    for person in crowd:
        _seed(pledge, person)
    emails = [person.email for person in crowd]
    for purpose, channel in PAIRS:
        one = {e: may_send_marketing(pledge, e, channel, purpose).reason for e in emails}
        for strategy in ("push", "pull"):
            bulk = filter_recipients(pledge, channel, emails, purpose, strategy=strategy)
            assert dict(bulk.suppressed) == {e: r for e, r in one.items() if r}, (
                purpose,
                channel,
                strategy,
            )
            assert bulk.allowed == [e for e in emails if one[e] is None]
        for email in emails:
            assert marketing_state(pledge, email)[purpose][channel].reason == one[email]
