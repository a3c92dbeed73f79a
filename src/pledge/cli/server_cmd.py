"""``pledge init``, ``pledge serve`` and ``pledge worker``."""

from __future__ import annotations

from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors, configure_logging, fail
from pledge.startup import upgrade_schema


def init() -> None:
    """Create or upgrade the schema at PLEDGE_DATABASE_URL (idempotent)."""
    with cli_errors():
        pledge = build_pledge()
        try:
            upgrade_schema(pledge)
        finally:
            pledge.dispose()
    typer.echo("schema is up to date")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not process background jobs in this process.")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Web server processes (each with its own GIL and pool).")
    ] = 1,
) -> None:
    """Serve the web app and API; upgrades the schema first and runs jobs in-process.

    With ``--workers N`` above 1, uvicorn starts N processes that each build
    the app from the environment (:mod:`pledge.web.asgi`); the schema upgrade
    and the background job runner stay in this parent process.
    """
    import uvicorn

    from pledge.jobs.embedded import embedded_worker
    from pledge.web.app import create_app, freeze_startup_objects
    from pledge.web.log_config import LOG_CONFIG

    configure_logging()
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        _ = pledge.policy
    with embedded_worker(pledge, enabled=not no_worker):
        if workers == 1:
            app = create_app(pledge)
            freeze_startup_objects()
            uvicorn.run(app, host=host, port=port, log_level="info", log_config=LOG_CONFIG)
        else:
            uvicorn.run(
                "pledge.web.asgi:create",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="info",
                log_config=LOG_CONFIG,
            )


def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs processed at once.")] = 1,
) -> None:
    """Process background jobs from PostgreSQL; run as many as you like, on any machine."""
    from pledge.cli.worker import SQLITE_REFUSAL, worker_command

    configure_logging()
    with cli_errors():
        pledge = build_pledge()
        if pledge.settings.is_sqlite:
            fail(SQLITE_REFUSAL)
        upgrade_schema(pledge)
        worker_command(pledge, concurrency)
