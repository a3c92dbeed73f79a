"""Aggregates shown only for groups of at least k; retention keeps them when page views go."""

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
from pledge.site_analytics import BeaconIn, published, record_page_view

DAY = datetime(2026, 3, 10, 12, tzinfo=UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def views(pledge: Pledge, path: str, count: int, *, ip: str, when: datetime = DAY) -> None:
    view = BeaconIn(path=path, landing=True, seconds=10)
    for _ in range(count):
        record_page_view(pledge, view, ip=ip, user_agent=FIREFOX, now=when)


def test_a_group_of_k_minus_one_is_hidden_and_a_group_of_k_is_shown(pledge: Pledge) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    views(pledge, "/often", k, ip="193.51.0.1")  # France
    views(pledge, "/rare", k - 1, ip="81.2.69.142")  # United Kingdom
    shown = published(pledge, DAY.date(), DAY.date()).dimensions
    assert [(g.key, g.events) for g in shown["pages"]] == [("/often", k)]
    assert [(g.key, g.events) for g in shown["countries"]] == [("FR", k)]
    assert [(g.key, g.events) for g in shown["views"]] == [("all", 2 * k - 1)]
    assert shown["browsers"][0].key == "Firefox"
    assert shown["views"][0].mean_seconds == 10.0


def test_search_terms_are_shown_only_for_groups_of_k(pledge: Pledge) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    for terms, count in (("virtual assistant", k), ("ada lovelace phone number", k - 1)):
        referrer = "https://www.google.com/search?q=" + terms.replace(" ", "+")
        view = BeaconIn(path="/", landing=True, seconds=5, referrer=referrer)
        for _ in range(count):
            record_page_view(pledge, view, ip="193.51.0.1", user_agent=FIREFOX, now=DAY)
    views(pledge, "/", 3, ip="193.51.0.1")  # no search: not a group of its own
    shown = published(pledge, DAY.date(), DAY.date()).dimensions
    assert [(g.key, g.events) for g in shown["search_terms"]] == [("virtual assistant", k)]


def test_the_admin_api_returns_only_groups_of_k(
    pledge: Pledge, client: TestClient, admin_key: str, system_key: str
) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    views(pledge, "/often", k, ip="193.51.0.1")
    views(pledge, "/rare", k - 1, ip="193.51.0.1")
    url = "/api/v1/admin/analytics?since=2026-03-01&until=2026-03-31"
    answer = client.get(url, headers={"Authorization": f"Bearer {admin_key}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["min_group_size"] == k
    assert [g["key"] for g in body["dimensions"]["pages"]] == ["/often"]
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
    views(pledge, "/old", k, ip="193.51.0.1")
    views(pledge, "/old-rare", 1, ip="193.51.0.1")
    views(pledge, "/new", 1, ip="193.51.0.1", when=recent)
    as_of = DAY + timedelta(days=13 * 31)  # past P13M for DAY, not for ``recent``
    dry = run_retention(pledge, as_of=as_of, dry_run=True)
    assert dry.page_views == k + 1
    report = run_retention(pledge, as_of=as_of)
    assert report.page_views == k + 1
    with pledge.sessions() as session:
        left = session.scalars(select(SiteEvent.path)).all()
        kept = session.execute(
            select(SiteAggregate.dimension, SiteAggregate.key, SiteAggregate.events)
        ).all()
        assert session.scalar(select(func.count()).select_from(SiteEvent)) == 1
    assert left == ["/new"]
    assert ("pages", "/old", k) in kept
    assert all(events >= k for _, _, events in kept)  # the rare page was never kept
    shown = published(pledge, DAY.date(), DAY.date()).dimensions
    assert [(g.key, g.events) for g in shown["pages"]] == [("/old", k)]
    assert [(g.key, g.events) for g in shown["views"]] == [("all", k + 1)]
    again = run_retention(pledge, as_of=as_of)
    assert again.page_views == 0


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
