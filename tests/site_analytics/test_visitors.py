"""The visitor pseudonym: one per person per UTC day, unlinkable across days (both stores).

Each day's salt is random and kept in ``site_salts`` only until a page view of a later
day or a retention run: then the same address and browser give an unrelated pseudonym,
and yesterday's can no longer be recomputed from an address.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import SiteEvent, SiteSalt
from pledge.retention.run import run_retention
from pledge.site_analytics import BeaconIn, record_page_view
from pledge.site_analytics.visitors import pseudonym

DAY = datetime(2026, 3, 10, 23, 50, tzinfo=UTC)
NEXT = datetime(2026, 3, 11, 0, 10, tzinfo=UTC)  # twenty minutes later, another UTC day
IP = "193.51.0.7"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Safari/605.1.15"
)
VIEW = BeaconIn(path="/", landing=True, seconds=3)


def visit(pledge: Pledge, when: datetime, *, ip: str = IP, agent: str = FIREFOX) -> str:
    """Store one page view; the pseudonym it was stored under."""
    record_page_view(pledge, VIEW, ip=ip, user_agent=agent, now=when)
    with pledge.sessions() as session:
        latest = session.scalars(select(SiteEvent).order_by(SiteEvent.occurred_at)).all()[-1]
    assert latest.visitor is not None
    return latest.visitor


def salts(pledge: Pledge) -> dict[str, bytes]:
    with pledge.sessions() as session:
        rows = session.scalars(select(SiteSalt)).all()
        return {row.day.isoformat(): bytes.fromhex(row.salt) for row in rows}


def test_one_visitor_keeps_one_pseudonym_through_a_day(pledge: Pledge) -> None:
    first = visit(pledge, DAY - timedelta(hours=5))
    again = visit(pledge, DAY)
    assert first == again
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert visit(pledge, DAY, agent=SAFARI) != first  # another browser, another visitor
    assert visit(pledge, DAY, ip="193.51.0.8") != first  # another address too
    assert first not in hashlib.sha256(f"{IP}\n{FIREFOX}".encode()).hexdigest()  # salted


def test_the_same_visitor_on_the_next_day_gets_an_unrelated_pseudonym(pledge: Pledge) -> None:
    yesterday = visit(pledge, DAY)
    assert set(salts(pledge)) == {"2026-03-10"}
    today = visit(pledge, NEXT)
    assert today != yesterday
    left = salts(pledge)
    assert set(left) == {"2026-03-11"}  # the first page view of the new day deleted the old salt
    # With what is left on the server, yesterday's pseudonym cannot be recomputed.
    assert all(pseudonym(salt, IP, FIREFOX) != yesterday for salt in left.values())


def test_the_retention_run_deletes_the_salts_of_past_days(pledge: Pledge) -> None:
    visit(pledge, DAY)
    assert set(salts(pledge)) == {"2026-03-10"}
    run_retention(pledge, as_of=DAY, dry_run=True)
    assert set(salts(pledge)) == {"2026-03-10"}  # a dry run deletes nothing
    run_retention(pledge, as_of=DAY)
    assert set(salts(pledge)) == {"2026-03-10"}  # the day is not over yet
    run_retention(pledge, as_of=NEXT)
    assert salts(pledge) == {}
    assert visit(pledge, DAY) != visit(pledge, NEXT)


def test_the_public_policy_page_declares_the_pseudonym(client: TestClient) -> None:
    page = client.get("/policy")
    assert page.status_code == 200
    assert "Daily visitor pseudonym" in page.text
    assert "changes every day and is deleted after that day" in page.text


def test_the_first_page_views_of_a_day_race_for_one_salt(pledge: Pledge) -> None:
    """Page views arriving together on a new day all get its one salt, none fails."""
    visit(pledge, DAY)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda _: record_page_view(pledge, VIEW, ip=IP, user_agent=FIREFOX, now=NEXT),
                range(16),
            )
        )
    with pledge.sessions() as session:
        today = set(session.scalars(select(SiteEvent.visitor).where(SiteEvent.day == NEXT.date())))
    assert len(today) == 1
    assert set(salts(pledge)) == {"2026-03-11"}
