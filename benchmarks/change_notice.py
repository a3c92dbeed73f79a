"""Queue a material policy-change notice to N people and time it (issue #13 item 6).

Seeds N people with an e-mail address through the batch collection path (not
timed), starts the bundled policy with identification data kept five years
instead of two (a material change), then times ``send_change_notices``: every
mail encrypted and queued in the outbox, each recorded in
``policy_change_mails``. Prints the seconds, mails per second and peak memory.

    .venv/bin/python benchmarks/change_notice.py --db postgresql --people 100000
"""

from __future__ import annotations

import argparse
import base64
import resource
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from pledge.announcements import send_change_notices
from pledge.core import Pledge
from pledge.db.models import Delivery, PolicyChangeMail
from pledge.policy import bundled_policy_path
from pledge.records import RecordIn, collect
from pledge.settings import Settings
from pledge.startup import upgrade_schema

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "pledge_bench_notice"
SEED_BATCH = 2000


def make_settings(db: str) -> Settings:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    if db == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return Settings(database_url=f"sqlite:///{path}", master_key=key)
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    admin.dispose()
    return Settings(database_url=PG_ADMIN.rsplit("/", 1)[0] + "/" + BENCH_DB, master_key=key)


def record(n: int) -> RecordIn:
    email = f"person{n}@bench.example"
    return RecordIn.model_validate(
        {
            "subject": {"email": email, "country": "FR", "name": f"Person {n}"},
            "category": "identification",
            "purpose": "respond_to_requests",
            "source": "bench",
            "data": {"name": f"Person {n}", "email": email},
        }
    )


def seed(pledge: Pledge, people: int) -> None:
    for first in range(0, people, SEED_BATCH):
        batch = [record(n) for n in range(first, min(people, first + SEED_BATCH))]
        collect(pledge, batch, actor="bench", batch=True)


def material_policy() -> Path:
    text_ = (
        bundled_policy_path()
        .read_text()
        .replace("      duration: P2Y\n", "      duration: P5Y\n", 1)
    )
    path = Path(tempfile.mkdtemp()) / "policy-v2.yaml"
    path.write_text(text_)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=None, help="PLEDGE_POLICY_NOTICE_BATCH")
    args = parser.parse_args()

    settings = make_settings(args.db)
    first = Pledge(settings)
    upgrade_schema(first)
    started = time.perf_counter()
    seed(first, args.people)
    print(f"seeded {args.people} people in {time.perf_counter() - started:.1f} s (not timed)")
    first.dispose()

    changed = Pledge(settings.model_copy(update={"policy": material_policy()}))
    upgrade_schema(changed)  # publishes version 2: material (identification kept longer)
    started = time.perf_counter()
    queued = send_change_notices(changed, batch=args.batch)
    elapsed = time.perf_counter() - started
    with changed.sessions() as session:
        recorded = session.scalar(select(func.count()).select_from(PolicyChangeMail))
        mails = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.template == "policy_change")
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    batch = args.batch or changed.settings.policy_notice_batch
    print(
        f"queued {queued} change notices in {elapsed:.1f} s ({queued / elapsed:,.0f}/s), "
        f"batch {batch}, {recorded} recorded, {mails} in the outbox, peak RSS {peak_mb:.0f} MB"
    )
    changed.dispose()


if __name__ == "__main__":
    main()
