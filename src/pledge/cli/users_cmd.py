"""``pledge users``: staff accounts for the console.

Every change here is audited with the actor ``cli``. Passwords are read from
standard input, never from the command line (which other users of the machine
can see in the process list).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.console.accounts import (
    ROLES,
    create_user,
    disable_user,
    enable_user,
    end_sessions,
    list_sessions,
    set_password,
    user_id_for,
)
from pledge.startup import upgrade_schema

app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
EmailOption = Annotated[str, typer.Option(help="The account's e-mail (its login name).")]


def _password() -> str:
    try:
        password = sys.stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        fail("the password on standard input is not valid UTF-8")
    if not password:
        fail("give the password on standard input")
    return password


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The person's work e-mail, used to sign in.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
) -> None:
    """Create a console account; reads the password from stdin (never from the command line)."""
    password = _password()
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        user_id = create_user(pledge, email=email, role=role, password=password, actor="cli")
    typer.echo(f"created {role} account {user_id}")


@app.command("disable")
def disable(email: EmailOption) -> None:
    """Disable an account: it can no longer sign in, and its sessions end at once."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        ended = disable_user(pledge, user_id_for(pledge, email), actor="cli")
    typer.echo(f"disabled the account; {ended} session(s) ended")


@app.command("enable")
def enable(email: EmailOption) -> None:
    """Let a disabled account sign in again, with its unchanged password."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        enable_user(pledge, user_id_for(pledge, email), actor="cli")
    typer.echo("enabled the account")


@app.command("password")
def password(email: EmailOption) -> None:
    """Set a new password read from stdin; lifts a lock and ends every session of the account."""
    new = _password()
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        ended = set_password(pledge, user_id_for(pledge, email), new, actor="cli")
    typer.echo(f"password changed; {ended} session(s) ended")


@app.command("sessions")
def sessions(email: EmailOption) -> None:
    """The account's live sessions, newest first: reference, signed in, expires (UTC)."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        rows = list_sessions(pledge, user_id_for(pledge, email))
    for row in rows:
        typer.echo(f"{row.ref}  {row.created_at.isoformat()}  {row.expires_at.isoformat()}")
    typer.echo(f"{len(rows)} live session(s)")


@app.command("end-sessions")
def end_sessions_command(
    email: EmailOption,
    ref: Annotated[
        str | None, typer.Option(help="Only this session (a reference from `sessions`).")
    ] = None,
) -> None:
    """End every session of the account (or only ``--ref``); the browsers must sign in again."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        ended = end_sessions(pledge, user_id_for(pledge, email), actor="cli", ref=ref)
    typer.echo(f"{ended} session(s) ended")
