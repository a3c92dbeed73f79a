"""Write every span the PII detector finds on a fixed set of corpora, to check that a change
meant only to make it faster changes no output.

    .venv/bin/python benchmarks/pii_same_output.py OUT [--quick]
    diff BASELINE OUT    # empty: the change alters no span

Corpora: ``dev.jsonl`` (from ``<repo>/../shared/data/pii/``), the generated train split
(seed 1, 4,000 transcripts, the PERSON model's training data) and test split (seed 2, 2,000),
as in ``benchmarks/pii_generalisation.py``; unless ``--quick``, also dev.jsonl lower-cased,
upper-cased, with CRLF line ends and with curly apostrophes, and the test split of seed 3,
to reach paths the three corpora may not.  Each corpus is run by a fresh `Detector` in a
fresh process (caches cold, as in the benchmark), then a second time in the same process
(caches warm): both passes must agree, and the file holds one line per transcript with
``start end label score`` of each span.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pii"

CORPORA = ("dev", "train", "test")
EXTRA = ("dev-lower", "dev-upper", "dev-crlf", "dev-curly", "test-seed3")


def texts(corpus: str) -> Iterator[tuple[str, str]]:
    """(id, text) of each transcript of *corpus*."""
    if corpus.startswith("dev"):
        variant = corpus.partition("-")[2]
        with (DATA / "dev.jsonl").open() as fh:
            for line in fh:
                row = json.loads(line)
                text = row["text"]
                if variant == "lower":
                    text = text.lower()
                elif variant == "upper":
                    text = text.upper()
                elif variant == "crlf":
                    text = text.replace("\n", "\r\n")
                elif variant == "curly":
                    text = text.replace("'", "\u2019")
                yield row["id"], text
        return
    sys.path.insert(0, str(ROOT))
    from training.pii.generate import generate

    split, count, seed = {
        "train": ("train", 4000, 1),
        "test": ("test", 2000, 2),
        "test-seed3": ("test", 2000, 3),
    }[corpus]
    for row in generate(split, count, seed):  # type: ignore[arg-type]
        yield row["id"], row["text"]


def run_one(corpus: str) -> list[str]:
    """Lines for *corpus*: a cold pass, checked against a warm pass in the same process."""
    from pledge.pii import Detector

    rows = list(texts(corpus))
    passes = []
    for _ in range(2):
        detector = Detector()
        lines = []
        for ident, text in rows:
            spans = detector.detect(text)
            cells = " ".join(f"{s.start}:{s.end}:{s.label}:{s.score!r}" for s in spans)
            lines.append(f"{corpus}\t{ident}\t{cells}")
        passes.append(lines)
    if passes[0] != passes[1]:
        raise SystemExit(f"{corpus}: a second pass (warm caches) differs from the first")
    return passes[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--quick", action="store_true", help="only dev, train and test")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # a child process: one corpus to stdout
    args = ap.parse_args()
    if args.one:
        sys.stdout.write("".join(line + "\n" for line in run_one(args.one)))
        return
    if args.out is None:
        ap.error("OUT is required")
    corpora = CORPORA if args.quick else CORPORA + EXTRA
    chunks: list[Any] = []
    for corpus in corpora:
        done = subprocess.run(
            [sys.executable, __file__, "--one", corpus],
            check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        chunks.append(done.stdout)
        print(f"{corpus}: {done.stdout.count(chr(10))} transcripts", file=sys.stderr)
    args.out.write_text("".join(chunks))


if __name__ == "__main__":
    main()
