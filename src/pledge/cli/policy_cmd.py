"""``pledge policy``: validate and render the policy file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from pledge.announcements import publish
from pledge.cli.common import cli_errors
from pledge.cli.systems_cmd import read_or_exit
from pledge.connectors.data_map import locations_by_category
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
    if fmt is Format.ropa:
        typer.echo(render_ropa_csv(policy, _system_places()), nl=False)
        return
    renderers = {Format.html: render_html, Format.markdown: render_markdown}
    typer.echo(renderers[fmt](policy), nl=False)


def _system_places() -> dict[str, list[str]] | None:
    """Category -> ``system.collection`` from ``PLEDGE_SYSTEMS``; None when unset (no column)."""
    path = Settings().systems
    if path is None:
        return None
    systems, _ = read_or_exit(path, err=True)
    return locations_by_category(systems)


@app.command("publish")
def publish_policy(
    mail_now: Annotated[
        bool,
        typer.Option(
            "--mail-now", help="Queue the change mails now rather than by the periodic task."
        ),
    ] = False,
) -> None:
    """Publish the policy at PLEDGE_POLICY (what every start does): number it and record what
    changed; a material change is then mailed to everyone with a live e-mail address."""
    from pledge.announcements import send_change_notices
    from pledge.cli.common import build_pledge
    from pledge.startup import upgrade_schema

    with cli_errors():
        pledge = build_pledge()
        try:
            upgrade_schema(pledge)  # publishes, as every start does
            published = publish(pledge)
            mailed = send_change_notices(pledge) if mail_now and published.material else 0
        finally:
            pledge.dispose()
    for line in _summary(published.number, published.changes):
        typer.echo(line)
    if published.material:
        typer.echo(
            f"material change: {mailed} mails queued now"
            if mail_now
            else "material change: every person with a live e-mail address will be mailed"
        )


def _summary(number: int, changes: dict[str, Any] | None) -> list[str]:
    """One line per change, naming ids (the policy's own, never anyone's data)."""
    lines = [f"policy version {number} is in force"]
    if changes is None:
        return [*lines, "the first version: nothing to compare with"]
    for section in ("categories", "purposes", "recipients", "rights"):
        for kind in ("added", "removed", "changed"):
            if changes[section][kind]:
                lines.append(f"{section} {kind}: {', '.join(changes[section][kind])}")
    for kind in ("longer", "shorter", "changed"):
        if changes["retention"][kind]:
            lines.append(f"retention {kind}: {', '.join(changes['retention'][kind])}")
    if changes["cookies"]:
        lines.append("cookies changed: the banner asks every visitor again")
    if len(lines) == 1:
        lines.append("no change from the version before")
    return lines
