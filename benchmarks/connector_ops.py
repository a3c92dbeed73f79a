"""Export and erasure through :class:`pledge.connectors.sql.SqlConnector`, on the shop database.

Loads ``../shared/data/shop/`` (:mod:`benchmarks.shop_data`) into PostgreSQL
and MariaDB, picks random customers (a fixed seed), and for each times one
``export`` (the rows checked against the database: every order and address
of the customer, nothing else) and then one ``erase`` (one at a time, the
connector's own engine, as fulfilment calls it). Afterwards it counts, in the
database itself:

* residual: declared, non-kept fields of the erased customers still not NULL;
* collateral: other customers' rows with any declared field NULL (the data
  has no empty value, so any NULL there is an erasure that hit the wrong row),
  and rows missing.

    .venv/bin/python benchmarks/connector_ops.py                    # both, 50 customers
    .venv/bin/python benchmarks/connector_ops.py --kinds postgresql --people 200
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, and_, column, create_engine, func, not_, or_, select, table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.shop_data import load_shop, manifest, systems_yaml

from pledge.connectors.spec import SystemsFile
from pledge.connectors.sql import SqlConnector

ERASED = {
    "customer": ("name", "email", "phone", "street", "city", "postcode"),
    "orders": ("shipping_street",),
    "address": ("street", "city", "postcode"),
}


def _owner(name: str) -> Any:
    return column("id") if name == "customer" else column("customer_id")


def _pick(engine: Engine, people: int, seed: int) -> dict[int, str]:
    ids = random.Random(seed).sample(range(1, 100_001), people)
    customer = table("customer", column("id"), column("email"))
    with engine.connect() as conn:
        rows = conn.execute(select(customer.c.id, customer.c.email).where(customer.c.id.in_(ids)))
        return {int(row.id): str(row.email) for row in rows}


def _expected(engine: Engine, customer_id: int) -> dict[str, set[str]]:
    """The customer's rows per table, read directly."""
    result: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for name in ERASED:
            query = select(column("id")).select_from(table(name)).where(_owner(name) == customer_id)
            result[name] = {str(key) for key in conn.execute(query).scalars()}
    return result


def _count(engine: Engine, name: str, where: Any) -> int:
    query = select(func.count()).select_from(table(name, *(column(c) for c in ERASED[name])))
    with engine.connect() as conn:
        return int(conn.execute(query.where(where)).scalar_one())


def _residual_and_collateral(engine: Engine, erased: list[int]) -> tuple[int, int, int]:
    residual = collateral = 0
    for name, fields in ERASED.items():
        owner = _owner(name).in_(erased)
        residual += sum(_count(engine, name, and_(owner, column(f).is_not(None))) for f in fields)
        any_null = or_(*(column(f).is_(None) for f in fields))
        collateral += _count(engine, name, and_(not_(owner), any_null))
    with engine.connect() as conn:
        present = {
            name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
            for name in ERASED
        }
    missing = sum(manifest().values()) - sum(present.values())
    return residual, collateral, missing


def _quantiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    p50, p95, top = cuts[49] * 1000, cuts[94] * 1000, max(values) * 1000
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {top:6.1f} ms"


def run(kind: str, people: int, seed: int) -> None:
    """Load a fresh shop (an earlier run's erasures would count as collateral), measure."""
    started = time.perf_counter()
    url = load_shop(kind)
    print(f"\n{kind}: shop loaded in {time.perf_counter() - started:.1f} s")
    spec = SystemsFile.model_validate(yaml.safe_load(systems_yaml(kind))).systems["shop"]
    engine = create_engine(url)
    chosen = _pick(engine, people, seed)
    connector = SqlConnector("shop", spec, url)
    exports: list[float] = []
    erasures: list[float] = []
    incomplete = reported_residual = 0
    try:
        for customer_id, email in chosen.items():
            start = {"email": frozenset({email})}
            expected = _expected(engine, customer_id)
            began = time.perf_counter()
            rows = list(connector.export(start))
            exports.append(time.perf_counter() - began)
            got: dict[str, set[str]] = {name: set() for name in ERASED}
            for row in rows:
                got[row.collection].add(row.key)
            incomplete += got != expected
            began = time.perf_counter()
            report = connector.erase(start, idempotency_key=f"bench-{customer_id}")
            erasures.append(time.perf_counter() - began)
            reported_residual += report.residual
    finally:
        connector.close()
    residual, collateral, missing = _residual_and_collateral(engine, list(chosen))
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  export ({len(exports)}):  {_quantiles(exports)}  incomplete packages {incomplete}")
    print(f"  erase  ({len(erasures)}):  {_quantiles(erasures)}  reported {reported_residual}")
    print(f"  re-read: residual {residual}, collateral {collateral} rows, missing {missing} rows")
    print(f"  peak RSS {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kinds", default="postgresql,mysql")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    for kind in args.kinds.split(","):
        run(kind, args.people, args.seed)


if __name__ == "__main__":
    main()
