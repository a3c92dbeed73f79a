"""What the connector makes of a declaration before any database is asked (no server needed)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest

from pledge.connectors.base import SystemMisdeclared
from pledge.connectors.normalise import json_value
from pledge.connectors.spec import SystemSpec
from pledge.connectors.sql_tables import build_schema


def _spec(collections: dict[str, Any]) -> SystemSpec:
    return SystemSpec.model_validate(
        {"kind": "sqlite", "url_env": "DB_URL", "collections": collections}
    )


def test_children_are_erased_before_their_parents() -> None:
    spec = _spec(
        {
            "customer": {"primary_key": "id"},
            "line": {"primary_key": "id", "references": {"order_id": "orders.id"}},
            "orders": {"primary_key": "id", "references": {"customer_id": "customer.id"}},
        }
    )
    order = [c.name for c in build_schema("s", spec).erase_order()]
    assert order == ["line", "orders", "customer"]


def test_a_reference_cycle_keeps_the_files_order() -> None:
    spec = _spec(
        {
            "a": {"primary_key": "id", "references": {"b_id": "b.id"}},
            "b": {"primary_key": "id", "references": {"a_id": "a.id", "parent": "b.id"}},
        }
    )
    assert [c.name for c in build_schema("s", spec).erase_order()] == ["a", "b"]


def test_a_reference_to_an_undeclared_collection_is_refused() -> None:
    spec = _spec({"orders": {"primary_key": "id", "references": {"customer_id": "customer.id"}}})
    with pytest.raises(SystemMisdeclared, match=r"s\.orders\.references\.customer_id"):
        build_schema("s", spec)


def test_only_declared_columns_exist_in_the_statements_built() -> None:
    spec = _spec(
        {
            "customer": {
                "primary_key": "id",
                "identity": {"email": "email"},
                "fields": {"name": {"category": "identification"}},
                "restriction": {"column": "frozen"},
            },
            "orders": {"primary_key": "id", "references": {"customer_id": "customer.id"}},
        }
    )
    schema = build_schema("s", spec)
    assert list(schema.collections["customer"].table.c.keys()) == ["id", "email", "name", "frozen"]
    with pytest.raises(KeyError):
        schema.collections["customer"].col("internal_note")


def test_values_become_json_ready() -> None:
    assert json_value(Decimal("19.90")) == "19.90"
    assert json_value(dt.datetime(2024, 3, 1, 12, 30, 5)) == "2024-03-01T12:30:05"
    assert json_value(dt.date(2024, 3, 1)) == "2024-03-01"
    assert json_value(b"\x00\x01") == "base64:AAE="
    assert json_value(memoryview(b"\x00\x01")) == "base64:AAE="
    assert json_value(math.nan) == "nan"
    assert [json_value(v) for v in (None, True, 3, 2.5, "x")] == [None, True, 3, 2.5, "x"]
