"""``pledge breaches`` and ``pledge transfers``: the breach register and business transfers.

The same services as the console (:mod:`pledge.registers.breaches`,
:mod:`pledge.registers.transfers`). ``notify`` mails the people affected in
bounded batches, each once: run it again after a crash and it goes on where
it stopped.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pledge.cli.common import cli_errors, migrated_pledge
from pledge.registers.breaches import (
    BreachIn,
    BreachView,
    DecisionIn,
    breaches_csv,
    create_breach,
    decide,
    list_breaches,
    notify_breach,
)
from pledge.registers.common import parse
from pledge.registers.transfers import (
    TransferIn,
    create_transfer,
    list_transfers,
    notify_transfer,
    transfers_csv,
)

app = typer.Typer(help="The breach register: the 72-hour clock, decisions, notices.")
transfers = typer.Typer(help="Business transfers: the buyer, what moved, the notice.")
ACTOR = "cli"
Categories = Annotated[list[str], typer.Option("--category", help="A policy category (repeat).")]


@app.command("create")
def create(
    summary: Annotated[str, typer.Option(help="What happened.")],
    known_at: Annotated[str, typer.Option(help="When it became known (ISO 8601, with zone).")],
    category: Categories,
) -> None:
    """Record a breach; prints its deadline and, on the last line, its id."""
    data = {"summary": summary, "known_at": known_at, "categories": category}
    with cli_errors(), migrated_pledge() as pledge:
        made = create_breach(pledge, parse(BreachIn, data), actor=ACTOR)
    typer.echo(f"authority deadline {made.deadline.isoformat()}; people affected {made.affected}")
    typer.echo(made.id)


@app.command("decide")
def decide_command(
    breach_id: Annotated[str, typer.Argument(help="The breach's id.")],
    notify_authority: Annotated[bool, typer.Option(help="Tell the supervisory authority.")],
    authority_reason: Annotated[str, typer.Option(help="Why (or why not).")],
    notify_people: Annotated[bool, typer.Option(help="Tell the people affected.")],
    people_reason: Annotated[str, typer.Option(help="Why (or why not).")],
    people_notice: Annotated[str | None, typer.Option(help="What the people are told.")] = None,
    authority_told_at: Annotated[
        str | None, typer.Option(help="When the authority was told (ISO 8601).")
    ] = None,
) -> None:
    """Record the decision on both notices."""
    data: dict[str, Any] = {
        "notify_authority": notify_authority,
        "authority_reason": authority_reason,
        "notify_people": notify_people,
        "people_reason": people_reason,
    }
    if people_notice:
        data["people_notice"] = people_notice
    if authority_told_at:
        data["authority_told_at"] = authority_told_at
    with cli_errors(), migrated_pledge() as pledge:
        decide(pledge, breach_id, parse(DecisionIn, data), actor=ACTOR)
    typer.echo("decision recorded")


@app.command("notify")
def notify(breach_id: Annotated[str, typer.Argument(help="The breach's id.")]) -> None:
    """Mail the people affected (each once); prints how many were queued now."""
    with cli_errors(), migrated_pledge() as pledge:
        queued = notify_breach(pledge, breach_id, actor=ACTOR)
    typer.echo(f"notices queued: {queued}")


@app.command("list")
def list_command(
    search: Annotated[str, typer.Option(help="Only entries holding every word.")] = "",
    csv: Annotated[bool, typer.Option("--csv", help="The register as CSV.")] = False,
) -> None:
    """One line per breach, newest first: id, known, deadline, state, people affected."""
    with cli_errors(), migrated_pledge() as pledge:
        items = list_breaches(pledge, search=search, reader=ACTOR if csv else None, form="csv")
    if csv:
        typer.echo(breaches_csv(items), nl=False)
        return
    for item in items:
        typer.echo(_line(item))


def _line(item: BreachView) -> str:
    if item.authority_told_at is not None:
        state = f"authority told {item.authority_told_at:%Y-%m-%d %H:%M}"
    elif item.notify_authority is False:
        state = "authority not to be told"
    else:
        state = "OVERDUE" if item.overdue() else "authority not told yet"
    return (
        f"{item.id}  {item.known_at:%Y-%m-%d %H:%M}  deadline {item.deadline:%Y-%m-%d %H:%M}  "
        f"{state}  affected={item.affected}  told={item.told}  {','.join(item.categories)}"
    )


@transfers.command("create")
def create_transfer_command(
    buyer: Annotated[str, typer.Option(help="Who received the data.")],
    date: Annotated[str, typer.Option(help="When (YYYY-MM-DD).")],
    category: Categories,
    note: Annotated[str | None, typer.Option(help="A note on the deal.")] = None,
) -> None:
    """Record a business transfer; prints the people affected and, last, its id."""
    data: dict[str, Any] = {"buyer": buyer, "transferred_on": date, "categories": category}
    if note:
        data["note"] = note
    with cli_errors(), migrated_pledge() as pledge:
        made = create_transfer(pledge, parse(TransferIn, data), actor=ACTOR)
    typer.echo(f"people affected {made.affected}")
    typer.echo(made.id)


@transfers.command("notify")
def notify_transfer_command(
    transfer_id: Annotated[str, typer.Argument(help="The transfer's id.")],
) -> None:
    """Mail the people affected (each once); prints how many were queued now."""
    with cli_errors(), migrated_pledge() as pledge:
        queued = notify_transfer(pledge, transfer_id, actor=ACTOR)
    typer.echo(f"notices queued: {queued}")


@transfers.command("list")
def list_transfers_command(
    csv: Annotated[bool, typer.Option("--csv", help="The record as CSV.")] = False,
) -> None:
    """One line per transfer, newest first: id, date, buyer, affected, told."""
    with cli_errors(), migrated_pledge() as pledge:
        items = list_transfers(pledge, reader=ACTOR if csv else None, form="csv")
    if csv:
        typer.echo(transfers_csv(items), nl=False)
        return
    for i in items:
        typer.echo(
            f"{i.id}  {i.transferred_at:%Y-%m-%d}  {i.buyer}  affected={i.affected}  told={i.told}"
        )
