"""The ``pledge`` command's entry point; each group lives in its own module.

Command modules are imported only when the app is built: most of them pull in the
database and web stack (most of the start-up time), which ``pledge pii detect`` -- a
streaming filter started by pipelines -- never needs.  ``main`` therefore builds a root
with only the ``pii`` group when that is the command being run; everything else (and any
``from pledge.cli.main import app``) gets the full app.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

_ROOT_OPTIONS: dict[str, Any] = {
    "help": "Pledge: privacy operations from a policy written as code.",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
}


def build_app() -> typer.Typer:
    """The full ``pledge`` app with every command group registered."""
    from pledge.cli import (
        audit_cmd,
        breaches_cmd,
        circuits_cmd,
        clients_cmd,
        complaints_cmd,
        consent_cmd,
        holds_cmd,
        journal_cmd,
        keys_cmd,
        legal_requests_cmd,
        outbox_cmd,
        pii_cmd,
        policy_cmd,
        recipients_cmd,
        report_cmd,
        requests_cmd,
        retention_cmd,
        server_cmd,
        systems_cmd,
        users_cmd,
    )

    root = typer.Typer(**_ROOT_OPTIONS)
    root.command("init")(server_cmd.init)
    root.command("serve")(server_cmd.serve)
    root.command("worker")(server_cmd.worker)
    root.add_typer(policy_cmd.app, name="policy")
    root.add_typer(keys_cmd.app, name="keys")
    root.add_typer(journal_cmd.app, name="journal")
    root.add_typer(audit_cmd.app, name="audit")
    root.add_typer(clients_cmd.app, name="clients")
    root.add_typer(consent_cmd.app, name="consent")
    root.add_typer(pii_cmd.app, name="pii")
    root.add_typer(requests_cmd.app, name="requests")
    root.add_typer(report_cmd.app, name="report")
    root.add_typer(users_cmd.app, name="users")
    root.add_typer(recipients_cmd.app, name="recipients")
    root.add_typer(outbox_cmd.app, name="outbox")
    root.add_typer(retention_cmd.app, name="retention")
    root.add_typer(holds_cmd.app, name="holds")
    root.add_typer(legal_requests_cmd.app, name="legal-requests")
    root.add_typer(breaches_cmd.app, name="breaches", no_args_is_help=True)
    root.add_typer(breaches_cmd.transfers, name="transfers", no_args_is_help=True)
    root.add_typer(complaints_cmd.app, name="complaints")
    root.add_typer(systems_cmd.app, name="systems")
    outbox_cmd.app.add_typer(circuits_cmd.app, name="circuits")
    return root


def _pii_only_app() -> typer.Typer:
    """A root holding just the ``pii`` group, configured like the full one."""
    from pledge.cli import pii_cmd

    root = typer.Typer(**_ROOT_OPTIONS)
    root.add_typer(pii_cmd.app, name="pii")
    return root


_app: typer.Typer | None = None


def __getattr__(name: str) -> Any:
    """``app`` is built on first access (PEP 562), so importing this module stays cheap."""
    global _app
    if name == "app":
        if _app is None:
            _app = build_app()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    if sys.argv[1:2] == ["pii"]:
        _pii_only_app()(prog_name="pledge")
    else:
        __getattr__("app")()
