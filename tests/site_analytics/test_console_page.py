"""The console's analytics page (``/admin/analytics``): who may read it, and the k cut-off.

Admins, privacy officers and auditors hold ``analytics.read``; support and recruiters do
not and get 403. The page shows only groups of at least k distinct visitors: a page seen
by fewer people, however often, does not appear in its charts or tables at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from pledge.console.permissions import ROLE_PERMISSIONS, Permission
from pledge.core import Pledge
from pledge.site_analytics import BeaconIn, record_page_view
from pledge.web.app import create_app
from tests.staff_accounts import create_staff, sign_in

DAY = datetime(2026, 3, 10, 12, tzinfo=UTC)
URL = "/admin/analytics?since=2026-03-01&until=2026-03-31"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def seen(pledge: Pledge, path: str, visitors: int, each: int = 1) -> None:
    view = BeaconIn(path=path, landing=True, seconds=20)
    for person in range(visitors):
        for _ in range(each):
            ip = f"193.51.0.{person + 1}"
            record_page_view(pledge, view, ip=ip, user_agent=FIREFOX, now=DAY)


@pytest.fixture
def staff_client(pledge: Pledge) -> Iterator[TestClient]:
    with TestClient(create_app(pledge), raise_server_exceptions=False) as client:
        yield client


def signed_in(client: TestClient, pledge: Pledge, role: str) -> TestClient:
    email = f"{role}-analytics@interactions.com"
    create_staff(pledge, email, role)
    assert sign_in(client, email) == 303
    return client


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_only_roles_with_analytics_read_open_the_page(
    pledge: Pledge, staff_client: TestClient, role: str
) -> None:
    allowed = Permission.ANALYTICS_READ in ROLE_PERMISSIONS[role]
    assert allowed == (role in {"admin", "privacy_officer", "auditor"})
    answer = signed_in(staff_client, pledge, role).get(URL)
    assert answer.status_code == (200 if allowed else 403), role


def test_the_page_shows_groups_of_k_people_and_hides_smaller_ones(
    pledge: Pledge, staff_client: TestClient
) -> None:
    assert pledge.policy.log_data is not None
    k = pledge.policy.log_data.min_group_size
    seen(pledge, "/often-seen", k)
    seen(pledge, "/one-person-page", 1, each=3 * k)  # many page views, one person
    seen(pledge, "/few-people-page", k - 1, each=2)
    html = signed_in(staff_client, pledge, "auditor").get(URL).text
    assert f"at least {k} distinct visitors" in html
    assert "/often-seen" in html
    assert "/one-person-page" not in html
    assert "/few-people-page" not in html
    for title in ("Visitors per day", "Page views per day", "Visits per day", "Pages"):
        assert f">{title}</h2>" in html
    assert html.count("<svg") == 7  # every chart but the search terms' (no search)
    assert f"No group of at least {k} visitors in this period." in html
    # The charts' accessible names: k people, who loaded 6k-2 pages between them.
    assert f'aria-label="Visitors per day: 2026-03-10 {k}"' in html
    assert f'aria-label="Page views per day: 2026-03-10 {6 * k - 2}"' in html
    assert "<script" not in html
