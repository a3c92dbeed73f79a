"""The ``pledge`` command's entry point; each group lives in its own module."""

from __future__ import annotations

import typer

from pledge.cli import (
    audit_cmd,
    clients_cmd,
    keys_cmd,
    pii_cmd,
    policy_cmd,
    report_cmd,
    requests_cmd,
    server_cmd,
    users_cmd,
)

app = typer.Typer(
    help="Pledge: privacy operations from a policy written as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(server_cmd.init)
app.command("serve")(server_cmd.serve)
app.command("worker")(server_cmd.worker)
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(clients_cmd.app, name="clients")
app.add_typer(pii_cmd.app, name="pii")
app.add_typer(requests_cmd.app, name="requests")
app.add_typer(report_cmd.app, name="report")
app.add_typer(users_cmd.app, name="users")


def main() -> None:
    app()
