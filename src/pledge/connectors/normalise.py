"""Database values as the access package holds them: JSON-ready, never raw bytes.

Why here and not in the package writer: each driver returns its own types
(``Decimal`` for NUMERIC, ``datetime`` for timestamps, ``memoryview`` or
``bytes`` for binary), and the package must read the same whichever database
the row came from.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from decimal import Decimal
from typing import Any


def json_value(value: Any) -> Any:
    """``value`` as JSON can carry it: text, number, bool or None.

    Decimals become text (no float rounding), dates and times ISO 8601 text,
    binary ``base64:`` text, and anything else unknown its text form."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "base64:" + base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def held(value: Any) -> bool:
    """Whether a column holds something (not NULL, not empty text)."""
    if value is None:
        return False
    return bool(str(value).strip()) if isinstance(value, str) else True


__all__ = ["held", "json_value"]
