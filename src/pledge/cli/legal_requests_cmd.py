"""``pledge legal-requests``: record and list requests from public authorities.

The same service as the console and the admin API
(:mod:`pledge.registers.legal_requests`): the people concerned are given by
e-mail and kept as subject ids; each gets an entry in their disclosure log.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pledge.cli.common import cli_errors, migrated_pledge
from pledge.registers.common import parse
from pledge.registers.legal_requests import (
    LegalRequestIn,
    LegalRequestView,
    create_legal_request,
    legal_requests_csv,
    list_legal_requests,
)

app = typer.Typer(
    help="The register of requests for personal data from public authorities.",
    no_args_is_help=True,
)
ACTOR = "cli"


@app.command("create")
def create(
    authority: Annotated[str, typer.Option(help="Who asked: the authority's name.")],
    reference: Annotated[str, typer.Option(help="The authority's reference.")],
    legal_basis: Annotated[str, typer.Option(help="The law or order the request relies on.")],
    scope: Annotated[str, typer.Option(help="What was asked for.")],
    received: Annotated[str, typer.Option(help="When it arrived (YYYY-MM-DD).")],
    email: Annotated[list[str], typer.Option(help="A person concerned (repeat for more).")],
    category: Annotated[list[str], typer.Option(help="A policy category disclosed (repeat).")],
    answered: Annotated[str | None, typer.Option(help="When it was answered.")] = None,
    notify: Annotated[
        bool, typer.Option(help="Whether the people may be told (--no-notify: a gag order).")
    ] = True,
    notify_after: Annotated[
        str | None, typer.Option(help="From when the people may be told (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Record a legal request; prints its id on the last line."""
    data: dict[str, Any] = {
        "authority": authority,
        "reference": reference,
        "legal_basis": legal_basis,
        "scope": scope,
        "received_on": received,
        "emails": email,
        "categories": category,
        "notify_allowed": notify,
    }
    if answered:
        data["answered_on"] = answered
    if notify_after:
        data["notify_after"] = notify_after
    with cli_errors(), migrated_pledge() as pledge:
        made = create_legal_request(pledge, parse(LegalRequestIn, data), actor=ACTOR)
    typer.echo(f"recorded; disclosure log entries: {made.people}")
    typer.echo(made.id)


@app.command("list")
def list_command(
    search: Annotated[str, typer.Option(help="Only entries whose texts hold every word.")] = "",
    csv: Annotated[bool, typer.Option("--csv", help="The register as CSV.")] = False,
) -> None:
    """One line per request, newest first: id, received, authority, reference, people."""
    with cli_errors(), migrated_pledge() as pledge:
        items = list_legal_requests(
            pledge, search=search, reader=ACTOR if csv else None, form="csv"
        )
    if csv:
        typer.echo(legal_requests_csv(items), nl=False)
        return
    for item in items:
        typer.echo(_line(item))


def _line(item: LegalRequestView) -> str:
    answered = f"{item.answered_at:%Y-%m-%d}" if item.answered_at else "open"
    told = "gagged" if not item.notify_allowed else "may-tell"
    return (
        f"{item.id}  {item.received_at:%Y-%m-%d}  {answered}  {item.authority}  "
        f"{item.reference}  people={item.people}  {','.join(item.categories)}  {told}"
    )
