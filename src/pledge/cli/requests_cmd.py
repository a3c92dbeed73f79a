"""``pledge requests``: requests staff receive by e-mail, phone or post, and the queue."""

from __future__ import annotations

from typing import Annotated

import typer

from pledge import rights
from pledge.cli.common import build_pledge, cli_errors
from pledge.rights.schemas import RequestIn
from pledge.startup import upgrade_schema
from pledge.validation import parse_model

app = typer.Typer(help="Data subject requests.", no_args_is_help=True)


@app.command("create")
def create(
    type: Annotated[str, typer.Option("--type", help="access, erasure, opt_out_marketing...")],
    email: Annotated[str, typer.Option(help="The person's e-mail; the code goes there.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country, e.g. FR.")],
    region: Annotated[str | None, typer.Option(help="Region, e.g. CA.")] = None,
    method: Annotated[str, typer.Option(help="How it arrived: email, phone or post.")] = "email",
) -> None:
    """Enter a request received by e-mail, phone or post; prints its id, due date and token."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        body = parse_model(
            RequestIn, {"type": type, "email": email, "country": country, "region": region}
        )
        if method not in {"email", "phone", "post"}:
            from pledge.errors import ValidationFailed

            raise ValidationFailed("unknown method", fields={"method": "email, phone or post"})
        submitted = rights.submit(pledge, body, method=method, actor="cli")
        pledge.dispose()
    typer.echo(f"request {submitted.id} ({submitted.status}), due {submitted.due_at.date()}")
    typer.echo("the person was mailed a code; give them this token to follow the request:")
    typer.echo(submitted.token)


@app.command("list")
def list_requests(
    status: Annotated[str | None, typer.Option(help="Only requests with this status.")] = None,
) -> None:
    """The queue by due date, with overdue and at-risk flags."""
    with cli_errors():
        pledge = build_pledge()
        items = rights.queue(pledge, status=status)
        pledge.dispose()
    for item in items:
        flag = "OVERDUE" if item.overdue else "at risk" if item.at_risk else ""
        typer.echo(
            f"{item.id}  {item.type:<18} {item.status:<22} "
            f"due {item.due_at.date().isoformat()}  {flag}".rstrip()
        )
