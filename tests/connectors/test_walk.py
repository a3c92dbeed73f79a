"""The walk: identities, references (down, and up to a person's record), set-based hops."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from pledge.connectors.graph import AmbiguousPerson, walk
from pledge.connectors.spec import SystemSpec
from pledge.connectors.sql import SqlConnector
from tests.connectors import shop
from tests.connectors.conftest import Shop
from tests.connectors.statements import recorded

ALICE = {"email": frozenset({"alice@example.com"})}


def _keys(connector: SqlConnector, start: dict[str, frozenset[str]]) -> dict[str, set[object]]:
    with connector.engine.connect() as conn:
        found = walk(connector.schema, conn, start)
    return {name: {int(str(k)) for k in keys} for name, keys in found.keys.items() if keys}


def test_email_reaches_children_and_collections_keyed_by_found_identity(
    connector: SqlConnector,
) -> None:
    # loyalty has no reference: it is reached by the customer id the walk found.
    assert _keys(connector, ALICE) == shop.ALICE_KEYS


def test_old_email_on_a_ticket_leads_up_to_the_customer_and_down_again(
    connector: SqlConnector,
) -> None:
    assert _keys(connector, {"email": frozenset({"alice.old@example.com"})}) == shop.ALICE_KEYS


def test_identities_found_on_the_way(connector: SqlConnector) -> None:
    found = connector.identities({"phone": frozenset({"+33612345678"})})
    assert found == {
        "phone": frozenset({"+33612345678"}),
        "email": frozenset({"alice@example.com", "alice.old@example.com"}),
        "shop_customer_id": frozenset({"1"}),
    }


def test_an_identity_kind_from_another_system_finds_rows(connector: SqlConnector) -> None:
    assert _keys(connector, {"shop_customer_id": frozenset({"2"})}) == {
        "customer": {2},
        "ticket": {2},
        "orders": {20},
        "address": {2},
        "loyalty": {2},
    }


def test_unknown_person_finds_nothing(connector: SqlConnector) -> None:
    assert _keys(connector, {"email": frozenset({"zoe@example.com"})}) == {}
    assert connector.identities({"email": frozenset({"zoe@example.com"})}) == {
        "email": frozenset({"zoe@example.com"})
    }


def test_queries_do_not_grow_with_the_persons_rows(shop_db: Shop) -> None:
    """One query per collection per hop, whatever the number of rows reached."""
    connector = shop_db.connector()
    try:
        with recorded(connector) as few:
            connector.identities(ALICE)
        shop.build(shop_db.engine, extra_orders=2500)
        with recorded(connector) as many:
            found = connector.identities(ALICE)
        assert found["shop_customer_id"] == frozenset({"1"})
        selects = [s for s in many if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == len([s for s in few if s.lstrip().upper().startswith("SELECT")])
        assert len(selects) <= 2 * len(shop.SPEC_DATA["collections"])
    finally:
        connector.close()


def test_more_identities_than_one_statement_takes(connector: SqlConnector) -> None:
    """2,501 e-mail addresses: the IN lists are cut in chunks of 1,000."""
    many = frozenset({f"x{i}@example.com" for i in range(2500)} | {"alice@example.com"})
    with recorded(connector) as statements:
        assert _keys(connector, {"email": many}) == shop.ALICE_KEYS
    customer_by_email = [s for s in statements if "customer.email IN" in s]
    # 1,000 + 1,000 + 501 in the first hop; addresses found on the way are not searched again.
    assert len(customer_by_email) == 3


def test_a_shared_phone_never_leads_to_the_neighbour(connector: SqlConnector) -> None:
    """Dave shares Alice's phone: Alice's walk does not reach him, and the phone alone
    cannot tell which of them asks."""
    with connector.engine.begin() as conn:
        conn.execute(
            shop.customer.insert(),
            {"id": 9, "email": "dave@example.com", "name": "Dave", "phone": "+33612345678"},
        )
        conn.execute(shop.orders.insert(), [dict(shop.ROWS["orders"][0], id=90, customer_id=9)])
    assert _keys(connector, ALICE) == shop.ALICE_KEYS
    with pytest.raises(AmbiguousPerson):
        connector.identities({"phone": frozenset({"+33612345678"})})
    report = connector.erase(ALICE, idempotency_key="k")
    assert report.residual == 0
    with connector.engine.connect() as conn:
        dave = conn.execute(select(shop.customer.c.name).where(shop.customer.c.id == 9))
        assert dave.scalar_one() == "Dave"


def test_a_shared_parent_is_never_climbed(tmp_path: Path) -> None:
    """Ann and Bob live in one household: Ann's rows never lead to Bob's."""
    url = f"sqlite:///{tmp_path / 'homes.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE household (id INTEGER PRIMARY KEY, label TEXT)"))
        conn.execute(
            text(
                "CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT, name TEXT, "
                "household_id INTEGER REFERENCES household(id))"
            )
        )
        conn.execute(text("INSERT INTO household VALUES (1, 'The Lees')"))
        conn.execute(text("INSERT INTO person VALUES (1, 'ann@example.com', 'Ann', 1)"))
        conn.execute(text("INSERT INTO person VALUES (2, 'bob@example.com', 'Bob', 1)"))
    engine.dispose()
    spec = SystemSpec.model_validate(
        {
            "kind": "sqlite",
            "url_env": "HOMES_URL",
            "collections": {
                "household": {
                    "primary_key": "id",
                    "fields": {"label": {"category": "identification"}},
                },
                "person": {
                    "primary_key": "id",
                    "identity": {"email": "email"},
                    "references": {"household_id": "household.id"},
                    "fields": {"name": {"category": "identification"}},
                },
            },
        }
    )
    connector = SqlConnector("homes", spec, url)
    try:
        rows = list(connector.export({"email": frozenset({"ann@example.com"})}))
        assert [(r.collection, r.key) for r in rows] == [("person", "1")]
        connector.rectify(
            {"email": frozenset({"ann@example.com"})}, {"name": "Ann Lee"}, idempotency_key="k"
        )
        with connector.engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM person ORDER BY id")).scalars().all()
        assert names == ["Ann Lee", "Bob"]
    finally:
        connector.close()
