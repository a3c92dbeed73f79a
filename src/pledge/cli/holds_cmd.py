"""``pledge holds``: place, release and list legal holds.

A hold keeps everything of one person from retention and erasure until it is
released (:mod:`pledge.rights.holds`). The list shows each hold's id, state,
dates and reason, never the person's address (Pledge keeps only its hash).
"""

from __future__ import annotations

from typing import Annotated

import typer

from pledge.cli.common import cli_errors, migrated_pledge
from pledge.rights.hold_release import release_hold
from pledge.rights.holds import HoldView, create_hold, list_holds

app = typer.Typer(
    help="Legal holds: keep one person's data from retention and erasure.", no_args_is_help=True
)
ACTOR = "cli"


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The person's e-mail address.")],
    reason: Annotated[
        str, typer.Option(help="Why: the matter or case (keep personal data out of it).")
    ],
) -> None:
    """Place a hold on the person with this e-mail; prints the hold's id."""
    with cli_errors(), migrated_pledge() as pledge:
        hold = create_hold(pledge, email=email, reason=reason, actor=ACTOR)
    known = "" if hold.subject_known else " (nobody with this address is known yet)"
    typer.echo(f"{hold.id}{known}")


@app.command("release")
def release(hold_id: Annotated[str, typer.Argument(help="The hold's id.")]) -> None:
    """Release a hold; erasures that waited on it are carried out now."""
    with cli_errors(), migrated_pledge() as pledge:
        released = release_hold(pledge, hold_id, actor=ACTOR)
    typer.echo(f"released {released.hold.id}; erasures carried out: {released.erasures_done}")


@app.command("list")
def list_command(
    active: Annotated[bool, typer.Option("--active", help="Only holds in force.")] = False,
) -> None:
    """One line per hold, those in force first: id, state, placed, by, reason."""
    with cli_errors(), migrated_pledge() as pledge:
        holds = list_holds(pledge, reader="cli", active_only=active)
    for hold in holds:
        typer.echo(_line(hold))


def _line(hold: HoldView) -> str:
    state = "active" if hold.active else f"released {hold.released_at:%Y-%m-%d}"
    reason = " ".join(hold.reason.split())
    return f"{hold.id}  {state}  {hold.created_at:%Y-%m-%d}  {hold.created_by}  {reason}"
