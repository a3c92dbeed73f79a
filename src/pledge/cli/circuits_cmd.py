"""``pledge outbox circuits``: Clients' webhooks resting after repeated failures.

A circuit opens after ``PLEDGE_DELIVERY_CIRCUIT_FAILURES`` failed attempts in a
row to one Client's webhook: its deliveries wait for the cool-down, then one
attempt probes it (see :mod:`pledge.delivery.circuits`). Targets are Client ids.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.delivery import Kind, circuit_states, close_circuit
from pledge.errors import PledgeError
from pledge.startup import upgrade_schema

app = typer.Typer(help="Circuit breakers of Clients' webhooks.", no_args_is_help=True)


@app.command("list")
def list_command(
    kind: Annotated[str | None, typer.Option(help="Only this kind of delivery.")] = None,
) -> None:
    """One line per target that has failed: state, kind:target, failures, open until, error."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        rows = circuit_states(pledge, kind=kind)
    if not rows:
        typer.echo("no circuit has seen a failure")
    for row in rows:
        until = row.open_until.isoformat() if row.open_until and row.state != "closed" else "-"
        typer.echo(
            f"{row.state}  {row.kind}:{row.target}  failures={row.failures}  "
            f"open_until={until}  last_error={row.last_error or '-'}"
        )


@app.command("close")
def close(
    target: Annotated[str, typer.Argument(help="The target's id (a Client id).")],
    kind: Annotated[str, typer.Option(help="The kind of delivery.")] = Kind.CLIENT_WEBHOOK,
) -> None:
    """Close a target's circuit now (after fixing its endpoint): its deliveries resume."""
    pledge = build_pledge()
    try:
        close_circuit(pledge, kind, target, actor="cli")
    except PledgeError as exc:
        fail(exc.message)
    typer.echo(f"circuit of {kind}:{target} closed")
