"""The cookie banner's configuration and recorded choices (the browser side is in tests/browser)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.consent import banner_version
from pledge.core import Pledge
from pledge.db.models import CookieConsent
from pledge.policy import Cookie
from pledge.web.access_log import ScrubAccessLog, scrub_path

VISITOR = "0123456789abcdef0123456789abcdef"


def test_banner_config_comes_from_the_policy(pledge: Pledge, client: TestClient) -> None:
    config = client.get("/api/v1/cookie-banner").json()
    assert config["version"] == banner_version(pledge.policy)
    assert [c["id"] for c in config["categories"]] == ["strictly_necessary", "analytics"]
    assert config["categories"][0]["required"] is True
    services = {s["id"]: s for s in config["services"]}
    assert set(services) == {"google_analytics", "hubspot"}
    assert {"_ga", "_gid", "_gat"} == set(services["google_analytics"]["cookies"])
    assert config["max_age_days"] == 180
    assert config["gpc"] is False
    assert config["honours_do_not_track"] is False
    assert {"accept_all", "reject_all", "customise", "title"} <= set(config["strings"])
    gpc = client.get("/api/v1/cookie-banner", headers={"Sec-GPC": "1", "DNT": "1"}).json()
    assert gpc["gpc"] is True
    assert gpc["dnt"] is False


def test_a_changed_cookie_section_changes_the_version(pledge: Pledge) -> None:
    policy = pledge.policy
    extra = Cookie(
        name="_fbp",
        provider="Meta",
        service="meta_pixel",
        purpose="Ads",
        lifetime="P3M",
        category="analytics",
    )
    changed = policy.model_copy(update={"cookies": [*policy.cookies, extra]})
    assert banner_version(changed) != banner_version(policy)
    assert banner_version(policy.model_copy()) == banner_version(policy)


def choice(pledge: Pledge, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "visitor_id": VISITOR,
        "version": banner_version(pledge.policy),
        "categories": {"analytics": True},
        "services": {"hubspot": False},
        "method": "banner",
    }
    body.update(changes)
    return body


def test_a_choice_is_recorded_with_truncated_ip(pledge: Pledge, client: TestClient) -> None:
    response = client.post("/api/v1/cookie-consent", json=choice(pledge))
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["categories"] == {"analytics": True, "strictly_necessary": True}
    assert out["services"] == {"google_analytics": True, "hubspot": False}
    with pledge.sessions() as session:
        row = session.scalars(select(CookieConsent)).one()
    assert row.method == "banner"
    assert row.visitor_id == VISITOR
    assert row.ip_truncated in {None, "testclient"} or row.ip_truncated.endswith("/24")


def test_gpc_is_always_a_refusal(pledge: Pledge, client: TestClient) -> None:
    out = client.post("/api/v1/cookie-consent", json=choice(pledge, method="gpc")).json()
    assert out["categories"]["analytics"] is False
    assert not any(out["services"].values())


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"version": "0" * 16}, 409),
        ({"categories": {"marketing_pixels": True}}, 422),
        ({"services": {"doubleclick": True}}, 422),
        ({"visitor_id": "not-random"}, 422),
        ({"method": "guess"}, 422),
    ],
)
def test_bad_choices_are_refused(
    pledge: Pledge, client: TestClient, changes: dict[str, object], status: int
) -> None:
    response = client.post("/api/v1/cookie-consent", json=choice(pledge, **changes))
    assert response.status_code == status


def test_static_and_pages_are_first_party(client: TestClient) -> None:
    script = client.get("/consent.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "http://" not in script.text
    assert "https://" not in script.text
    demo = client.get("/demo")
    assert 'type="text/plain" data-pledge-category="analytics"' in demo.text
    assert "data-pledge-open-settings" in demo.text
    assert client.get("/static/demo/analytics.js").status_code == 200
    assert client.get("/static/consent.css").status_code == 200


def test_access_log_drops_query_strings_and_tokens() -> None:
    assert scrub_path("/api/v1/consents?email=a%40b.org") == "/api/v1/consents"
    assert scrub_path("/u/abc.def.1a.ff00/preferences?x=1") == "/u/…/preferences"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/consents?email=a@b.org", "1.1", 200),
        None,
    )
    assert ScrubAccessLog().filter(record)
    assert "a@b.org" not in record.getMessage()
    assert "/api/v1/consents" in record.getMessage()
