"""In-process adapter for ``eval_pii.py``.

--detector py:benchmarks/pii_adapter.py:make_detector
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))


def make_detector() -> Callable[[str], list[tuple[int, int, str]]]:
    """Build Pledge's detector once; return ``text -> [(start, end, label)]``."""
    from pledge.pii import Detector

    detector = Detector()

    def detect(text: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.label) for s in detector.detect(text)]

    return detect
