"""Replace detected spans by typed placeholders such as ``[EMAIL]``.

Offsets are Python str indices, so slicing works the same for ASCII and non-ASCII text;
the spans are merged first so overlapping input cannot corrupt the output.
"""

from __future__ import annotations

from collections.abc import Iterable

from pledge.pii.spans import Span, merge_spans

__all__ = ["redact"]


def redact(text: str, spans: Iterable[Span]) -> str:
    """*text* with each span replaced by ``[LABEL]``; spans beyond the text are clipped."""
    parts: list[str] = []
    pos = 0
    for span in merge_spans(spans):
        start, end = max(span.start, pos), min(span.end, len(text))
        if start >= end:
            continue
        parts.append(text[pos:start])
        parts.append(f"[{span.label}]")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
