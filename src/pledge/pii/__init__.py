"""PII detection and redaction for customer-service transcripts.

    >>> from pledge.pii import detect, redact
    >>> text = "Customer: my email is jo@example.com"
    >>> redact(text, detect(text))
    'Customer: my email is [EMAIL]'

See ``docs/pii.md`` for how each label is found and how accuracy is measured.
"""

from __future__ import annotations

from pledge.pii.detector import Detector, detect
from pledge.pii.redact import redact
from pledge.pii.spans import LABELS, Span, merge_spans

__all__ = ["LABELS", "Detector", "Span", "detect", "merge_spans", "redact"]
