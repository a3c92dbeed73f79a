"""``pledge recipients``: the policy's recipients and the secrets that sign their notices."""

from __future__ import annotations

from typing import Annotated

import typer

from pledge.cli.common import build_pledge, cli_errors, fail

app = typer.Typer(help="Recipients of personal data named by the policy.", no_args_is_help=True)


@app.command("list")
def list_recipients() -> None:
    """Each recipient's id, name and webhook (``-`` where notices go to staff by hand)."""
    with cli_errors():
        policy = build_pledge().policy
    for recipient in policy.recipients:
        typer.echo(f"{recipient.id}  {recipient.name}  {recipient.webhook_url or '-'}")


@app.command("secret")
def secret(
    recipient_id: Annotated[str, typer.Argument(help="The recipient's id in the policy.")],
) -> None:
    """Print the secret that signs notices to this recipient's webhook (X-Pledge-Signature).

    Give it to the recipient over a trusted channel; it is derived from the
    master key, so it changes only when that key does.
    """
    with cli_errors():
        pledge = build_pledge()
        recipient = pledge.policy.recipient(recipient_id)
        if recipient is None:
            fail(f"the policy names no recipient {recipient_id!r} (see: pledge recipients list)")
        if not recipient.webhook_url:
            fail(f"recipient {recipient_id!r} has no webhook_url in the policy; nothing is signed")
        typer.echo(pledge.keys.recipient_webhook_secret(recipient_id))
