"""Fault injection on PostgreSQL: fixtures for killed workers, receivers and a child process.

Every test here runs on PostgreSQL only (``db_url`` is overridden), since that
is where several workers share the outbox and a killed process leaves another
to finish its work. The child process (:mod:`tests.faults.child`) is a real
Pledge process with the same settings; the test SIGKILLs it at a chosen point.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from pledge.core import Pledge
from pledge.db.models import AuditEntry
from pledge.policy import load_policy
from pledge.policy.loader import bundled_policy_path
from pledge.startup import register_policy_version
from tests.integration.http_server import running_http_server

ROOT = Path(__file__).resolve().parents[2]
HOOKED = "crm_providers"
"""The processor of the bundled policy that gets a webhook for its erasure notices."""


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only: the run's database (skipped when no server answers)."""
    return str(request.getfixturevalue("postgres_url"))


@dataclass
class Receiver:
    """A webhook receiver; ``answers`` are used in turn (then ``default``).

    Every POST is kept in ``posts`` with the status it got, so a test can
    tell acknowledged deliveries (2xx) from refused ones.
    """

    url: str
    answers: list[int] = field(default_factory=list)
    default: int = 204
    flapping: str | None = None
    """Fail every other POST, starting with the first: ``"503"`` answers 503, ``"drop"``
    reads the POST and closes the connection without an answer."""
    on_post: Callable[[int], object] | None = None
    """Called with each POST's number (from 1) before it is answered."""
    posts: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        if self.answers:
            return self.answers.pop(0)
        if self.flapping and len(self.posts) % 2 == 0:
            return 0 if self.flapping == "drop" else 503
        return self.default

    def acknowledged(self) -> list[str]:
        """The ``X-Pledge-Delivery`` ids of the POSTs answered 2xx, in arrival order."""
        with self.lock:
            return [p["delivery"] for p in self.posts if 200 <= p["status"] < 300]

    def all_ids(self) -> list[str]:
        with self.lock:
            return [p["delivery"] for p in self.posts]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if receiver.on_post is not None:
                receiver.on_post(len(receiver.posts) + 1)
            with receiver.lock:
                status = receiver.answer()
                receiver.posts.append(
                    {
                        "path": self.path,
                        "status": status,
                        "delivery": self.headers.get("x-pledge-delivery", ""),
                        "body": body,
                    }
                )
            if status == 0:  # dropped: the body arrived, no answer goes back
                self.close_connection = True
                return
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_http_server() as (server, base):
        server.daemon_threads = True
        found = Receiver(url=f"{base}/hook")
        server.RequestHandlerClass = _handler(found)
        yield found


@pytest.fixture
def hooked_policy(receiver: Receiver, tmp_path: Path) -> Path:
    """The bundled policy with a webhook for ``crm_providers``' notices."""
    data = yaml.safe_load(bundled_policy_path().read_text(encoding="utf-8"))
    (recipient,) = [r for r in data["recipients"] if r["id"] == HOOKED]
    recipient["webhook_url"] = receiver.url
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def hooked(mailer: Pledge, hooked_policy: Path) -> Iterator[Pledge]:
    """The mailing Pledge (real SMTP server) under the hooked policy."""
    mailer.settings.policy = hooked_policy
    variant = Pledge(mailer.settings, policy=load_policy(hooked_policy))
    register_policy_version(variant)
    try:
        yield variant
    finally:
        variant.dispose()


def child_environment(pledge: Pledge, **extra: str) -> dict[str, str]:
    """The parent's settings as ``PLEDGE_*`` variables, for a child Pledge process."""
    settings = pledge.settings
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PLEDGE_", "FAULT_"))}
    environ |= {
        "PLEDGE_DATABASE_URL": settings.database_url,
        "PLEDGE_MASTER_KEY": settings.master_key or "",
        "PLEDGE_DELIVERY_LEASE_SECONDS": str(settings.delivery_lease_seconds),
        "PLEDGE_WEBHOOK_DEADLINE_SECONDS": str(settings.webhook_deadline_seconds),
        "PYTHONPATH": str(ROOT),
    }
    if settings.smtp_url:
        environ["PLEDGE_SMTP_URL"] = settings.smtp_url
        environ["PLEDGE_SMTP_FROM"] = settings.smtp_from
    if settings.policy:
        environ["PLEDGE_POLICY"] = str(settings.policy)
    return environ | extra


@dataclass(frozen=True)
class ChildRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def killed(self) -> bool:
        return self.returncode == -9


def run_child(pledge: Pledge, *args: str, kill: str = "", trace: Path | None = None) -> ChildRun:
    """Run ``tests.faults.child`` to completion or to its SIGKILL."""
    extra = {"FAULT_KILL": kill}
    if trace is not None:
        extra["FAULT_TRACE"] = str(trace)
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.child", *args],
        env=child_environment(pledge, **extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return ChildRun(done.returncode, done.stdout, done.stderr)


def audit_count(pledge: Pledge, action: str, object_id: str | None = None) -> int:
    with pledge.sessions() as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        return int(session.scalar(query) or 0)
