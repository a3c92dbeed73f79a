"""Pledge: a privacy policy as code, and the system that keeps its promises.

The few entry points a program embedding Pledge needs::

    from pledge import Pledge, Settings, create_app, upgrade_schema

    pledge = Pledge(Settings())        # settings from PLEDGE_* environment variables
    upgrade_schema(pledge)             # migrations, policy version, projections
    app = create_app(pledge)           # the ASGI app (public pages, API, console)

Everything else is reached through the packages (``pledge.rights``,
``pledge.consent``...). The names are loaded on first use, so importing one
small part of Pledge (the PII detector, say) does not load the web stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pledge.core import Pledge
    from pledge.errors import PledgeError
    from pledge.policy import Policy, load_policy
    from pledge.settings import Settings
    from pledge.startup import upgrade_schema
    from pledge.web.app import create_app

__all__ = [
    "Pledge",
    "PledgeError",
    "Policy",
    "Settings",
    "create_app",
    "load_policy",
    "upgrade_schema",
]

_HOMES = {
    "Pledge": "pledge.core",
    "PledgeError": "pledge.errors",
    "Policy": "pledge.policy",
    "Settings": "pledge.settings",
    "create_app": "pledge.web.app",
    "load_policy": "pledge.policy",
    "upgrade_schema": "pledge.startup",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pledge' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
