"""``marketing_reach`` stays complete, and both ways of matching a send list agree."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, func, select

from pledge import audit
from pledge.consent import DoNotCallIn, add_do_not_call, filter_recipients, rebuild_states
from pledge.consent.ledger.coverage import ensure_coverage
from pledge.core import Pledge
from pledge.db.models import (
    AuditEntry,
    MarketingReach,
    MarketingReachCoverage,
    MarketingSuppression,
    SubjectRestriction,
)
from pledge.records.schemas import RecordIn
from pledge.records.service import collect
from pledge.records.shredding import destroy_subject_key
from tests.consent.conftest import give
from tests.consent.test_filter import subject_of


def collected(pledge: Pledge, email: str, country: str) -> None:
    """A person Pledge knows from a contact form only: no consent event at all."""
    body = {
        "subject": {"email": email, "country": country},
        "category": "identification",
        "purpose": "respond_to_requests",
        "source": "web_form:contact_us",
        "data": {"name": "Someone", "email": email},
    }
    collect(pledge, [RecordIn.model_validate(body)], actor="test")


def reach_rows(pledge: Pledge, subject_id: str) -> int:
    with pledge.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(MarketingReach)
                .where(MarketingReach.subject_id == subject_id)
            )
            or 0
        )


@pytest.mark.parametrize("strategy", ["push", "pull"])
def test_people_known_without_any_consent(pledge: Pledge, strategy: str) -> None:
    collected(pledge, "contact.us@example.com", "US")
    collected(pledge, "contact.fr@example.fr", "FR")
    result = filter_recipients(
        pledge,
        "email",
        ["contact.us@example.com", "contact.fr@example.fr"],
        strategy=strategy,  # type: ignore[arg-type]
    )
    assert result.allowed == ["contact.us@example.com"]
    assert result.suppressed == [("contact.fr@example.fr", "no_consent")]


def test_erasure_deletes_the_reach_rows(pledge: Pledge) -> None:
    give(pledge, "gone@example.com", country="US")
    subject_id = subject_of(pledge, "gone@example.com")
    assert reach_rows(pledge, subject_id) == 1
    with pledge.transaction() as session:
        destroy_subject_key(session, subject_id, actor="test", reason="retention")
    assert reach_rows(pledge, subject_id) == 0
    # No suppression was asked for: the address is simply unknown now.
    result = filter_recipients(pledge, "email", ["gone@example.com"])
    assert result.suppressed == [("gone@example.com", "unknown")]


def test_a_purpose_new_to_the_policy_is_backfilled_once(pledge: Pledge) -> None:
    collected(pledge, "older@example.com", "US")
    subject_id = subject_of(pledge, "older@example.com")
    with pledge.transaction() as session:  # as if created before the purpose existed
        session.execute(delete(MarketingReach))
        session.execute(delete(MarketingReachCoverage))
    assert filter_recipients(pledge, "email", ["older@example.com"]).allowed == [
        "older@example.com"
    ]
    assert reach_rows(pledge, subject_id) == 1
    with pledge.sessions() as session:
        covered = session.scalars(
            select(AuditEntry.details)
            .where(AuditEntry.action == "projection.reach_covered")
            .order_by(AuditEntry.id)
        ).all()
    assert [d["rows_added"] for d in covered] == [0, 1]  # at set-up, then the backfill
    assert ensure_coverage(pledge) == []


def test_a_missing_row_can_only_suppress(pledge: Pledge) -> None:
    """Coverage says complete but a row is missing (an old process wrote the subject)."""
    collected(pledge, "stray@example.com", "US")
    with pledge.transaction() as session:
        session.execute(delete(MarketingReach))
    result = filter_recipients(pledge, "email", ["stray@example.com"])
    assert result.suppressed == [("stray@example.com", "unknown")]


def population(pledge: Pledge, size: int, seed: int) -> list[str]:
    """People in every state, with rights-process facts and do-not-call entries."""
    pick = random.Random(seed)
    emails = [f"p{seed}-{n}@example.org" for n in range(size)]
    for n, email in enumerate(emails):
        kind = pick.randrange(5)
        country = pick.choice(["FR", "US", "GB", "DE", "CA"])
        if kind == 0:
            collected(pledge, email, country)
        elif kind in (1, 2):
            channel = pick.choice(["email", "post", "phone"])
            give(pledge, email, country=country, channel=channel, granted=kind == 1)
        if n % 7 == 0:
            with pledge.transaction() as session:
                reason = pick.choice(["erasure", "objection", "opt_out_marketing"])
                session.add(
                    MarketingSuppression(
                        email_index=pledge.keys.blind_index("email", email), reason=reason
                    )
                )
        if kind in (0, 1, 2) and n % 11 == 0:
            with pledge.transaction() as session:
                restriction = pick.choice(["restriction", "objection:marketing"])
                session.add(
                    SubjectRestriction(subject_id=subject_of(pledge, email), kind=restriction)
                )
                audit.append(session, action="test", actor="test", object_type="x", object_id="x")
        if n % 13 == 0:
            add_do_not_call(pledge, DoNotCallIn(email=email), actor="test")
    return emails


@pytest.mark.parametrize("channel", ["email", "phone"])
def test_push_and_pull_agree(pledge: Pledge, channel: str) -> None:
    emails = population(pledge, 120, seed=7)
    send = [*emails, *(f"stranger{n}@example.net" for n in range(20)), emails[3].upper()]
    random.Random(1).shuffle(send)
    push = filter_recipients(pledge, channel, send, strategy="push")
    pull = filter_recipients(pledge, channel, send, strategy="pull")
    auto = filter_recipients(pledge, channel, send)
    assert push == pull == auto
    reasons = {reason for _email, reason in push.suppressed}
    assert {"unknown", "no_consent", "restricted"} <= reasons
    assert len(push.allowed) + len(push.suppressed) == len(set(send))


def test_rebuilding_from_the_ledger_keeps_the_projection_complete(pledge: Pledge) -> None:
    emails = population(pledge, 40, seed=3)
    with pledge.sessions() as session:
        before_rows = sorted(
            session.execute(select(MarketingReach.email_index, MarketingReach.subject_id)).all()
        )
    before = filter_recipients(pledge, "email", emails)
    rebuild_states(pledge)
    with pledge.sessions() as session:
        after_rows = sorted(
            session.execute(select(MarketingReach.email_index, MarketingReach.subject_id)).all()
        )
    assert after_rows == before_rows  # people with no consent state kept their rows
    assert filter_recipients(pledge, "email", emails) == before
