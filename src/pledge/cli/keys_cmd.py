"""``pledge keys``: API keys for systems and administrators, and the master key's rotation."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from pledge.access import ROLES, create_api_key, list_api_keys, revoke_api_key
from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.keyring import DEFAULT_BATCH, retire_master, rotate_master
from pledge.settings import decode_master_key
from pledge.startup import upgrade_schema

app = typer.Typer(help="Manage API keys and rotate the master key.", no_args_is_help=True)

NEW_KEY_VARIABLE = "PLEDGE_NEW_MASTER_KEY"


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


@app.command("rotate-master")
def rotate_master_key(
    batch: Annotated[
        int, typer.Option(min=1, max=100_000, help="Keys re-wrapped per transaction.")
    ] = DEFAULT_BATCH,
) -> None:
    """Re-wrap every subject key under a new master key while servers keep running.

    The key in force is PLEDGE_MASTER_KEY; the new one is read from
    PLEDGE_NEW_MASTER_KEY, or else from the first line of stdin. Then restart
    every process with the new key and run ``pledge keys retire-master``.
    """
    raw = os.environ.get(NEW_KEY_VARIABLE) or sys.stdin.readline()
    if not raw.strip():
        fail(f"give the new master key in {NEW_KEY_VARIABLE} or on stdin")
    with cli_errors():
        new_master = decode_master_key(raw, NEW_KEY_VARIABLE)
        pledge = build_pledge()
        try:
            upgrade_schema(pledge)
            done = rotate_master(pledge, new_master, batch=batch)
        finally:
            pledge.dispose()
    typer.echo(
        f"re-wrapped {done} keys under the new master key; restart every process with "
        "PLEDGE_MASTER_KEY set to it, then run `pledge keys retire-master`"
    )


@app.command("retire-master")
def retire_master_key(
    batch: Annotated[
        int, typer.Option(min=1, max=100_000, help="Keys re-wrapped per transaction.")
    ] = DEFAULT_BATCH,
) -> None:
    """Finish a rotation (PLEDGE_MASTER_KEY set to the new key); the old key then opens nothing."""
    with cli_errors():
        pledge = build_pledge()
        try:
            upgrade_schema(pledge)
            done = retire_master(pledge, batch=batch)
        finally:
            pledge.dispose()
    typer.echo(f"retired the previous master key ({done} keys re-wrapped now)")
