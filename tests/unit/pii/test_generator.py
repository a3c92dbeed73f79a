"""The training-data generator: exact format, determinism, held-apart families and names."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from training.pii import generate as gen
from training.pii.builder import LABELS
from training.pii.families import FAMILIES
from training.pii.names import is_held_out, name_tokens

COUNT = 200
LOOK_ALIKES = {"CASE", "TRACKING", "VERSION", "MODEL", "SERIAL", "TOTAL", "TIME", "DURATION",
               "PERCENT", "STORE", "PROMO", "LAST4", "MASKED_CARD", "MASKED_SSN", "DATE",
               "OLDDATE", "BOT"}  # fmt: skip


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[dict[str, Any]]]:
    return {split: list(gen.generate(split, COUNT, seed=7)) for split in gen.SPLITS}


def test_same_seed_gives_the_same_bytes(tmp_path: Any) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    for out, seed in ((a, 3), (b, 3), (c, 4)):
        assert (
            gen.main(["--split", "test", "--count", "60", "--seed", str(seed), "--out", str(out)])
            == 0
        )
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_rows_have_dev_jsonl_format(corpus: dict[str, list[dict[str, Any]]]) -> None:
    for rows in corpus.values():
        for row in rows:
            assert list(row) == ["id", "channel", "text", "spans", "distractors"]
            assert all(set(s) == {"start", "end", "label"} for s in row["spans"])
            assert all(set(d) == {"start", "end", "type"} for d in row["distractors"])
            json.dumps(row)


def test_spans_are_inside_non_empty_and_disjoint(corpus: dict[str, list[dict[str, Any]]]) -> None:
    for rows in corpus.values():
        for row in rows:
            text = row["text"]
            marks = sorted((s["start"], s["end"]) for s in row["spans"] + row["distractors"])
            for start, end in marks:
                assert 0 <= start < end <= len(text)
                assert text[start:end].strip() == text[start:end], (row["id"], text[start:end])
            for (_, end), (start, _) in itertools.pairwise(marks):
                assert end <= start, row["id"]
            assert {s["label"] for s in row["spans"]} <= set(LABELS)


def test_families_belong_to_one_split_and_are_many() -> None:
    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names)) >= 24
    assert {f.split for f in FAMILIES} == set(gen.SPLITS)
    assert not {f.name for f in gen.families("train")} & {f.name for f in gen.families("test")}


def test_each_split_uses_only_its_families(corpus: dict[str, list[dict[str, Any]]]) -> None:
    for split, rows in corpus.items():
        allowed = {f.name for f in gen.families(split)}
        used = {row["id"].split("-")[2] for row in rows}
        assert used == allowed


def _name_tokens(rows: list[dict[str, Any]]) -> set[str]:
    return {
        tok.casefold()
        for row in rows
        for s in row["spans"]
        if s["label"] == "PERSON"
        for tok in name_tokens(row["text"][s["start"] : s["end"]])
    }


def test_test_names_are_held_out_of_train(corpus: dict[str, list[dict[str, Any]]]) -> None:
    train, test = _name_tokens(corpus["train"]), _name_tokens(corpus["test"])
    assert not [t for t in train if is_held_out(t)]
    held = [t for t in test if is_held_out(t)]
    assert len(held) > len(test) * 0.8
    assert not set(held) & train


def test_both_splits_cover_every_label_and_channel(corpus: dict[str, list[dict[str, Any]]]) -> None:
    for rows in corpus.values():
        labels = Counter(s["label"] for row in rows for s in row["spans"])
        assert set(labels) == set(LABELS)
        assert {row["channel"] for row in rows} == {"web_chat", "sms", "call_transcript"}


def test_distractors_cover_the_look_alikes(corpus: dict[str, list[dict[str, Any]]]) -> None:
    kinds = {d["type"] for rows in corpus.values() for row in rows for d in row["distractors"]}
    assert kinds >= LOOK_ALIKES
    for rows in corpus.values():
        per_split = {d["type"] for row in rows for d in row["distractors"]}
        assert {"CASE", "VERSION", "DATE", "TOTAL"} <= per_split


def test_readme_lists_every_family_with_its_split() -> None:
    readme = (Path(__file__).parents[3] / "training" / "pii" / "README.md").read_text()
    for family in FAMILIES:
        assert f"| `{family.name}` | {family.split} | {family.channel} |" in readme
