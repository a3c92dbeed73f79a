"""``pledge complaints``: enter a complaint received by post or phone, list the queue.

Staff entering a complaint confirm it by their entry: no code is mailed, the
person gets a receipt with the day of the answer. The list shows no address
and no text (the console shows those to staff allowed to read them).
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from pledge import complaints
from pledge.cli.common import cli_errors, migrated_pledge
from pledge.complaints import ComplaintIn, ComplaintView
from pledge.errors import ValidationFailed

app = typer.Typer(help="Complaints about how personal data was handled.", no_args_is_help=True)
ACTOR = "cli"


def _complaint(email: str, country: str, text: str, language: str | None) -> ComplaintIn:
    """The input checked as the API checks it; a bad value names its option."""
    try:
        return ComplaintIn(email=email, country=country, text=text, language=language)
    except ValidationError as exc:
        fields = {str(error["loc"][0]): error["msg"] for error in exc.errors()}
        raise ValidationFailed("invalid complaint", fields=fields) from None


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The person's e-mail address (for the answer).")],
    country: Annotated[str, typer.Option(help="Where the person lives (ISO code, e.g. FR).")],
    text: Annotated[str, typer.Option(help="What the person complains about.")],
    method: Annotated[str, typer.Option(help="How it came: post or phone.")] = "post",
    language: Annotated[
        str | None, typer.Option(help="The language to write to the person in (e.g. de).")
    ] = None,
) -> None:
    """Record a complaint received by post or phone; prints its id and due day."""
    with cli_errors(), migrated_pledge() as pledge:
        if method not in ("post", "phone"):
            raise ValidationFailed("unknown method", fields={"method": "post or phone"})
        made = complaints.submit(
            pledge, _complaint(email, country, text, language), method=method, actor=ACTOR
        )
    typer.echo(f"due {made.due_at:%Y-%m-%d}")
    typer.echo(made.id)


@app.command("list")
def list_command(
    state: Annotated[
        str | None, typer.Option(help="received, investigating, answered or escalated.")
    ] = None,
) -> None:
    """One line per complaint, the soonest due first: id, state, method, country, due, overdue."""
    with cli_errors(), migrated_pledge() as pledge:
        items = complaints.listing(pledge, state)
    for item in items:
        typer.echo(_line(item))


def _line(item: ComplaintView) -> str:
    flags = " OVERDUE" if item.overdue else ""
    flags += "" if item.verified else " unconfirmed"
    return (
        f"{item.id}  {item.state}  {item.method}  {item.country}  due {item.due_at:%Y-%m-%d}{flags}"
    )
