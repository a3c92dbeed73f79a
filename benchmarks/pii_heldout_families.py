"""PERSON precision, recall and F1 on *train* families held out of the model's training.

    .venv/bin/python benchmarks/pii_heldout_families.py FAMILY[,FAMILY...] [--show 20]

Trains the PERSON model (as `training.pii.train_person` does, in memory, nothing written) on
the train split without the named families, then runs the whole detector with those weights
on up to 600 transcripts of the held-out families and prints P/R/F1 per family, with
`--show` errors.  This is how rules and features are tuned without looking at the test
split: its misses show what phrasing the model has not learned (issue #16).  Matching is by
overlap, as `eval_pii.py` does.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def _family(row: dict[str, Any]) -> str:
    return str(row["id"]).split("-")[2]


def _marked(text: str, start: int, end: int) -> str:
    """The span in [[brackets]] with some context either side."""
    return f"{text[max(0, start - 50) : start]}[[{text[start:end]}]]{text[end : end + 20]}"


def main() -> None:
    from training.pii import train_person as tp
    from training.pii.generate import generate

    from pledge.pii import Detector
    from pledge.pii import person_model as pm

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("families", help="comma-separated train families to hold out")
    ap.add_argument("--show", type=int, default=0, help="errors to print")
    args = ap.parse_args()
    held = set(args.families.split(","))
    rows = list(generate("train", 4000, 1))
    unknown = held - {_family(r) for r in rows}
    if unknown:
        raise SystemExit(f"not train families: {sorted(unknown)}")
    kept = [r for r in rows if _family(r) not in held]
    shown = [r for r in rows if _family(r) in held][:600]
    with contextlib.redirect_stdout(io.StringIO()):
        weights = tp.train(kept + tp.negatives(1000, 1), 6, 1)
    data = json.loads(gzip.decompress(tp.export(weights, {})))
    model = pm.PersonModel(data["word"], data["context"])
    pm.load_model = lambda: model  # type: ignore[assignment]
    detector = Detector(labels=["PERSON"])
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    errors: list[str] = []
    for row in shown:
        text = row["text"]
        gold = [(s["start"], s["end"]) for s in row["spans"] if s["label"] == "PERSON"]
        pred = [(s.start, s.end) for s in detector.detect(text)]
        c = counts[_family(row)]
        for p in pred:
            hit = any(p[0] < g[1] and g[0] < p[1] for g in gold)
            c[0] += 1
            c[1] += hit
            if not hit:
                errors.append(f"FP {_family(row)} {_marked(text, p[0], p[1])!r}")
        for g in gold:
            hit = any(p[0] < g[1] and g[0] < p[1] for p in pred)
            c[2] += 1
            c[3] += hit
            if not hit:
                errors.append(f"FN {_family(row)} {_marked(text, g[0], g[1])!r}")
    total = [sum(c[i] for c in counts.values()) for i in range(4)]
    for name, c in [*sorted(counts.items()), ("all", total)]:
        p, r = c[1] / max(c[0], 1), c[3] / max(c[2], 1)
        f1 = 2 * p * r / max(p + r, 1e-9)
        print(f"{name:22} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (pred {c[0]}, gold {c[2]})")
    random.Random(0).shuffle(errors)
    for line in errors[: args.show]:
        print(line)


if __name__ == "__main__":
    main()
