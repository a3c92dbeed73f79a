"""A quick accuracy check on the first 200 benchmark transcripts (skipped without the data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pledge.pii import detect

# tests/unit/pii/<this file> -> parents[3] is the repository root; the data sits beside it.
DEV = Path(__file__).resolve().parents[3].parent / "shared/data/pii/dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason="benchmark corpus not available")
def test_first_200_micro_f1() -> None:
    tp_gold = n_gold = tp_pred = n_pred = 0
    with DEV.open(encoding="utf-8") as fh:
        records = [json.loads(line) for _, line in zip(range(200), fh, strict=False)]
    for rec in records:
        gold = [(g["start"], g["end"], g["label"]) for g in rec["spans"]]
        pred = [(s.start, s.end, s.label) for s in detect(rec["text"])]

        def hit(a: tuple[int, int, str], pool: list[tuple[int, int, str]]) -> bool:
            return any(a[2] == b[2] and a[0] < b[1] and b[0] < a[1] for b in pool)

        n_gold += len(gold)
        n_pred += len(pred)
        tp_gold += sum(hit(g, pred) for g in gold)
        tp_pred += sum(hit(p, gold) for p in pred)
    precision, recall = tp_pred / n_pred, tp_gold / n_gold
    assert 2 * precision * recall / (precision + recall) >= 0.9
