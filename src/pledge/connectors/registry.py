"""The connected systems of one running Pledge: the file, read once, and a connector per system.

Why one registry per :class:`~pledge.core.Pledge`: a connector holds a
connection pool (or an HTTP client), built on first use and shared by every
request of the process; the file is read at the first use too, so a bad file
is reported where it is used (and by ``pledge systems check``) instead of
breaking processes that never reach a system.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from pledge.connectors.base import Connector, SystemMisdeclared
from pledge.connectors.load import load_systems
from pledge.connectors.spec import SystemKind, SystemsFile, SystemSpec
from pledge.core import Pledge

Factory = Callable[[str, SystemSpec, Mapping[str, str]], Connector]

FACTORIES: dict[SystemKind, Factory] = {}
"""How each kind of system is reached; filled by :func:`_factories` on first use."""


def _factories() -> dict[SystemKind, Factory]:
    if not FACTORIES:
        from pledge.connectors.http import http_connector_for
        from pledge.connectors.sql import connector_for

        for kind in (SystemKind.POSTGRESQL, SystemKind.MYSQL, SystemKind.SQLITE):
            FACTORIES[kind] = connector_for
        FACTORIES[SystemKind.HTTP] = http_connector_for
    return FACTORIES


class Systems:
    """The declared systems and their connectors (built lazily, one per system)."""

    def __init__(self, file: SystemsFile, environ: Mapping[str, str]) -> None:
        self.file = file
        self._environ = environ
        self._built: dict[str, Connector] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None, environ: Mapping[str, str] | None = None) -> Systems:
        """The systems of the file at ``path``; none when ``path`` is None."""
        file = SystemsFile() if path is None else load_systems(path)
        return cls(file, os.environ if environ is None else environ)

    @property
    def ids(self) -> list[str]:
        return sorted(self.file.systems)

    def spec(self, system_id: str) -> SystemSpec:
        found = self.file.systems.get(system_id)
        if found is None:
            raise SystemMisdeclared(f"{system_id}: no such system in PLEDGE_SYSTEMS")
        return found

    def secret(self, system_id: str) -> str | None:
        """The shared secret of an ``http`` system (callbacks are signed with it)."""
        name = self.spec(system_id).secret_env
        value = self._environ.get(name, "").strip() if name else ""
        return value or None  # trimmed as the connector trims it

    def connector(self, system_id: str) -> Connector:
        """The system's connector, built on first use and kept."""
        with self._lock:
            built = self._built.get(system_id)
            if built is None:
                spec = self.spec(system_id)
                built = _factories()[spec.kind](system_id, spec, self._environ)
                self._built[system_id] = built
            return built

    def close(self) -> None:
        with self._lock:
            for connector in self._built.values():
                connector.close()
            self._built.clear()


def systems_of(pledge: Pledge) -> Systems:
    """This Pledge's systems, from ``PLEDGE_SYSTEMS`` (read once)."""
    return pledge.state(Systems, lambda: Systems.load(pledge.settings.systems))


__all__ = ["FACTORIES", "Systems", "systems_of"]
