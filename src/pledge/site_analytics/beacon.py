"""One page view from the beacon: checked whole, turned into log data, stored without the IP.

The caller's IP address becomes a country here and goes no further: it is
not stored, not audited and not logged. The path is kept with its tokens,
ids and addresses replaced by placeholders (:mod:`.paths`). The user agent becomes families
(:mod:`pledge.site_analytics.agents`); the referrer, search terms or nothing.
No visitor or cookie id is accepted from the browser. The server derives a
pseudonym valid for one UTC day from the address and user agent
(:mod:`pledge.site_analytics.visitors`) so that aggregates count people, not
page views; it links a visitor's page views of one day and no further.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import SiteEvent
from pledge.errors import NotFound
from pledge.site_analytics.agents import describe
from pledge.site_analytics.geo import country_of
from pledge.site_analytics.paths import generalise
from pledge.site_analytics.referrers import search_terms
from pledge.site_analytics.visitors import pseudonym, salt_of

FormId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
MAX_SECONDS = 86_400


class BeaconIn(BaseModel):
    """``POST /api/v1/beacon``: one page view, sent once when the page is left."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(
        pattern=r"^/[^\s?#]*$",
        max_length=300,
        description="The page's path, without query or fragment.",
    )
    referrer: str | None = Field(
        default=None,
        max_length=2000,
        description="The referrer when it is another site's; read for search terms, never kept.",
    )
    landing: bool = Field(description="The first page of a visit (no referrer from this site).")
    forms: list[FormId] = Field(default=[], max_length=20, description="Ids of forms used.")
    seconds: int = Field(ge=0, le=MAX_SECONDS, description="Time on the page, in seconds.")
    language: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$",
        max_length=35,
        description="``navigator.language``.",
    )
    screen: Literal["small", "medium", "large"] | None = Field(
        default=None, description="Screen width class: under 768, under 1280, or wider."
    )
    do_not_track: bool = Field(default=False, description="The browser's Do Not Track setting.")


def record_page_view(
    pledge: Pledge,
    view: BeaconIn,
    *,
    ip: str | None,
    user_agent: str | None,
    now: datetime | None = None,
) -> None:
    """Store ``view`` as log data; 404 when the policy declares none."""
    if pledge.policy.log_data is None:
        raise NotFound("this site keeps no log data")
    when = now or utcnow()
    agent = describe(user_agent)
    search = search_terms(view.referrer)
    day = when.date()
    row = SiteEvent(
        id=new_id(),
        occurred_at=when,
        day=day,
        path=generalise(view.path),
        landing=view.landing,
        search_engine=search[0] if search else None,
        search_terms=search[1] if search else None,
        forms=sorted(set(view.forms)),
        seconds=view.seconds,
        country=country_of(ip),
        browser_family=agent.browser_family,
        browser_major=agent.browser_major,
        os_family=agent.os_family,
        device_class=agent.device_class,
        language=view.language,
        screen_class=view.screen,
        do_not_track=view.do_not_track,
    )
    with pledge.transaction() as session:
        row.visitor = pseudonym(salt_of(session, day), ip, user_agent)
        session.add(row)
