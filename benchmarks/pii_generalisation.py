"""Per-label precision, recall and F1 on the held-apart generated split, the train split and
dev.jsonl, as one Markdown table (the figures of docs/pii.md).

    .venv/bin/python benchmarks/pii_generalisation.py [--test-count 2000] [--train-count 4000]

Generates the splits with `training.pii.generate` (test: seed 2, train: seed 1, the seed the
PERSON model was trained on) and scores each with ``eval_pii.py`` through the in-process
adapter.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pii"
sys.path.insert(0, str(ROOT))

LABELS = (
    "PERSON", "EMAIL", "PHONE", "STREET_ADDRESS", "CREDIT_CARD", "US_SSN", "DATE_OF_BIRTH",
    "IP_ADDRESS", "ACCOUNT_ID",
)  # fmt: skip


def score(corpus: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        subprocess.run(
            [sys.executable, str(DATA / "eval_pii.py"), "--corpus", str(corpus), "--detector",
             "py:benchmarks/pii_adapter.py:make_detector", "--out", str(out)],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        result: dict[str, object] = json.loads(out.read_text())
        return result


def write_split(split: str, count: int, seed: int, path: Path) -> None:
    from training.pii.generate import generate

    with path.open("w") as fh:
        for row in generate(split, count, seed):  # type: ignore[arg-type]
            fh.write(json.dumps(row) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--test-count", type=int, default=2000)
    ap.add_argument("--train-count", type=int, default=4000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        test, train = Path(tmp) / "test.jsonl", Path(tmp) / "train.jsonl"
        write_split("test", args.test_count, 2, test)
        write_split("train", args.train_count, 1, train)
        sets = {"generated test (held apart)": test, "generated train": train,
                "dev.jsonl": DATA / "dev.jsonl"}  # fmt: skip
        results = {name: score(path) for name, path in sets.items()}
    print("| label | " + " | ".join(f"{n} P / R / F1" for n in results) + " |")
    print("| --- |" + " --- |" * len(results))
    for label in (*LABELS, "micro"):
        cells = []
        for res in results.values():
            row = _row(res, label)
            cells.append(" / ".join(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")))
        print(f"| {label} | " + " | ".join(cells) + " |")


def _row(result: dict[str, object], label: str) -> dict[str, float]:
    key = "overall_typed_micro" if label == "micro" else "per_label"
    found = result[key]
    assert isinstance(found, dict)
    row = found if label == "micro" else found[label]
    return {"precision": row["P"], "recall": row["R"], "f1": row["F1"]}


if __name__ == "__main__":
    main()
