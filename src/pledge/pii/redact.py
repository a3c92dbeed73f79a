"""Replace detected spans by typed placeholders such as ``[EMAIL]``.

Offsets are Python str indices, so slicing works the same for ASCII and non-ASCII text;
the spans are merged first so overlapping input cannot corrupt the output.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable

from pledge.pii.spans import Span, _rank, merge_spans

__all__ = ["redact"]


def redact(text: str, spans: Iterable[Span]) -> str:
    """*text* with each span replaced by ``[LABEL]``; spans beyond the text are clipped.

    Every character any span claims is redacted, not only those of the spans the merge
    keeps: a candidate the merge drops for overlapping a kept one still has its other
    characters replaced, under its own label.  Merging alone once let a name that ran into an
    address leave part of it in clear; the detector now cuts such names back itself, and this
    is the guarantee for spans from anywhere else.
    """
    claimed = {s for s in spans if s.start < len(text)}
    kept = merge_spans(claimed)
    parts: list[str] = []
    pos = 0
    for span in sorted(kept + _leftovers(claimed, kept)):
        start, end = max(span.start, pos), min(span.end, len(text))
        if start >= end:
            continue
        parts.append(text[pos:start])
        parts.append(f"[{span.label}]")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _leftovers(claimed: set[Span], kept: list[Span]) -> list[Span]:
    """The parts of dropped candidates that no kept span (or better dropped one) covers."""
    dropped = claimed.difference(kept)
    if not dropped:
        return []
    covered = [(s.start, s.end) for s in kept]  # sorted and disjoint, as merge_spans returns
    out: list[Span] = []
    for span in sorted(dropped, key=_rank):
        pos = span.start
        index = max(0, bisect_right(covered, (pos, pos)) - 1)
        gaps: list[tuple[int, int]] = []
        while pos < span.end:
            if index < len(covered) and covered[index][0] < span.end:
                start, end = covered[index]
                if start > pos:
                    gaps.append((pos, start))
                pos = max(pos, end)
                index += 1
            else:
                gaps.append((pos, span.end))
                break
        for start, end in gaps:
            out.append(Span(start, end, span.label, span.score))
            insort(covered, (start, end))
    return out
