"""A user-agent string to what the policy calls "browser type": families and a device class.

Parsed by ``ua-parser`` with the rules of ``ua-parser-builtins`` (both on
PyPI, kept up to date upstream); only the browser family and major version,
the OS family and a coarse device class are kept, never the string itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ua_parser import parse

MOBILE_OS = {"Android", "iOS", "iPadOS", "Windows Phone", "BlackBerry OS", "KaiOS"}


@dataclass(frozen=True)
class Agent:
    browser_family: str
    browser_major: str | None
    os_family: str
    device_class: str
    """``desktop``, ``mobile``, ``tablet`` or ``bot``."""


def _device_class(user_agent: str, device: str, os_family: str) -> str:
    if device == "Spider":
        return "bot"
    if "iPad" in user_agent or "Tablet" in user_agent or device.startswith("iPad"):
        return "tablet"
    if os_family == "Android" and "Mobile" not in user_agent:
        return "tablet"
    if os_family in MOBILE_OS or "Mobile" in user_agent:
        return "mobile"
    return "desktop"


def describe(user_agent: str | None) -> Agent:
    """The families of ``user_agent`` (``Other`` when unknown), cut to the stored lengths."""
    text = (user_agent or "")[:1024]
    result = parse(text)
    browser = result.user_agent
    os = result.os
    device = result.device.family if result.device else "Other"
    os_family = os.family if os else "Other"
    return Agent(
        browser_family=(browser.family if browser else "Other")[:64],
        browser_major=(browser.major[:16] if browser and browser.major else None),
        os_family=os_family[:64],
        device_class=_device_class(text, device, os_family),
    )
