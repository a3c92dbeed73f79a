"""The console's connected systems and data map (``ropa.read``): where each category lives.

The data map belongs with the record of processing, so the page takes that
permission (privacy officers, auditors, administrators). It is drawn from
the file alone: the page never connects to a system (a slow or absent one
must not hold a page up), and shows the checks that need no connection, so a
misdeclared file is seen where the officer looks. ``pledge systems check``
connects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pledge.connectors.check import check_systems, has_errors
from pledge.connectors.data_map import Holding, data_map, locations_by_category
from pledge.connectors.load import read_systems
from pledge.connectors.spec import SystemsFile
from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.policy import Problem
from pledge.web.console import page
from pledge.web.deps import PledgeDep, require

router = APIRouter(include_in_schema=False)
MapReader = Annotated[StaffPrincipal, require(Permission.ROPA_READ)]


@dataclass
class SystemsView:
    """What the page shows: the file (when it reads), its problems, nothing when unset."""

    configured: bool
    systems: SystemsFile | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.systems is not None and not has_errors(self.problems)


def read_configured(pledge: Pledge) -> SystemsView:
    """``PLEDGE_SYSTEMS`` read and checked against the policy, without connecting."""
    path = pledge.settings.systems
    if path is None:
        return SystemsView(configured=False)
    systems, problems, locate = read_systems(path)
    if systems is None:
        return SystemsView(configured=True, problems=problems)
    problems = check_systems(pledge.policy, systems, os.environ, locate)
    return SystemsView(configured=True, systems=systems, problems=problems)


def system_places(pledge: Pledge) -> dict[str, list[str]] | None:
    """Category -> ``system.collection`` for the record of processing, as the CLI gives it.

    None (no column) when ``PLEDGE_SYSTEMS`` is unset or the file does not read.
    """
    path = pledge.settings.systems
    systems = read_systems(path)[0] if path is not None else None
    return None if systems is None else locations_by_category(systems)


@router.get("/admin/systems")
def systems_page(request: Request, pledge: PledgeDep, staff: MapReader) -> Response:
    view = read_configured(pledge)
    holdings: dict[str, list[Holding]] = data_map(view.systems) if view.systems else {}
    categories = [(c, holdings.get(c.id, [])) for c in pledge.policy.categories]
    return page(
        request,
        "systems",
        principal=staff,
        view=view,
        categories=categories,
        policy=pledge.policy,
    )
