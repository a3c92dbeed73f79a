"""Time each HTTP system action through HttpConnector against the example CRM (issue #14 item 4).

Seeds the example processor's SQLite file with N contacts (two notes each),
serves it on a loopback port in a thread, then for 50 random contacts times
``identities`` (to a fixpoint), ``export`` and ``erase`` (the processor's work,
then Pledge's re-read) one at a time, and prints p50/p95 per action. It measures
the connector and the protocol's round trips, not a real processor's speed.

    PYTHONPATH=. .venv/bin/python benchmarks/http_connector.py --contacts 100000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from examples.processor import Processor, connect, make_server

from pledge.connectors.http import HttpConnector
from pledge.connectors.spec import SystemsFile

T = TypeVar("T")
SECRET = "b" * 40
SPEC = {
    "kind": "http",
    "url_env": "CRM_URL",
    "secret_env": "CRM_SECRET",
    "collections": {
        "contacts": {
            "primary_key": "id",
            "identity": {"email": "email", "phone": "phone", "crm_contact_id": "id"},
            "fields": {
                "email": {"category": "identification"},
                "name": {"category": "identification"},
                "phone": {"category": "contact_details"},
            },
        },
        "notes": {
            "primary_key": "id",
            "references": {"contact_id": "contacts.id"},
            "fields": {"text": {"category": "correspondence", "erase": "delete"}},
        },
    },
}


def seed(db: Path, contacts: int) -> None:
    with connect(db) as conn:
        conn.executemany(
            "INSERT INTO contacts (id, email, name, phone, company) VALUES (?, ?, ?, ?, ?)",
            (
                (i, f"p{i}@example.org", f"Person {i}", f"+4420{i:08d}", "Co")
                for i in range(1, contacts + 1)
            ),
        )
        conn.executemany(
            "INSERT INTO notes (contact_id, text) VALUES (?, ?)",
            ((i, f"note {n}") for i in range(1, contacts + 1) for n in range(2)),
        )


def timed(runs: list[float], call: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = call()
    runs.append((time.perf_counter() - started) * 1000)
    return result


def one_person(connector: HttpConnector, i: int, times: dict[str, list[float]]) -> int:
    """Time the three actions for contact ``i``; the erasure's residual."""
    start = {"email": frozenset({f"p{i}@example.org"})}
    found = timed(times["identities"], lambda: connector.identities(start))
    timed(times["export"], lambda: list(connector.export(found)))
    return timed(times["erase"], lambda: connector.erase(found, idempotency_key=f"e{i}")).residual


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp()) / "crm.sqlite"
    processor = Processor(db, SECRET)
    seed(db, args.contacts)
    server = make_server(processor)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    spec = SystemsFile.model_validate({"systems": {"crm": SPEC}}).systems["crm"]
    connector = HttpConnector("crm", spec, f"http://127.0.0.1:{server.server_port}/", SECRET)
    chosen = random.sample(range(1, args.contacts + 1), args.requests)
    times: dict[str, list[float]] = {"identities": [], "export": [], "erase": []}
    residual = sum(one_person(connector, i, times) for i in chosen)
    server.shutdown()
    for action, runs in times.items():
        cuts = statistics.quantiles(runs, n=20)
        print(f"{action:10} p50 {statistics.median(runs):6.1f} ms  p95 {cuts[18]:6.1f} ms")
    print(f"residual after {args.requests} erasures: {residual}")


if __name__ == "__main__":
    main()
