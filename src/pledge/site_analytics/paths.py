"""A page's path as log data keeps it: the page, not whoever or whatever it was about.

Some paths carry what must not be kept: a capability token (``/u/<token>``,
``/forms/confirm/<token>``), a request id, an e-mail address, an order
number. Each segment that looks like one becomes a placeholder, so
``/u/3f9a…`` and ``/u/77c1…`` count as one page and nothing in the table
opens anything or names anyone.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

EMAIL = ":email"
ID = ":id"
_LONG = 16
"""A segment this long with a digit in it is a token or an id, not a page's name."""
_NUMBER = re.compile(r"\d{5,}")
"""Five digits or more in a row: an order or account number (a year has four)."""


def generalise(path: str) -> str:
    """``/u/AbC123…/prefs`` → ``/u/:id/prefs``; ``/team/ada@x.org`` → ``/team/:email``."""
    return "/".join(_segment(part) for part in path.split("/"))


def _segment(part: str) -> str:
    text = unquote(part)
    if "@" in text:
        return EMAIL
    has_digit = any(c.isdigit() for c in text)
    if (len(text) >= _LONG and has_digit) or _NUMBER.search(text):
        return ID
    return part
