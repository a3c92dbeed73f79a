"""Evidence of a consent: enough to prove it, no more than needed.

An IP address is personal data; a /24 (IPv4) or /48 (IPv6) network still
shows where a choice came from (country, provider) without pointing at one
household, which is what proof of consent needs.
"""

from __future__ import annotations

import hashlib
import ipaddress

MAX_USER_AGENT = 512


def truncate_ip(value: str | None) -> str | None:
    """The network of an address: IPv4 /24, IPv6 /48; None when absent or unreadable."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def short_user_agent(value: str | None) -> str | None:
    """The user agent, cut to a bounded length (some send kilobytes)."""
    if not value:
        return None
    return value[:MAX_USER_AGENT]


def text_hash(text: str) -> str:
    """SHA-256 of the wording shown, whitespace-normalised so re-wrapping does not change it."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()
