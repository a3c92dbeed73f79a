"""How long a verified person waits for an access package and for an erasure, on PostgreSQL.

The issue's aim: with 100,000 subjects × 10 records, p95 under 100 ms from
verification to a completed access package, and under 200 ms to a completed
erasure. Subjects are seeded through the real batch collection path
(``pledge.records.collect(..., batch=True)``), each with one entry in the
disclosure log, so the look-ups an erasure makes run against full tables.

Each measured request is made with :func:`pledge.rights.submit`; its code is
read from the outbox (decrypted with :func:`pledge.mail.read_mail`), as the
person would read it from their mail. The clock then runs from the
verification call (which fulfils inline, as in production) until:

* access: the request is completed *and* the package is in hand
  (:func:`pledge.rights.package`, which decrypts the subject's records);
* erasure: the request is completed (records deleted, key destroyed,
  recipients' notices queued, suppression written).

    .venv/bin/python benchmarks/rights_speed.py                      # 100,000 subjects
    .venv/bin/python benchmarks/rights_speed.py --subjects 20000 --workers 2
    .venv/bin/python benchmarks/rights_speed.py --reuse              # measure again, no seeding
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing
import random
import re
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.bulk import bulk_insert
from pledge.db.models import Disclosure, OutboxMessage, Record
from pledge.jobs import connect_jobs
from pledge.jobs.procrastinate_app import ensure_schema
from pledge.mail import read_mail
from pledge.records import RecordIn, collect
from pledge.records.service import find_subject_id
from pledge.rights import RequestIn, package, submit, verify
from pledge.settings import Settings
from pledge.startup import upgrade_schema

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "pledge_bench_rights"
KEY_FILE = Path(tempfile.gettempdir()) / "pledge_bench_rights.key"
"""The master key of the seeded database, kept so ``--reuse`` can open it again."""
COUNTRIES = [("FR", None), ("DE", None), ("US", "CA"), ("GB", None), ("US", "NY")]
CODE = re.compile(r"verification code is (\d{8})")


def email_of(n: int) -> str:
    return f"subject{n}@bench.example"


def phone_of(n: int) -> str:
    return f"+33 6 {n // 10**6 % 100:02d} {n // 10**4 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"


def place_of(n: int) -> tuple[str, str | None]:
    return COUNTRIES[n % len(COUNTRIES)]


def records_for(n: int, per_subject: int) -> list[RecordIn]:
    country, region = place_of(n)
    subject: dict[str, Any] = {"email": email_of(n), "phone": phone_of(n), "name": f"Subject {n}"}
    subject |= {"country": country, "region": region}
    out = []
    for i in range(per_subject):
        identification = i % 2 == 0
        out.append(
            RecordIn.model_validate(
                {
                    "subject": subject,
                    "category": "identification" if identification else "event",
                    "purpose": "respond_to_requests",
                    "source": "bench",
                    "data": {"name": f"Subject {n}", "email": email_of(n), "company": f"Co {i}"}
                    if identification
                    else {"event_name": f"Fair {i}"},
                }
            )
        )
    return out


def seed_range(args: tuple[Settings, int, int, int, int]) -> int:
    """Collect a range of subjects in batches, and log one disclosure per subject."""
    settings, start, stop, per_subject, batch_subjects = args
    pledge = Pledge(settings)
    stored = 0
    for first in range(start, stop, batch_subjects):
        people = range(first, min(stop, first + batch_subjects))
        out = collect(
            pledge,
            [r for n in people for r in records_for(n, per_subject)],
            actor="bench",
            batch=True,
        )
        stored += len(out)
        now = utcnow()
        log = [
            {
                "id": new_id(),
                "subject_id": subject_id,
                "recipient_id": "crm_providers",
                "categories": ["identification"],
                "purpose": "respond_to_requests",
                "at": now,
                "actor": "bench",
            }
            for subject_id in sorted({o.subject_id for o in out})
        ]
        with pledge.transaction() as session:
            bulk_insert(session, Disclosure.__table__, log)
    pledge.dispose()
    return stored


def settings(fresh: bool) -> Settings:
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
    if fresh:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
        admin.dispose()
        KEY_FILE.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        KEY_FILE.chmod(0o600)
    return Settings(database_url=url, master_key=KEY_FILE.read_text().strip(), smtp_url=None)


def seed(config: Settings, subjects: int, per_subject: int, workers: int) -> float:
    step = -(-subjects // workers)
    jobs = [
        (config, lo, min(subjects, lo + step), per_subject, 100) for lo in range(0, subjects, step)
    ]
    began = time.perf_counter()
    if workers == 1:
        stored = sum(map(seed_range, jobs))
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            stored = sum(pool.map(seed_range, jobs))
    elapsed = time.perf_counter() - began
    print(f"{'seeded':<28}{stored:,} records for {subjects:,} subjects in {elapsed:.0f} s")
    return elapsed


def mailed_code(pledge: Pledge, email: str) -> str:
    """The newest code in the outbox, decrypted as the person's mail client would show it."""
    with pledge.sessions() as session:
        messages = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "rights_code")
            .order_by(OutboxMessage.created_at.desc())
            .limit(5)
        ).all()
        for message in messages:
            mail = read_mail(pledge.keys, message)
            found = CODE.search(mail.body)
            if mail.to == email and found:
                return found.group(1)
    raise AssertionError("no code in the outbox")


