"""``python -m examples.processor --db crm.sqlite --port 9100`` (secret in ``PROCESSOR_SECRET``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from examples.processor.server import Processor, make_server
from examples.processor.store import connect

DEMO = [
    ("ada@example.org", "Ada Lovelace", "+442071234567", "Analytical Engines Ltd"),
    ("grace@example.org", "Grace Hopper", "+12025550143", "Compilers Inc"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.processor", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="the CRM's SQLite file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument(
        "--callbacks", action="store_true", help="answer erase/rectify/restrict 202, call back"
    )
    parser.add_argument("--demo", action="store_true", help="add two demo contacts if empty")
    args = parser.parse_args(argv)
    secret = os.environ.get("PROCESSOR_SECRET", "")
    if not secret:
        print("error: set PROCESSOR_SECRET to the secret shared with Pledge", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    processor = Processor(args.db, secret, callbacks=args.callbacks)
    if args.demo:
        _add_demo(args.db)
    server = make_server(processor, args.host, args.port)
    print(f"listening on http://{args.host}:{server.server_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _add_demo(db: Path) -> None:
    with connect(db) as conn:
        if conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0:
            conn.executemany(
                "INSERT INTO contacts (email, name, phone, company) VALUES (?, ?, ?, ?)", DEMO
            )


if __name__ == "__main__":
    sys.exit(main())
