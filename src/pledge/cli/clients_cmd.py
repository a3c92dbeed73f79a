"""``pledge clients``: register business Clients and their collection instructions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors
from pledge.service_data.clients import create_client
from pledge.service_data.instructions import load_instructions
from pledge.startup import upgrade_schema

app = typer.Typer(help="Manage Service Data Clients.", no_args_is_help=True)


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
