"""The mypyc build of the detector (`pledge.pii.native`): used only while it matches the
sources, and finds exactly the spans plain Python finds."""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pledge.pii
from pledge.pii.native import NATIVE_ROOT, build, native_dirs, source_digest

PII_DIR = Path(pledge.pii.__file__).resolve().parent
DEV = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "pii" / "dev.jsonl"


def _fake_build(root: Path, digest: str) -> Path:
    (root / "pii").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "SOURCE_DIGEST").write_text(digest + "\n")
    return root


def test_a_build_of_these_sources_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLEDGE_PII_NATIVE", raising=False)
    root = _fake_build(tmp_path / "native", source_digest(PII_DIR))
    assert native_dirs(PII_DIR, root) == (root / "pii", root / "lib")


def test_a_stale_or_missing_build_is_not_used(tmp_path: Path) -> None:
    assert native_dirs(PII_DIR, tmp_path / "nothing") is None
    root = _fake_build(tmp_path / "native", "0" * 64)
    assert native_dirs(PII_DIR, root) is None


def test_an_edited_module_makes_the_build_stale(tmp_path: Path) -> None:
    copy = tmp_path / "pii"
    copy.mkdir()
    for path in PII_DIR.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    before = source_digest(copy)
    (copy / "accounts.py").write_text((copy / "accounts.py").read_text() + "\n# edited\n")
    assert source_digest(copy) != before
    (copy / "native.py").write_text("# not compiled, not in the digest\n")
    (copy / "accounts.py").write_bytes((PII_DIR / "accounts.py").read_bytes())
    assert source_digest(copy) == before


def test_the_build_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _fake_build(tmp_path / "native", source_digest(PII_DIR))
    monkeypatch.setenv("PLEDGE_PII_NATIVE", "0")
    assert native_dirs(PII_DIR, root) is None


def _copy_of_sources(tmp_path: Path) -> Path:
    copy = tmp_path / "src" / "pii"
    copy.mkdir(parents=True)
    for path in PII_DIR.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    return copy


_DETECT = "import pledge.pii; print(len(pledge.pii.detect('Customer: mail me at jo@example.com')))"


@pytest.mark.parametrize("damaged", ["detector", "redact", "spans"])
def test_a_build_that_will_not_load_falls_back_to_plain_python(
    tmp_path: Path, damaged: str
) -> None:
    root = _fake_build(tmp_path / "native", source_digest(PII_DIR))
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (root / "pii" / f"{damaged}{suffix}").write_bytes(b"not a shared library")
    env = {k: v for k, v in os.environ.items() if k != "PLEDGE_PII_NATIVE"}
    done = subprocess.run(
        [sys.executable, "-c", _DETECT],
        env={**env, "PLEDGE_PII_NATIVE_DIR": str(root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    assert "compiled PII detector not loaded (ImportError)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_build_says_why_and_is_not_retried_for_the_same_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    copy = _copy_of_sources(tmp_path)
    (copy / "accounts.py").write_text((copy / "accounts.py").read_text() + "\ndef broken(:\n")
    root = tmp_path / "native"
    assert build(copy, root) is False
    assert "native build failed" in capsys.readouterr().err
    assert (tmp_path / "native.failed").read_text().strip() == source_digest(copy)
    assert not root.exists()
    assert build(copy, root) is False
    assert "failed before for these sources" in capsys.readouterr().err


def test_a_directory_holding_other_files_is_never_emptied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    assert build(_copy_of_sources(tmp_path), victim) is False
    assert "holds other files" in capsys.readouterr().err
    assert [p.name for p in victim.iterdir()] == ["keep.txt"]


def test_no_compiler_is_a_message_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CC", "/nonexistent/cc")
    assert build(_copy_of_sources(tmp_path), tmp_path / "native") is False
    assert "no C compiler found" in capsys.readouterr().err


def _native_required() -> None:
    if native_dirs(PII_DIR) is None:
        if os.environ.get("CI"):
            pytest.fail(f"no current native build in {NATIVE_ROOT}: scripts/bootstrap makes it")
        pytest.skip("no current native build (scripts/build-pii-native)")


_SPANS = """
import json, sys
import pledge.pii.accounts as accounts
from pledge.pii import Detector
detector = Detector()
print(accounts.__file__.endswith(".so"))
for line in open(sys.argv[1], encoding="utf-8"):
    text = json.loads(line)["text"]
    print(json.dumps([[s.start, s.end, s.label, s.score] for s in detector.detect(text)]))
"""


def _spans(corpus: Path, native: str) -> list[str]:
    env = {**os.environ, "PLEDGE_PII_NATIVE": native}
    out = subprocess.run(
        [sys.executable, "-c", _SPANS, str(corpus)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return out.stdout.splitlines()


@pytest.mark.slow
def test_the_native_build_finds_the_same_spans_as_plain_python(tmp_path: Path) -> None:
    _native_required()
    corpus = tmp_path / "corpus.jsonl"
    from training.pii.generate import generate

    rows = list(generate("train", 2000, 5))
    if DEV.exists():  # the benchmark corpus, beside the repository when it is there
        rows += [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    rows += [{"text": row["text"].lower()} for row in rows[:500]]
    rows += [{"text": row["text"].upper()} for row in rows[500:800]]
    corpus.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in rows))
    native, plain = _spans(corpus, "1"), _spans(corpus, "0")
    assert native[0] == "True"
    assert plain[0] == "False"
    assert len(native) == len(rows) + 1
    assert native[1:] == plain[1:]
