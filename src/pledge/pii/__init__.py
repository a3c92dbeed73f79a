"""PII detection and redaction for customer-service transcripts.

    >>> from pledge.pii import detect, redact
    >>> text = "Customer: my email is jo@example.com"
    >>> redact(text, detect(text))
    'Customer: my email is [EMAIL]'

See ``docs/pii.md`` for how each label is found and how accuracy is measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pledge.pii.native import native_dirs

# A compiled build of these modules, when one matches their source (`pledge.pii.native`).
_native = native_dirs(Path(__file__).resolve().parent)
if _native is not None:
    __path__.insert(0, str(_native[0]))
    sys.path.append(str(_native[1]))

from pledge.pii.detector import Detector, detect  # noqa: E402 - after the build is on __path__
from pledge.pii.redact import redact  # noqa: E402 - after the build is on __path__
from pledge.pii.spans import LABELS, Span, merge_spans  # noqa: E402 - after the build is on __path__

__all__ = ["LABELS", "Detector", "Span", "detect", "merge_spans", "redact"]
