"""``pledge outbox``: what waits to be delivered, what was, and reviving a dead letter.

``list`` decrypts each mail's recipient address: the operator at this machine
holds the master key anyway, and needs to know where mail went. Bodies are
never printed; ``show`` gives a delivery's metadata only.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.delivery import (
    DeliveryView,
    Kind,
    Status,
    get_delivery,
    list_deliveries,
    mail_addresses,
)
from pledge.errors import PledgeError
from pledge.jobs import retry_delivery
from pledge.startup import upgrade_schema

app = typer.Typer(help="The outbox of mail, webhooks and notices.", no_args_is_help=True)
ALL = "all"


@app.command("list")
def list_command(
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(Kind)}, or {ALL}.")] = Kind.EMAIL,
    status: Annotated[
        str | None, typer.Option(help=f"Only this status: {', '.join(Status)}.")
    ] = None,
) -> None:
    """One line per delivery, newest first: id, status, created, recipient.

    The recipient is the address for mail, ``kind:target`` for the others.
    """
    if kind != ALL and kind not in set(Kind):
        fail(f"--kind must be one of: {', '.join(Kind)}, {ALL}")
    if status is not None and status not in set(Status):
        fail(f"--status must be one of: {', '.join(Status)}")
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        rows = list_deliveries(
            pledge, kind=None if kind == ALL else kind, status=status, limit=None
        )
        addresses = mail_addresses(
            pledge, [row.id for row in rows if row.kind == Kind.EMAIL], reader="cli"
        )
    for row in rows:
        typer.echo(
            f"{row.id}  {row.status}  {row.created_at.isoformat()}  {_where(row, addresses)}"
        )


def _where(row: DeliveryView, addresses: dict[str, str]) -> str:
    if row.kind == Kind.EMAIL:
        return addresses.get(row.id, "-")
    return f"{row.kind}:{row.target or '-'}"


@app.command("show")
def show(delivery_id: Annotated[str, typer.Argument(help="The delivery's id.")]) -> None:
    """A delivery's metadata (never its address or body)."""
    with cli_errors():
        row = get_delivery(build_pledge(), delivery_id)
    if row is None:
        fail(f"no delivery {delivery_id}")
    for name, value in vars(row).items():
        shown = value.isoformat() if hasattr(value, "isoformat") else value
        typer.echo(f"{name}: {'-' if shown is None else shown}")


@app.command("retry")
def retry(delivery_id: Annotated[str, typer.Argument(help="The dead delivery's id.")]) -> None:
    """Give a dead delivery a fresh set of attempts, starting now."""
    pledge = build_pledge()
    try:
        retry_delivery(pledge, delivery_id, actor="cli")
    except PledgeError as exc:
        fail(exc.message)
    typer.echo(f"delivery {delivery_id} is pending again")
