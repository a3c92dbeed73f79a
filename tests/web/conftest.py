"""Helpers for HTTP tests; the ``client`` and key fixtures live in tests/conftest.py."""

from __future__ import annotations


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
