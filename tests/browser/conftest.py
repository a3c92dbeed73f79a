"""The real app under uvicorn in a thread, and Debian's Chromium driven by Playwright.

Nothing downloads a browser: Playwright launches ``/usr/bin/chromium``; the
tests are skipped cleanly when it is not installed.
"""

from __future__ import annotations

import base64
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pledge.core import Pledge
from pledge.jobs.inprocess import InProcessRunner
from pledge.settings import Settings
from pledge.startup import upgrade_schema
from pledge.web.app import create_app
from tests.integration.smtp_server import SmtpServer, running_smtp_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveApp:
    pledge: Pledge
    url: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(pledge: Pledge, port: int) -> Iterator[str]:
    """The real app of ``pledge`` under uvicorn in a thread, on ``port``; yields its URL."""
    import uvicorn

    config = uvicorn.Config(
        create_app(pledge), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """Pledge on a temporary SQLite database, served on a free loopback port."""
    db = tmp_path_factory.mktemp("browser") / "pledge.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    pledge = Pledge(Settings(database_url=f"sqlite:///{db}", master_key=key))
    upgrade_schema(pledge)
    try:
        with serving(pledge, _free_port()) as url:
            yield LiveApp(pledge, url)
    finally:
        pledge.dispose()


@dataclass
class MailingApp(LiveApp):
    """A live app whose mail reaches a real SMTP server, sent by its in-process job runner."""

    smtp: SmtpServer


@pytest.fixture(scope="module")
def mailing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailingApp]:
    """Pledge as ``pledge serve`` runs it: jobs in-process, mail over SMTP, links to itself.

    ``PLEDGE_BASE_URL`` is the served address, so the links in the mail open this app.
    """
    db = tmp_path_factory.mktemp("browser-mail") / "pledge.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    port = _free_port()
    with running_smtp_server() as smtp:
        settings = Settings(
            database_url=f"sqlite:///{db}",
            master_key=key,
            smtp_url=smtp.url,
            smtp_from="Privacy Team <privacy@pledge.example>",
            base_url=f"http://127.0.0.1:{port}",
            intake_limit_per_ip=1000,  # every journey comes from 127.0.0.1
        )
        pledge = Pledge(settings)
        upgrade_schema(pledge)
        runner = InProcessRunner(pledge)
        runner.start()
        try:
            with serving(pledge, port) as url:
                yield MailingApp(pledge, url, smtp)
        finally:
            runner.stop()
            pledge.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile per test: no cookies, no earlier choice."""
    ctx = browser.new_context()
    try:
        yield ctx
    finally:
        ctx.close()
