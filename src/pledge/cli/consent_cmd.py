"""``pledge consent``: maintenance of the consent projections."""

from __future__ import annotations

import typer

from pledge.cli.common import build_pledge, cli_errors
from pledge.startup import upgrade_schema

app = typer.Typer(help="Maintain the consent ledger's projections.", no_args_is_help=True)


@app.command("rebuild")
def rebuild() -> None:
    """Recompute consent states and marketing reach from the ledger (after a restore); audited."""
    from pledge.consent import rebuild_states

    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        rows = rebuild_states(pledge)
    typer.echo(f"rebuilt {rows} consent states and the marketing reach projection")
