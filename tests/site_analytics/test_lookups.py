"""IP to country offline, user agent to families, referrer to search terms."""

from __future__ import annotations

import socket

import pytest

from pledge.site_analytics import geo
from pledge.site_analytics.agents import describe
from pledge.site_analytics.referrers import search_terms

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt fails the test: the database must be the package's own file."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the country lookup tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(geo, "_reader", None)  # load the data file again, offline


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    ("ip", "country"),
    [
        ("8.8.8.8", "US"),
        ("81.2.69.142", "GB"),
        ("193.51.0.1", "FR"),
        ("2a01:e0a::1", "FR"),
        ("2001:4860:4860::8888", "US"),
    ],
)
def test_public_addresses_resolve_offline(ip: str, country: str) -> None:
    assert geo.country_of(ip) == country


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "::1", "not an ip", None])
def test_private_or_bad_addresses_have_no_country(ip: str | None) -> None:
    assert geo.country_of(ip) is None


def test_user_agents_become_families_and_a_device_class() -> None:
    chrome = describe(CHROME)
    assert (chrome.browser_family, chrome.browser_major, chrome.os_family) == (
        "Chrome",
        "131",
        "Windows",
    )
    assert chrome.device_class == "desktop"
    assert describe(IPHONE).device_class == "mobile"
    assert describe(IPHONE).os_family == "iOS"
    assert describe(BOT).device_class == "bot"
    assert describe(None).browser_family == "Other"


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("https://www.google.com/search?q=privacy+ops&hl=en", ("google", "privacy ops")),
        ("https://www.google.co.uk/search?q=pledge", ("google", "pledge")),
        ("https://www.bing.com/search?q=consent%20banner", ("bing", "consent banner")),
        ("https://search.yahoo.com/search?p=dsar+tool", ("yahoo", "dsar tool")),
        ("https://duckduckgo.com/?q=gdpr&ia=web", ("duckduckgo", "gdpr")),
        ("https://www.google.com/", ("google", None)),
        ("https://example.org/?q=not+an+engine", None),
        ("https://google.evil.example/?q=x", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_search_terms_come_only_from_known_engines(
    referrer: str | None, expected: tuple[str, str | None] | None
) -> None:
    assert search_terms(referrer) == expected
