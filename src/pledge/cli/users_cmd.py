"""``pledge users``: staff accounts for the console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.console.accounts import ROLES, create_user
from pledge.startup import upgrade_schema

app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The person's work e-mail, used to sign in.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
) -> None:
    """Create a console account; reads the password from stdin (never from the command line)."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("give the password on standard input")
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        user_id = create_user(pledge, email=email, role=role, password=password, actor="cli")
    typer.echo(f"created {role} account {user_id}")
