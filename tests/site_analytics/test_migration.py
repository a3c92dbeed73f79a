"""Migration 0028 on both databases: pseudonyms and visitor counts come, and go on downgrade.

Aggregates rolled up before 0028 counted page views, not people: they come out of the
upgrade with ``visitors`` 0 and are no longer published; page views stored before it have
no pseudonym and count no visitor.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import inspect

from pledge.core import Pledge
from pledge.db.migrate import downgrade, upgrade
from pledge.site_analytics import published

DAY = date(2026, 3, 10)
OLD_AGGREGATES = sa.table(
    "site_aggregates",
    *(sa.column(name) for name in ("id", "dimension", "key", "events", "seconds")),
    sa.column("day", sa.Date()),
)


def columns(pledge: Pledge, table: str) -> set[str]:
    return {c["name"] for c in inspect(pledge.engine).get_columns(table)}


def test_0028_upgrades_and_downgrades(pledge: Pledge) -> None:
    assert "visitor" in columns(pledge, "site_events")
    assert "visitors" in columns(pledge, "site_aggregates")
    assert "site_salts" in inspect(pledge.engine).get_table_names()
    downgrade(pledge.engine, "0027_recruiting")
    assert "visitor" not in columns(pledge, "site_events")
    assert "visitors" not in columns(pledge, "site_aggregates")
    assert "site_salts" not in inspect(pledge.engine).get_table_names()
    with pledge.engine.begin() as connection:
        connection.execute(
            OLD_AGGREGATES.insert().values(
                id="a-old", day=DAY, dimension="pages", key="/old", events=50, seconds=500
            )
        )
    upgrade(pledge.engine)
    with pledge.engine.connect() as connection:
        visitors = connection.execute(
            sa.text("select visitors from site_aggregates where id = 'a-old'")
        ).scalar_one()
    assert visitors == 0
    shown = published(pledge, DAY, DAY).dimensions
    assert shown["pages"] == []  # 50 page views, but no proof of k people
