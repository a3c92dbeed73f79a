"""``pledge systems``: check and list the connected systems (``PLEDGE_SYSTEMS``).

``check`` is what to run before a request depends on the file: it holds the
file against the policy (no connection) and then against each live system
(a short connection that reads only the catalogue). Each problem is printed
as ``location: message``; warnings are printed and allowed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.common import cli_errors, fail
from pledge.connectors.check import check_live, check_systems, has_errors
from pledge.connectors.load import Locate, read_systems
from pledge.connectors.spec import SystemsFile
from pledge.policy import Problem, bundled_policy_path, load_policy
from pledge.settings import Settings

app = typer.Typer(
    help="The connected systems: the company's other databases and processors.",
    no_args_is_help=True,
)

PathArg = Annotated[
    Path | None, typer.Argument(help="The connected-systems YAML; default PLEDGE_SYSTEMS.")
]
UNSET = "PLEDGE_SYSTEMS is not set: there are no connected systems to check"


def systems_path(path: Path | None) -> Path:
    """The file to read: the argument, else ``PLEDGE_SYSTEMS``; a one-line exit when neither."""
    found = path or Settings().systems
    if found is None:
        fail(UNSET)
    return found


def read_or_exit(path: Path, *, err: bool = False) -> tuple[SystemsFile, Locate]:
    """The file, or its problems printed (on stderr with ``err``) and exit 1."""
    systems, problems, locate = read_systems(path)
    if systems is None:
        _print(problems, err=err)
        raise typer.Exit(1)
    return systems, locate


def _print(problems: list[Problem], *, err: bool = False) -> None:
    """Each problem as ``location: message``, and a count of errors on stderr."""
    for problem in problems:
        typer.echo(str(problem), err=err)
    errors = sum(problem.severity == "error" for problem in problems)
    if errors:
        typer.echo(f"{errors} error(s)", err=True)


@app.command("check")
def check(
    path: PathArg = None,
    live: Annotated[
        bool, typer.Option("--live/--no-live", help="Also connect to each system.")
    ] = True,
) -> None:
    """Validate the file against the policy and each live system. Exit 1 if invalid."""
    systems, locate = read_or_exit(systems_path(path))
    with cli_errors():
        policy = load_policy(Settings().policy or bundled_policy_path())
    problems = check_systems(policy, systems, os.environ, locate)
    if live:
        problems += check_live(systems, os.environ, locate)
    _print(problems)
    if has_errors(problems):
        raise typer.Exit(1)
    warnings = f" ({len(problems)} warning(s))" if problems else ""
    typer.echo(f"{len(systems.systems)} system(s), the file is valid{warnings}", err=True)


@app.command("list")
def list_command(path: PathArg = None) -> None:
    """One line per system: id, kind, recipient, collections, the categories it holds."""
    systems, _ = read_or_exit(systems_path(path))
    for system_id, spec in systems.systems.items():
        categories = {
            field.category
            for collection in spec.collections.values()
            for field in collection.fields.values()
        }
        typer.echo(
            f"{system_id}  {spec.kind}  recipient {spec.recipient or '-'}  "
            f"collections {', '.join(spec.collections) or '-'}  "
            f"categories {', '.join(sorted(categories)) or '-'}"
        )


__all__ = ["app", "read_or_exit", "systems_path"]
