"""``pledge users``: staff accounts for the console.

Every change here is audited with the actor ``cli``. Passwords are read from
standard input, never from the command line (which other users of the machine
can see in the process list). ``--role staff`` is still accepted and creates a
``support`` account (what ``staff`` was before there were five roles).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.console.accounts import (
    ROLE_CHOICES,
    create_user,
    disable_user,
    enable_user,
    end_sessions,
    list_sessions,
    set_password,
    set_role,
    user_id_for,
)
from pledge.console.permissions import ROLE_ALIASES
from pledge.console.second_factor import enrol_now, reset
from pledge.startup import upgrade_schema

app = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)
totp_app = typer.Typer(help="Authenticator apps (TOTP) of staff accounts.", no_args_is_help=True)
app.add_typer(totp_app, name="totp")
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
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLE_CHOICES)}.")],
) -> None:
    """Create a console account; reads the password from stdin (never from the command line).

    An admin or recruiter account must then set up an authenticator app: at its first sign-in
    in the console, or now with ``pledge users totp enroll``.
    """
    password = _password()
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        user_id = create_user(pledge, email=email, role=role, password=password, actor="cli")
    if role in ROLE_ALIASES:
        typer.echo(f"note: the role {role} is now called {ROLE_ALIASES[role]}", err=True)
    typer.echo(f"created {role} account {user_id}")


@app.command("role")
def role_command(
    email: EmailOption,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLE_CHOICES)}.")],
) -> None:
    """Give an account another role; its sessions end (audited as staff.role_changed)."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        ended = set_role(pledge, user_id_for(pledge, email), role, actor="cli")
    typer.echo(f"role changed; {ended} session(s) ended")


@totp_app.command("enroll")
def totp_enroll(email: EmailOption) -> None:
    """Give the account an authenticator app now; prints its otpauth:// URI on the last line.

    The URI holds the secret: hand it to the person only (as a QR code, or typed
    into the app). The account's sessions end; each sign-in then asks for a code.
    """
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        uri = enrol_now(pledge, user_id_for(pledge, email), actor="cli")
    typer.echo("authenticator app set up; add this to the app (shown once):")
    typer.echo(uri)


@totp_app.command("reset")
def totp_reset(email: EmailOption) -> None:
    """Remove the account's authenticator app (a lost phone); every session ends."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        ended = reset(pledge, user_id_for(pledge, email), actor="cli")
    typer.echo(f"authenticator app removed; {ended} session(s) ended")


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
