"""``pledge policy``: validate and render the policy file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pledge.cli.common import cli_errors
from pledge.policy import (
    bundled_policy_path,
    check_policy_file,
    load_policy,
    render_html,
    render_markdown,
    render_ropa_csv,
)
from pledge.settings import Settings

app = typer.Typer(help="Validate and render the policy.", no_args_is_help=True)

PathArg = Annotated[
    Path | None,
    typer.Argument(help="Policy YAML; default PLEDGE_POLICY or the bundled policy."),
]


class Format(StrEnum):
    html = "html"
    markdown = "markdown"
    ropa = "ropa"


def _path(path: Path | None) -> Path:
    return path or Settings().policy or bundled_policy_path()


@app.command("check")
def check(path: PathArg = None) -> None:
    """Validate a policy file; prints each problem as `location: message`. Exit 1 if invalid."""
    problems = check_policy_file(_path(path))
    for problem in problems:
        typer.echo(str(problem))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        typer.echo(f"{len(errors)} error(s)", err=True)
        raise typer.Exit(1)
    typer.echo("policy is valid", err=True)


@app.command("render")
def render(
    path: PathArg = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="html, markdown or ropa (CSV)")
    ] = Format.html,
) -> None:
    """Print the public policy (HTML or Markdown) or the record of processing activities (CSV)."""
    with cli_errors():
        policy = load_policy(_path(path))
    renderers = {
        Format.html: render_html,
        Format.markdown: render_markdown,
        Format.ropa: render_ropa_csv,
    }
    typer.echo(renderers[fmt](policy), nl=False)
