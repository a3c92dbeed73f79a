"""``pledge audit``: check the tamper-evident audit chain and its anchor outside the database."""

from __future__ import annotations

import typer

from pledge.audit.chain import VerifyResult
from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.startup import upgrade_schema

app = typer.Typer(help="Inspect the audit log.", no_args_is_help=True)
anchor_app = typer.Typer(
    help="Checkpoints of the chain's head, kept outside the database (PLEDGE_AUDIT_ANCHOR).",
    invoke_without_command=True,
)
app.add_typer(anchor_app, name="anchor")


@app.command("verify")
def verify() -> None:
    """Check the whole audit chain: exit 0 if intact, 1 if broken (prints the first bad entry)."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        result = pledge.verify_audit()
    if result.ok:
        _report_intact(result)
        return
    where = f" at entry {result.first_bad}" if result.first_bad is not None else ""
    typer.echo(f"audit chain broken{where}: {result.reason}")
    raise typer.Exit(1)


def _report_intact(result: VerifyResult) -> None:
    typer.echo(f"audit chain intact: {result.checked} entries")
    if result.legacy:
        typer.echo(f"{result.legacy} legacy entries without a MAC (written before 0013)")
    if result.anchored:
        typer.echo("matches the newest checkpoint of the audit anchor")
    else:
        typer.echo(
            "warning: no audit anchor (PLEDGE_AUDIT_ANCHOR): deleting the newest entries "
            "together with the head row would not show",
            err=True,
        )


@anchor_app.callback()
def anchor(
    ctx: typer.Context,
    after_restore: bool = typer.Option(
        False,
        "--after-restore",
        help="The database was restored from a backup: checkpoint its shorter chain (audited).",
    ),
) -> None:
    """Write a checkpoint of the chain's head to the anchor file now."""
    if ctx.invoked_subcommand is not None:
        return
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        checkpoint = pledge.anchor_audit(after_restore=after_restore)
    typer.echo(f"anchored position {checkpoint.seq} ({checkpoint.kind})")


@anchor_app.command("print")
def print_newest() -> None:
    """Print the anchor's newest checkpoint, one line, for an external notary."""
    with cli_errors():
        pledge = build_pledge()
        upgrade_schema(pledge)
        anchor = pledge.audit_anchor
        newest = anchor.newest() if anchor is not None else None
    if newest is None:
        fail("the audit anchor holds no checkpoint yet (run `pledge audit anchor`)")
    typer.echo(newest[1])
