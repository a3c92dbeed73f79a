"""``pledge report``: figures the law asks a business to publish (CCPA § 7102), and the
conformance report (each promise of the policy with the check that proves it)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pledge import rights
from pledge.cli.common import build_pledge, cli_errors
from pledge.conformance import (
    build_report,
    load_registry,
    read_results,
    render_report_html,
    results_path,
)
from pledge.policy import bundled_policy_path, load_policy
from pledge.settings import Settings

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


class ReportFormat(StrEnum):
    json = "json"
    html = "html"


@app.command("conformance")
def conformance_report(
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="json or html (a printable document)")
    ] = ReportFormat.json,
    results: Annotated[
        Path | None,
        typer.Option(
            help="Test results file; default PLEDGE_TEST_RESULTS or ./.pledge-test-results.json."
        ),
    ] = None,
) -> None:
    """Every promise of the policy: its policy key, code, tests and their last recorded status."""
    with cli_errors():
        policy_path = Settings().policy or bundled_policy_path()
        policy = load_policy(policy_path)
    at = results or results_path()
    report = build_report(policy, Path(policy_path), load_registry(), read_results(at), at)
    if fmt is ReportFormat.html:
        typer.echo(render_report_html(report), nl=False)
    else:
        typer.echo(report.model_dump_json(indent=2))