def one_request(pledge: Pledge, n: int, kind: str) -> float:
    """Submit, read the code, then time verification until the answer is in hand (ms)."""
    country, region = place_of(n)
    body = RequestIn(
        type=kind, email=email_of(n), country=country, region=region, match={"phone": phone_of(n)}
    )
    asked = submit(pledge, body)
    code = mailed_code(pledge, email_of(n))
    began = time.perf_counter()
    done = verify(pledge, asked.id, asked.token, code)
    if kind == "access":
        data = package(pledge, asked.id, asked.token)
        assert sum(len(c["records"]) for c in data["categories"]) > 0, data
    elapsed = (time.perf_counter() - began) * 1000
    assert done.status == "completed", done.model_dump_json()[:500]
    if kind == "erasure":
        assert done.result["key_destroyed"], done.result
    return elapsed


def still_held(pledge: Pledge, candidates: list[int]) -> list[int]:
    """Drop subjects an earlier run (``--reuse``) already erased."""
    with pledge.sessions() as session:
        return [n for n in candidates if find_subject_id(session, pledge.keys, email_of(n))]


def measure(label: str, run: Callable[[int], float], subjects: list[int]) -> dict[str, float]:
    run(subjects[0])  # warm caches and connections; not counted
    timings = sorted(run(n) for n in subjects[1:])
    p50 = statistics.median(timings)
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"{label:<28}p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {timings[-1]:6.1f} ms"
        f"   ({len(timings)} requests)"
    )
    return {"p50": p50, "p95": p95}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--records-per-subject", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200, help="of each type")
    parser.add_argument("--workers", type=int, default=2, help="seeding processes")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    args = parser.parse_args()

    config = settings(fresh=not args.reuse)
    pledge = Pledge(config)
    upgrade_schema(pledge)
    ensure_schema(pledge)  # as `pledge worker` does: mail delivery jobs are deferred, not lost
    connect_jobs(pledge)  # as the web app does: a commit that queued mail defers a delivery job
    if not args.reuse:
        seed(config, args.subjects, args.records_per_subject, args.workers)
        autocommit = pledge.engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
    with pledge.sessions() as session:
        held = session.scalar(select(func.count()).select_from(Record))
    print(f"{'records held':<28}{held:,} (PostgreSQL, {args.subjects:,} subjects seeded)")
    picked = still_held(pledge, random.sample(range(args.subjects), 3 * (args.requests + 1)))
    half = args.requests + 1
    assert len(picked) >= 2 * half, "too few subjects left: seed again"
    access, erasure = picked[:half], picked[half : 2 * half]
    measure("access (verify→package)", lambda n: one_request(pledge, n, "access"), access)
    measure("erasure (verify→completed)", lambda n: one_request(pledge, n, "erasure"), erasure)
    pledge.dispose()


if __name__ == "__main__":
    main()
