"""``pledge keys``: API keys for systems and administrators."""

from __future__ import annotations

from typing import Annotated

import typer

from pledge.access import ROLES, create_api_key, list_api_keys, revoke_api_key
from pledge.cli.common import build_pledge, cli_errors
from pledge.startup import upgrade_schema

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. crm-sync.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
) -> None:
    """Create an API key; prints it once, on the last line of stdout."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        key_id, key = create_api_key(pledge, name=name, role=role)
    typer.echo(f"created {role} key {key_id} ({name}); store it now, it is not shown again:")
    typer.echo(key)


@app.command("list")
def list_keys() -> None:
    """List keys: id, role, name, created and, for revoked ones, when (never a key or hash)."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        keys = list_api_keys(pledge)
    for key in keys:
        state = f"revoked {key['revoked_at']}" if key["revoked_at"] else "active"
        typer.echo(f"{key['id']}  {key['role']:<6}  {key['name']}  {key['created_at']}  {state}")


@app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (pledge keys list).")]) -> None:
    """Revoke a key for good; running servers refuse it within PLEDGE_API_KEY_CACHE_SECONDS."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        revoke_api_key(pledge, key_id)
    typer.echo(f"revoked key {key_id}")
