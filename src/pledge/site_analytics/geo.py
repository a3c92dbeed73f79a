"""An IP address to a country, offline, from the database that ``geoip2fast`` ships.

Why this library: its data file is inside the PyPI package, so a lookup never
touches the network (its ``update_*`` functions would download, and are never
called). The IPv6 file holds IPv4 too. Loaded once per process on first use
(about 0.1 s); a private, reserved or unknown address has no country.
"""

from __future__ import annotations

import threading
from typing import Any

DATA_FILE = "geoip2fast-ipv6.dat.gz"
_lock = threading.Lock()
_reader: Any = None


def _database() -> Any:
    global _reader
    with _lock:
        if _reader is None:
            from geoip2fast import GeoIP2Fast

            _reader = GeoIP2Fast(geoip2fast_data_file=DATA_FILE, verbose=False)
        return _reader


def country_of(ip: str | None) -> str | None:
    """ISO 3166-1 alpha-2 of ``ip``'s country, or None; the address is not kept anywhere."""
    if not ip:
        return None
    found = _database().lookup(ip)
    code = getattr(found, "country_code", "") or ""
    if getattr(found, "is_private", False) or len(code) != 2 or not code.isalpha():
        return None
    return str(code).upper()
