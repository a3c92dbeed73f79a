"""``pledge retention run``: remove what the policy no longer lets Pledge keep.

The run prints counts per kind (and per category for records), never a value
or an id; ``--dry-run`` prints what would go and changes nothing; ``--as-of``
runs as if on another day (a date or an ISO 8601 time, UTC when no offset is
given). A date that does not parse is refused before anything is touched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from pledge.cli.common import cli_errors, fail, migrated_pledge
from pledge.retention import run_retention

app = typer.Typer(help="Retention: remove what is kept past its time.", no_args_is_help=True)


def parse_as_of(text: str) -> datetime | None:
    """A date (midnight UTC) or an ISO 8601 time (UTC when naive); None when it does not parse."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@app.command("run")
def run(
    as_of: Annotated[
        str | None,
        typer.Option(help="Run as of this day or time (YYYY-MM-DD or ISO 8601); default now."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would go; change nothing.")
    ] = False,
) -> None:
    """Delete expired records, requests, mail, cookie choices; shred people with nothing left."""
    when = None
    if as_of is not None:
        when = parse_as_of(as_of)
        if when is None:
            fail("--as-of is not a date (YYYY-MM-DD) or an ISO 8601 time; nothing was changed")
    with cli_errors(), migrated_pledge() as pledge:
        report = run_retention(pledge, as_of=when, dry_run=dry_run)
    for line in report.lines():
        typer.echo(line)
