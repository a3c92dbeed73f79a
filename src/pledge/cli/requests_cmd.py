"""``pledge requests``: requests staff receive by phone, post, e-mail or in person, and the queue.

``create`` takes what the JSON API and the console take (second data points,
corrections, an agent) and goes through the same intake
(:mod:`pledge.rights.staff_intake`), so a request entered here is verified,
corrected and acknowledged like one made online. Every problem is reported at
once, naming the option, and nothing is stored then.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated

import typer

from pledge import rights
from pledge.cli.common import build_pledge, cli_errors
from pledge.errors import ValidationFailed
from pledge.rights.staff_intake import STAFF_CHANNELS, StaffIntake, submit_for_person
from pledge.startup import upgrade_schema

app = typer.Typer(help="Data subject requests.", no_args_is_help=True)

OPTION_OF = {
    "match": "--match",
    "corrections": "--correction",
    "agent": "--agent-name/--agent-email/--agent-permission",
    "agent.name": "--agent-name",
    "agent.email": "--agent-email",
    "agent.permission": "--agent-permission",
    "method": "--channel",
}
MAX_PERMISSION_FILE = 1_500_000
"""Bytes of a permission document read from a file; the API takes 2,000,000 characters of base64."""


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    """``FIELD=VALUE`` options as pairs; 422 naming the option for one without ``=``."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise ValidationFailed(
                f"{option} takes FIELD=VALUE", fields={option: "give FIELD=VALUE, e.g. phone=..."}
            )
        pairs.append((name.strip(), text))
    return pairs


def _permission(value: str | None) -> str:
    """The text given, or the content of the file it names (base64 when not UTF-8 text)."""
    if not value:
        return ""
    path = Path(value)
    try:
        is_file = path.is_file()
    except OSError:  # a long text is not a path
        is_file = False
    if not is_file:
        return value
    data = path.read_bytes()
    if len(data) > MAX_PERMISSION_FILE:
        raise ValidationFailed(
            "the permission file is too large",
            fields={"--agent-permission": f"at most {MAX_PERMISSION_FILE} bytes"},
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii")


def _named_for_options(exc: ValidationFailed) -> ValidationFailed:
    """The same problems, each under the option that gave the value."""
    fields: dict[str, str] = {}
    for name, message in exc.fields.items():
        head, _, rest = name.partition(".")
        option = OPTION_OF.get(name) or OPTION_OF.get(head) or f"--{name}"
        fields[f"{option} {rest}".strip() if head in {"match", "corrections"} else option] = message
    return ValidationFailed("nothing was recorded: " + exc.message, fields=fields)


@app.command("create")
def create(
    type: Annotated[str, typer.Option("--type", help="access, erasure, rectification...")],
    email: Annotated[str, typer.Option(help="The person's e-mail; the code and link go there.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country, e.g. FR.")],
    region: Annotated[str | None, typer.Option(help="Region, e.g. CA.")] = None,
    channel: Annotated[
        str,
        typer.Option("--channel", "--method", help=f"How it arrived: {', '.join(STAFF_CHANNELS)}."),
    ] = "email",
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match",
            help="A second data point FIELD=VALUE (repeatable), e.g. phone=+33123456789.",
        ),
    ] = None,
    correction: Annotated[
        list[str] | None,
        typer.Option("--correction", help="For rectification: FIELD=NEW VALUE (repeatable)."),
    ] = None,
    details: Annotated[str | None, typer.Option(help="What the person said.")] = None,
    agent_name: Annotated[str | None, typer.Option(help="The authorized agent's name.")] = None,
    agent_email: Annotated[
        str | None, typer.Option(help="The agent's e-mail; the acknowledgement goes there.")
    ] = None,
    agent_permission: Annotated[
        str | None,
        typer.Option(help="The person's signed permission: a file, or its text."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="The language to write to the person in (en, de); default en."),
    ] = None,
) -> None:
    """Enter a request received by phone, post, e-mail or in person; prints its id, due date
    and, on the last line, its token. The person is mailed the code and the link."""
    with cli_errors():
        try:
            intake = StaffIntake(
                type=type,
                email=email,
                country=country,
                channel=channel,
                region=region or "",
                details=details or "",
                match=dict(_pairs(match or [], "--match")),
                corrections=_pairs(correction or [], "--correction"),
                agent_name=agent_name or "",
                agent_email=agent_email or "",
                agent_permission=_permission(agent_permission),
                language=language or "",
            )
        except ValidationFailed as exc:
            message = "nothing was recorded: " + exc.message
            raise ValidationFailed(message, fields=exc.fields) from None
        pledge = build_pledge()
        try:
            upgrade_schema(pledge)
            try:
                submitted = submit_for_person(pledge, intake, actor="cli")
            except ValidationFailed as exc:
                raise _named_for_options(exc) from None
        finally:
            pledge.dispose()
    typer.echo(f"request {submitted.id} ({submitted.status}), due {submitted.due_at.date()}")
    typer.echo("the person was mailed a code and a link to follow the request; the token:")
    typer.echo(submitted.token)


@app.command("list")
def list_requests(
    status: Annotated[
        str | None, typer.Option(help="Only requests with this status, or 'open'.")
    ] = None,
    type: Annotated[str | None, typer.Option("--type", help="Only requests of this type.")] = None,
) -> None:
    """The queue by due date, with overdue and at-risk flags."""
    with cli_errors():
        pledge = build_pledge()
        items = rights.queue(pledge, status=status, type=type)
        pledge.dispose()
    for item in items:
        flag = "OVERDUE" if item.overdue else "at risk" if item.at_risk else ""
        typer.echo(
            f"{item.id}  {item.type:<18} {item.status:<22} "
            f"due {item.due_at.date().isoformat()}  {flag}".rstrip()
        )
