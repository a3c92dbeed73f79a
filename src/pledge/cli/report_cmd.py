"""``pledge report``: figures the law asks a business to publish (CCPA § 7102)."""

from __future__ import annotations

from typing import Annotated

import typer

from pledge import rights
from pledge.cli.common import build_pledge, cli_errors

app = typer.Typer(help="Reports.", no_args_is_help=True)


@app.command("requests")
def requests_report(
    year: Annotated[int, typer.Option(help="Calendar year of receipt, e.g. 2025.")],
) -> None:
    """Per request type: received, complied with in whole or part, denied, median days."""
    with cli_errors():
        pledge = build_pledge()
        rows = rights.report(pledge, year)
        pledge.dispose()
    typer.echo(f"{'type':<18} {'received':>8} {'complied':>8} {'denied':>6} {'median days':>11}")
    for row in rows:
        median = "-" if row.median_days is None else f"{row.median_days:.1f}"
        typer.echo(
            f"{row.type:<18} {row.received:>8} {row.complied:>8} {row.denied:>6} {median:>11}"
        )
