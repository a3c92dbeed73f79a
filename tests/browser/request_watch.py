"""Every request a Chromium context makes, watched from now on, and the beacon's among them."""

from __future__ import annotations

from typing import Any


def watched(context: Any) -> list[str]:
    """The URLs of every request the context makes from now on."""
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    return seen


def beacon_traffic(seen: list[str]) -> list[str]:
    return [url for url in seen if "/beacon" in url]
