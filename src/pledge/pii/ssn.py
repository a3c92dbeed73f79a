"""US Social Security numbers.

Validity follows the SSA rules (via :mod:`stdnum.us.ssn`): area not 000, 666 or 900-999,
group not 00, serial not 0000.  A 3-2-4 grouping is distinctive enough on its own; a bare or
spoken nine-digit run needs an SSN cue in the turn or an SSN question just before it (and
no account or look-alike cue of the reply's own before it),
because order and account numbers are often nine digits too.
"""

from __future__ import annotations

import re

from stdnum.us import ssn as us_ssn

from pledge.pii.accounts import nearest_cue
from pledge.pii.context import Doc
from pledge.pii.spans import Span

__all__ = ["find_ssns", "is_valid_ssn"]

_SSN_CUE = re.compile(r"\bssn\b|social|\bss#|\bss no|tax ?id|\btin\b")


def is_valid_ssn(digits: str) -> bool:
    """Nine digits obeying the SSA area/group/serial rules."""
    return len(digits) == 9 and digits.isdigit() and bool(us_ssn.is_valid(digits))


def find_ssns(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    for run in doc.runs:
        if len(run.digits) != 9 or run.plus or run.start in doc.negative:
            continue
        if not is_valid_ssn(run.digits):
            continue
        grouped = [len(g) for g in run.groups] == [3, 2, 4]
        turn = doc.turn_at(run.start)
        if _SSN_CUE.search(doc.low, turn.body, run.start):
            cued = True
        else:
            # "SSN or account number?" - "member ID 178 500 523": the reply's own cue decides
            cued = turn.topic == "US_SSN" and nearest_cue(doc, run.start) in (None, "OTHER")
        if grouped or cued:
            spans.append(Span(run.start, run.end, "US_SSN"))
    return spans
