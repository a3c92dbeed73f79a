"""``pledge audit``: check the tamper-evident audit chain."""

from __future__ import annotations

import typer

from pledge.cli.common import build_pledge, cli_errors
from pledge.startup import upgrade_schema

app = typer.Typer(help="Inspect the audit log.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check the whole audit chain: exit 0 if intact, 1 if broken (prints the first bad entry)."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        result = pledge.verify_audit()
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} entries")
        if result.legacy:
            typer.echo(f"{result.legacy} legacy entries without a MAC (written before 0013)")
        return
    typer.echo(f"audit chain broken at entry {result.first_bad}: {result.reason}")
    raise typer.Exit(1)
