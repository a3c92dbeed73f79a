"""Aggregates shown only for groups of at least k people; retention keeps them when views go.

People are told apart by their pseudonym of the day (address and user agent under the
day's salt): here each visitor calls from its own address, and one visitor loading a page
many times is still one person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import SiteAggregate, SiteEvent
from pledge.policy import load_policy
from pledge.policy.checks import run_checks
from pledge.retention.run import run_retention
from pledge.site_analytics import BeaconIn, published, record_page_view, roll_up

DAY = datetime(2026, 3, 10, 12, tzinfo=UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def views(pledge: Pledge, path: str, count: int, *, ip: str, when: datetime = DAY) -> None:
    """``count`` page views of ``path`` by one visitor (one address, one browser)."""
    view = BeaconIn(path=path, landing=True, seconds=10)
    for _ in range(count):
        record_page_view(pledge, view, ip=ip, user_agent=FIREFOX, now=when)


def people(
    pledge: Pledge,
    path: str,
    count: int,
    *,
    network: str = "193.51.0",  # France
    each: int = 1,
    landing: bool = True,
    when: datetime = DAY,
) -> None:
    """``count`` distinct visitors (one address each in ``network``), ``each`` views apiece."""
    view = BeaconIn(path=path, landing=landing, seconds=10)
    for person in range(count):
        for _ in range(each):
            ip = f"{network}.{person + 1}"
            record_page_view(pledge, view, ip=ip, user_agent=FIREFOX, now=when)


def test_one_visitor_with_many_page_views_is_hidden(pledge: Pledge) -> None:
    """k page views (and more) of /rare by one person: a group of one, never published."""
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    views(pledge, "/rare", 3 * k, ip="81.2.69.142")  # United Kingdom
    shown = published(pledge, DAY.date(), DAY.date()).dimensions
    assert all(groups == [] for groups in shown.values()), shown


def test_a_group_of_k_minus_one_visitors_is_hidden_and_one_of_k_is_shown(pledge: Pledge) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    people(pledge, "/often", k)  # France
    people(pledge, "/rare", k - 1, network="81.2.69", each=3)  # United Kingdom
    shown = published(pledge, DAY.date(), DAY.date()).dimensions
    assert [(g.key, g.visitors, g.events) for g in shown["pages"]] == [("/often", k, k)]
    assert [(g.key, g.visitors) for g in shown["countries"]] == [("FR", k)]
    assert [(g.key, g.visitors, g.events) for g in shown["views"]] == [
        ("all", 2 * k - 1, k + 3 * (k - 1))
    ]
    assert shown["browsers"][0].key == "Firefox"
    assert shown["views"][0].mean_seconds == 10.0


def test_visits_count_people_who_start_a_visit(pledge: Pledge) -> None:
    """Visits (first page views) are a group of their own, published at k people too."""
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    # Day one: k-1 people start visits (one of them 2k times); k others only browse on.
    people(pledge, "/", k - 1)
    views(pledge, "/", 2 * k, ip="193.51.0.1")
    people(pledge, "/pricing", k, network="193.51.1", landing=False)
    # Day two: k people start a visit.
    later = DAY + timedelta(days=1)
    people(pledge, "/", k, when=later)
    shown = published(pledge, DAY.date(), later.date()).dimensions
    assert [(g.day, g.visitors, g.events) for g in shown["visits"]] == [(later.date(), k, k)]
    assert [(g.day, g.visitors) for g in shown["views"]] == [
        (DAY.date(), 2 * k - 1),
        (later.date(), k),
    ]


def test_search_terms_are_shown_only_for_groups_of_k(pledge: Pledge) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    for terms, visitors, each in (("virtual assistant", k, 1), ("ada lovelace phone number", 1, k)):
        referrer = "https://www.google.com/search?q=" + terms.replace(" ", "+")
        view = BeaconIn(path="/", landing=True, seconds=5, referrer=referrer)
        for person in range(visitors):
            for _ in range(each):
                ip = f"193.51.0.{person + 1}"
                record_page_view(pledge, view, ip=ip, user_agent=FIREFOX, now=DAY)
    people(pledge, "/", 3)  # no search: not a group of its own
    shown = published(pledge, DAY.date(), DAY.date()).dimensions
    assert [(g.key, g.visitors) for g in shown["search_terms"]] == [("virtual assistant", k)]


def test_the_admin_api_returns_only_groups_of_k(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str
) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    people(pledge, "/often", k)
    views(pledge, "/rare", k, ip="193.51.0.1")  # one person, k page views
    url = "/api/v1/admin/analytics?since=2026-03-01&until=2026-03-31"
    answer = client.get(url, headers={"Authorization": f"Bearer {admin_key}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["min_group_size"] == k
    pages = body["dimensions"]["pages"]
    assert [(g["key"], g["visitors"], g["events"]) for g in pages] == [("/often", k, k)]
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {system_key}"}).status_code == 403
    backwards = "/api/v1/admin/analytics?since=2026-03-31&until=2026-03-01"
    bad = client.get(backwards, headers={"Authorization": f"Bearer {admin_key}"})
    assert bad.status_code == 422
    assert "since" in bad.json()["error"]["fields"]


def test_retention_deletes_old_page_views_and_keeps_their_aggregates(pledge: Pledge) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    recent = DAY + timedelta(days=300)
    people(pledge, "/old", k)
    views(pledge, "/old-rare", 1, ip="193.51.0.1")
    views(pledge, "/old-one-person", k, ip="193.51.0.2")  # k page views, one visitor
    people(pledge, "/new", 1, when=recent)
    as_of = DAY + timedelta(days=13 * 31)  # past P13M for DAY, not for ``recent``
    dry = run_retention(pledge, as_of=as_of, dry_run=True)
    assert dry.page_views == 2 * k + 1
    report = run_retention(pledge, as_of=as_of)
    assert report.page_views == 2 * k + 1
    with pledge.sessions() as session:
        left = session.scalars(select(SiteEvent.path)).all()
        kept = session.execute(
            select(
                SiteAggregate.dimension,
                SiteAggregate.key,
                SiteAggregate.events,
                SiteAggregate.visitors,
            )
        ).all()
        assert session.scalar(select(func.count()).select_from(SiteEvent)) == 1
    assert left == ["/new"]
    assert ("pages", "/old", k, k) in kept
    assert ("views", "all", 2 * k + 1, k) in kept
    assert all(visitors >= k for _, _, _, visitors in kept)
    assert {key for dimension, key, _, _ in kept if dimension == "pages"} == {"/old"}
    shown = published(pledge, DAY.date(), DAY.date()).dimensions
    assert [(g.key, g.visitors, g.events) for g in shown["pages"]] == [("/old", k, k)]
    assert [(g.key, g.visitors, g.events) for g in shown["views"]] == [("all", k, 2 * k + 1)]
    again = run_retention(pledge, as_of=as_of)
    assert again.page_views == 0


def test_the_roll_up_keeps_only_groups_of_k_visitors(pledge: Pledge) -> None:
    """``roll_up`` itself: k page views by k-1 people are not kept; k people are."""
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    people(pledge, "/k-people", k)
    people(pledge, "/fewer", k - 1, network="193.51.1", each=2)
    with pledge.transaction() as session:
        added = roll_up(session, [DAY.date()], k)
    with pledge.sessions() as session:
        pages = session.execute(
            select(SiteAggregate.key, SiteAggregate.visitors).where(
                SiteAggregate.dimension == "pages"
            )
        ).all()
        rows = session.scalar(select(func.count()).select_from(SiteAggregate))
    assert pages == [("/k-people", k)]
    assert added == rows == 5  # views, visits, the page, France, Firefox (no search terms)


def test_the_policy_must_declare_k_of_at_least_two(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    source = Path("src/pledge/policies/interactions.yaml").read_text(encoding="utf-8")
    bad = Path(str(tmp_path)) / "policy.yaml"
    bad.write_text(source.replace("min_group_size: 5", "min_group_size: 1"), encoding="utf-8")
    with pytest.raises(Exception, match="min_group_size"):
        load_policy(bad)


def test_the_log_data_category_and_purpose_must_be_declared() -> None:
    policy = load_policy("src/pledge/policies/interactions.yaml")
    assert policy.log_data is not None
    wrong = policy.log_data.model_copy(update={"category": "nothing", "purpose": "recruitment"})
    document = policy.model_copy(update={"log_data": wrong})
    problems = {p.location: p.message for p in run_checks(document)}
    assert "not declared" in problems["log_data.category"]
    assert "log_data.purpose" not in problems or "recruitment" in problems["log_data.purpose"]
    other = policy.log_data.model_copy(update={"purpose": "recruitment"})
    problems = {
        p.location: p.message for p in run_checks(policy.model_copy(update={"log_data": other}))
    }
    assert "not collected for purpose" in problems["log_data.purpose"]


def test_the_log_data_category_must_declare_the_visitor_pseudonym() -> None:
    """The beacon keeps a pseudonym per day: the policy must say so among the fields."""
    policy = load_policy("src/pledge/policies/interactions.yaml")
    assert policy.log_data is not None
    category = policy.category(policy.log_data.category)
    assert category is not None
    field = category.field(policy.log_data.visitor_field)
    assert field is not None
    assert "changes every day" in field.description
    assert not [p for p in run_checks(policy) if p.location.startswith("log_data")]
    other = policy.log_data.model_copy(update={"visitor_field": "visitor_id"})
    problems = {
        p.location: p.message for p in run_checks(policy.model_copy(update={"log_data": other}))
    }
    assert "does not declare field 'visitor_id'" in problems["log_data.visitor_field"]
