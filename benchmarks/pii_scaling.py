"""How PII detection and ingestion's pure core grow with transcript size.

    .venv/bin/python benchmarks/pii_scaling.py [--sizes 25000,50000,...] [--repeat 3]

For each size it builds a transcript dense with values (e-mails, phones, names, account
numbers: the kind of text that gives the span merge the most candidates), times
``pledge.pii.detect`` and ``pledge.service_data.ingestion.process`` (detection, turn
mapping, extraction, redaction) and prints the best of ``--repeat`` runs, the number of
spans, microseconds per character and the growth against the previous size. Linear
growth doubles the time when the size doubles (ratio 2.0); the former quadratic merge
gave ratios near 4. ``--reference`` also times the former quadratic merge on the same
candidates, to show the difference on this machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

from pledge.pii import Span, detect, merge_spans
from pledge.pii.context import make_doc
from pledge.pii.detector import _FAMILIES
from pledge.pii.spans import _rank
from pledge.service_data.ingestion import process
from pledge.service_data.instructions import Instructions
from pledge.service_data.schemas import Turn

LINES = (
    "I'm Maria, mail m{n}@ex.net or ann{n}@ex.org, call 617-555-{m:04d} or 212-555-{m:04d}",
    "the account number?",
    "account 4417{m:04d}81, card 4111 1111 1111 1111, ssn 078-05-{m:04d}",
    "and where do you live?",
    "{n} Main Street, Springfield, IL 62704, born March 3, 1984",
)
INSTRUCTIONS = Instructions.model_validate(
    {
        "collect": [
            {"field": "account_number", "kind": "ACCOUNT_ID"},
            {"field": "callback_phone", "kind": "PHONE"},
        ],
        "retention_days": 30,
    }
)


def turns_of(size: int) -> list[Turn]:
    turns: list[Turn] = []
    total, n = 0, 0
    while total < size:
        text = LINES[n % len(LINES)].format(n=n, m=n % 10_000)
        speaker = "customer" if n % 2 == 0 else "agent"
        turns.append(Turn(speaker=speaker, text=text))
        total += len(speaker) + len(text) + 3
        n += 1
    return turns


def transcript_of(turns: list[Turn]) -> str:
    return "\n".join(f"{turn.speaker}: {turn.text}" for turn in turns)


def best_of(repeat: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def quadratic_merge(spans: list[Span]) -> list[Span]:
    accepted: list[Span] = []
    for cand in sorted(set(spans), key=_rank):
        if not any(cand.overlaps(a) for a in accepted):
            accepted.append(cand)
    return sorted(accepted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000,200000,400000,800000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", action="store_true", help="also time the old merge")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    header = (
        f"{'chars':>9} {'spans':>7} {'detect s':>9} {'us/char':>8} {'x prev':>7} {'process s':>10}"
    )
    if args.reference:
        header += f" {'merge s':>8} {'old merge s':>12}"
    print(header)
    previous: float | None = None
    for size in sizes:
        turns = turns_of(size)
        text = transcript_of(turns)
        spans = detect(text)
        seconds = best_of(args.repeat, partial(detect, text))
        processed = best_of(args.repeat, partial(process, INSTRUCTIONS, turns))
        growth = f"{seconds / previous:7.2f}" if previous else f"{'-':>7}"
        line = (
            f"{len(text):>9} {len(spans):>7} {seconds:>9.3f} "
            f"{seconds / len(text) * 1e6:>8.2f} {growth} {processed:>10.3f}"
        )
        if args.reference:
            doc = make_doc(text)
            candidates = [span for family in _FAMILIES for span in family(doc)]
            merged = best_of(1, partial(merge_spans, candidates))
            old = best_of(1, partial(quadratic_merge, candidates))
            line += f" {merged:>8.3f} {old:>12.3f}"
        print(line, flush=True)
        previous = seconds


if __name__ == "__main__":
    main()
