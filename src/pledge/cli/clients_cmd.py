"""``pledge clients``: register business Clients, disable them, rotate their keys.

Disabling and rotating are audited with the actor ``cli``; the old key stops
working at once in this process and, in running servers, within
``PLEDGE_API_KEY_CACHE_SECONDS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pledge.access import enable_client, rotate_client_key
from pledge.cli.common import build_pledge, cli_errors
from pledge.service_data.client_state import disable_client
from pledge.service_data.clients import create_client
from pledge.service_data.instructions import load_instructions
from pledge.startup import upgrade_schema

app = typer.Typer(help="Manage Service Data Clients.", no_args_is_help=True)
ClientId = Annotated[str, typer.Argument(help="The Client's id (printed by `clients create`).")]


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="The Client's name.")],
    instructions: Annotated[Path, typer.Option(help="Collection instructions (YAML).")],
) -> None:
    """Register a Client; prints its id and API key, one per line, as the last two lines."""
    with cli_errors():
        pledge = build_pledge()
        model, problems = load_instructions(instructions, pledge.policy)
        if model is None:
            for problem in problems:
                typer.echo(str(problem), err=True)
            raise typer.Exit(1)
        upgrade_schema(pledge)
        client_id, key = create_client(pledge, name=name, instructions=model, actor="cli")
    typer.echo(f"registered Client {name}; its API key is shown once:")
    typer.echo(client_id)
    typer.echo(key)


@app.command("disable")
def disable(client_id: ClientId) -> None:
    """Refuse the Client's key from now on and cancel its undelivered webhooks; its data and
    instructions stay."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        cancelled = disable_client(pledge, client_id, actor="cli")
    typer.echo(f"disabled Client {client_id}; undelivered webhooks cancelled: {cancelled}")


@app.command("enable")
def enable(client_id: ClientId) -> None:
    """Accept the Client's current key again."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        enable_client(pledge, client_id, actor="cli")
    typer.echo(f"enabled Client {client_id}")


@app.command("rotate-key")
def rotate_key(client_id: ClientId) -> None:
    """Give the Client a new API key, printed once on the last line; the old one stops working."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        key = rotate_client_key(pledge, client_id, actor="cli")
    typer.echo(f"new API key of Client {client_id}; it is shown once:")
    typer.echo(key)
