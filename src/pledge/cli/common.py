"""What every command shares: building the Pledge object and reporting errors."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from pledge.core import Pledge
from pledge.errors import PledgeError
from pledge.jobs import connect_jobs
from pledge.policy import PolicyError
from pledge.settings import Settings
from pledge.startup import upgrade_schema
from pledge.web.log_config import LOG_CONFIG


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn Pledge's errors into a one-line message and a non-zero exit, never a traceback."""
    try:
        yield
    except PolicyError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        fail("the policy is not valid")
    except PledgeError as exc:
        details = "".join(f"\n  {k}: {v}" for k, v in exc.fields.items())
        fail(exc.message + details)


def build_pledge() -> Pledge:
    """The command's Pledge; its commits wake the job runners like the web app's."""
    pledge = Pledge(Settings())
    connect_jobs(pledge)
    return pledge


def configure_logging() -> None:
    """Log records with an exception's class, never its traceback (:mod:`pledge.web.log_config`)."""
    logging.config.dictConfig(LOG_CONFIG)


@contextmanager
def migrated_pledge() -> Iterator[Pledge]:
    """The command's Pledge, its schema brought up to date, disposed of when done."""
    pledge = build_pledge()
    try:
        upgrade_schema(pledge)
        yield pledge
    finally:
        pledge.dispose()
