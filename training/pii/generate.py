"""Generate labelled transcripts for one split: ``python -m training.pii.generate``.

Writes dev.jsonl's format (id, channel, text, spans, distractors) with Python character
offsets. The output depends only on (split, count, seed) and the pinned Faker version.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from training.pii.builder import Transcript
from training.pii.context import Ctx, make_persona
from training.pii.families import FAMILIES, Family
from training.pii.names import Split

SPLITS: tuple[Split, ...] = ("train", "test")


def families(split: Split) -> list[Family]:
    """The families of one split, in a fixed order."""
    return [f for f in FAMILIES if f.split == split]


def one(family: Family, split: Split, rng: random.Random, ident: str) -> dict[str, Any]:
    """Write one conversation of a family."""
    persona = make_persona(rng, split, family.region)
    t = Transcript(rng, family.style)
    ctx = Ctx(rng, split, t, persona, spoken=family.spoken, date_order=family.date_order)
    family.write(ctx)
    return {
        "id": ident,
        "channel": family.channel,
        "text": t.text(),
        "spans": t.spans,
        "distractors": t.distractors,
    }


def generate(split: Split, count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Yield ``count`` transcripts of the split; families take turns, values vary by seed."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    fams = families(split)
    for i in range(count):
        rng = random.Random(f"{seed}:{split}:{i}")
        family = fams[i % len(fams)]
        yield one(family, split, rng, f"gen-{split}-{family.name}-{seed}-{i:05d}")


def stats(rows: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Counts per label, distractor type, channel and family."""
    out: dict[str, Counter[str]] = {k: Counter() for k in ("labels", "distractors", "channels")}
    for row in rows:
        out["labels"].update(s["label"] for s in row["spans"])
        out["distractors"].update(d["type"] for d in row["distractors"])
        out["channels"][row["channel"]] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", choices=SPLITS, required=True)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    rows = list(generate(args.split, args.count, args.seed))
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size / 1e6
    print(f"{args.split}: {len(rows)} transcripts, {size:.2f} MB, {elapsed:.1f} s -> {args.out}")
    for name, counter in stats(rows).items():
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
