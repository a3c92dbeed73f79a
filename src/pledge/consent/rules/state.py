"""The current consent state is derived from the ledger: the latest event wins.

Pure, so the history page, the projection rebuild and tests all derive it the
same way from whatever events they hold (ORM rows or plain objects).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar


class _Event(Protocol):
    @property
    def purpose(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def recorded_at(self) -> datetime: ...


E = TypeVar("E", bound=_Event)


def current_state(events: Iterable[E]) -> dict[tuple[str, str], E]:
    """The latest event per (purpose, channel).

    Events recorded at the same instant keep the order given (the later wins).
    """
    latest: dict[tuple[str, str], E] = {}
    for event in events:
        key = (event.purpose, event.channel)
        held = latest.get(key)
        if held is None or event.recorded_at >= held.recorded_at:
            latest[key] = event
    return latest
