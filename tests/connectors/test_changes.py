"""Rectification and restriction: found rows only, declared columns only, one transaction."""

from __future__ import annotations

from sqlalchemy import select

from pledge.connectors.sql import SqlConnector
from tests.connectors import shop
from tests.connectors.conftest import Shop

ALICE = {"email": frozenset({"alice@example.com"})}


def test_rectify_sets_every_column_of_the_corrected_fields(
    shop_db: Shop, connector: SqlConnector
) -> None:
    before = shop.others(shop.snapshot(shop_db.engine))
    report = connector.rectify(
        ALICE,
        {"name": "Alice Martin-Roy", "address": "5 Place Neuve", "email": "alice@new.example"},
        idempotency_key="r1",
    )
    assert shop.others(shop.snapshot(shop_db.engine)) == before
    with shop_db.engine.connect() as conn:
        alice = conn.execute(select(shop.customer).where(shop.customer.c.id == 1)).one()
        streets = conn.execute(
            select(shop.orders.c.shipping_street).where(shop.orders.c.customer_id == 1)
        ).scalars()
        card = conn.execute(select(shop.loyalty.c.card_name).where(shop.loyalty.c.id == 1))
        ticket = conn.execute(select(shop.ticket.c.contact_email).where(shop.ticket.c.id == 1))
        assert (alice.name, alice.street, alice.email) == (
            "Alice Martin-Roy",
            "5 Place Neuve",
            "alice@new.example",
        )
        assert set(streets) == {"5 Place Neuve"}
        assert card.scalar_one() == "Alice Martin-Roy"
        assert ticket.scalar_one() == "alice@new.example"
    assert report.collections["orders"].changed == 2
    assert report.collections["orders"].fields == ["shipping_street"]
    assert report.collections["customer"].fields == ["email", "name", "street"]
    assert report.collections["wishlist"].changed == 0


def test_rectify_leaves_kept_fields_and_says_why(connector: SqlConnector) -> None:
    report = connector.rectify(ALICE, {"total": "0"}, idempotency_key="r2")
    assert report.collections["orders"].kept == {"total": "tax law"}
    assert report.collections["orders"].changed == 0


def test_restrict_flags_found_rows_where_declared(shop_db: Shop, connector: SqlConnector) -> None:
    before = shop.others(shop.snapshot(shop_db.engine))
    report = connector.restrict(ALICE, idempotency_key="s1")
    assert shop.others(shop.snapshot(shop_db.engine)) == before
    with shop_db.engine.connect() as conn:
        flag = conn.execute(select(shop.customer.c.restricted).where(shop.customer.c.id == 1))
        assert bool(flag.scalar_one()) is True
    assert (report.collections["customer"].rows, report.collections["customer"].changed) == (1, 1)
    assert (report.collections["orders"].rows, report.collections["orders"].changed) == (2, 0)
    assert connector.restrict(ALICE, idempotency_key="s1").collections["customer"].changed == 0


def _digits(value: str) -> str:
    """A stand-in for the caller's phone normalisation (E.164 digits)."""
    digits = "".join(c for c in value if c.isdigit())
    return "33" + digits[1:] if digits.startswith("0") else digits


def test_holds_compares_through_the_callers_predicate(connector: SqlConnector) -> None:
    typed = _digits("06 12 34 56 78")
    assert connector.holds(ALICE, "phone", lambda held: _digits(held) == typed)
    assert not connector.holds(ALICE, "phone", lambda held: _digits(held) == _digits("0698765432"))
    bob = {"email": frozenset({"bob@example.com"})}
    # Bob's shop record holds "+33 6 98 76 54 32": another format, the same number.
    assert connector.holds(bob, "phone", lambda held: _digits(held) == _digits("06 98 76 54 32"))
    nobody = {"email": frozenset({"zoe@example.com"})}
    assert not connector.holds(nobody, "phone", lambda _held: True)


def test_holds_reads_only_columns_of_that_field(connector: SqlConnector) -> None:
    seen: list[str] = []

    def matches(value: str) -> bool:
        seen.append(value)
        return False

    assert not connector.holds(ALICE, "address", matches)
    assert sorted(seen) == ["1 Rue Haute", "1 Rue Haute", "9 Quai Bas", "9 Quai Bas"]
