"""Sustained ``POST /api/v1/consents`` from a loopback load generator.

Starts ``pledge serve --no-worker`` (one process, its own GIL) on a free
loopback port over PostgreSQL, then sends requests at a fixed rate for
a bounded time from several threads with keep-alive connections and reports
the achieved rate and latency percentiles. Loopback only; bounded.

    .venv/bin/python benchmarks/consent_load.py --rate 500 --seconds 20
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "pledge_bench_consent_load"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database: str, workers: int = 1) -> tuple[str, str, subprocess.Popen[bytes]]:
    """``pledge serve`` in its own process (the load generator must not share its GIL)."""
    from pledge.access import create_api_key
    from pledge.core import Pledge
    from pledge.settings import Settings

    key = base64.b64encode(secrets.token_bytes(32)).decode()
    if database == "postgresql":
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
        admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
    else:
        url = "sqlite:////tmp/pledge_consent_load.db"
    pledge = Pledge(Settings(database_url=url, master_key=key))
    pledge.upgrade_schema()
    api_key = create_api_key(pledge, name="load", role="system")[1]
    pledge.dispose()
    port = _free_port()
    env = {**os.environ, "PLEDGE_DATABASE_URL": url, "PLEDGE_MASTER_KEY": key}
    pledge_cmd = Path(sys.executable).with_name("pledge")
    process = subprocess.Popen(
        [
            str(pledge_cmd),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-worker",
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base, api_key, process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("pledge serve did not start")


def body(n: int) -> dict[str, object]:
    country = ("FR", "US", "GB", "DE")[n % 4]
    return {
        "subject": {"email": f"load{n % 20000}@bench.example", "country": country},
        "purpose": "marketing",
        "channel": ("email", "post", "phone")[n % 3],
        "granted": n % 5 != 0,
        "method": "web_form",
        "evidence": {"ip": "198.51.100.23", "user_agent": "bench/1.0"},
    }


def run(base: str, api_key: str, rate: int, seconds: float, threads: int) -> None:
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    local = threading.local()

    def one(n: int) -> None:
        nonlocal errors
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {api_key}"}, timeout=10
            )
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        began = time.perf_counter()
        response = client.post("/api/v1/consents", json=body(n))
        took = time.perf_counter() - began
        with lock:
            latencies.append(took)
            errors += response.status_code != 201

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(total)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    p = {q: latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))] for q in (50, 95, 99)}
    print(
        f"{total} requests in {elapsed:.1f} s = {total / elapsed:.0f} rps (target {rate}); "
        f"errors {errors}; p50 {p[50] * 1000:.1f} ms, p95 {p[95] * 1000:.1f} ms, "
        f"p99 {p[99] * 1000:.1f} ms, mean {statistics.mean(latencies) * 1000:.1f} ms"
    )


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
local n = 0
local countries = {"FR", "US", "GB", "DE"}
local channels = {"email", "post", "phone"}
request = function()
  n = n + 1
  local body = string.format(
    '{"subject":{"email":"load%%d@bench.example","country":"%%s"},"purpose":"marketing",'
    .. '"channel":"%%s","granted":%%s,"method":"web_form",'
    .. '"evidence":{"ip":"198.51.100.23","user_agent":"bench/1.0"}}',
    n %% 20000, countries[n %% 4 + 1], channels[n %% 3 + 1], tostring(n %% 5 ~= 0))
  return wrk.format(nil, "/api/v1/consents", nil, body)
end
"""


def run_wrk(base: str, api_key: str, seconds: float, connections: int) -> None:
    """``wrk`` (C, its own thread): as many requests as the server takes, latency percentiles."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % api_key)
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
        command += ["-s", script.name, base]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    print(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=1, help="pledge serve --workers")
    parser.add_argument(
        "--generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="wrk when installed (auto), else the Python threads at a fixed rate",
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    args = parser.parse_args()
    base, api_key, process = start_server(args.db, args.workers)
    seconds = min(args.seconds, 20)
    use_wrk = args.generator == "wrk" or (args.generator == "auto" and shutil.which("wrk"))
    try:
        if use_wrk:
            run_wrk(base, api_key, seconds, args.connections)
        else:
            run(base, api_key, min(args.rate, 5000), seconds, args.threads)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
