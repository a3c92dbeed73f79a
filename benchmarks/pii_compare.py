"""Compare Pledge's PII detector with Presidio on the benchmark transcripts.

    .venv/bin/python benchmarks/pii_compare.py [--corpus PATH] [--presidio-python PATH]

Runs ``eval_pii.py`` (found in ``<repo>/../shared/data/pii/``) once for Pledge through the
in-process adapter ``benchmarks/pii_adapter.py`` and, when ``--presidio-python`` names the
interpreter of a virtual environment made from ``requirements-presidio.txt``, once for
Presidio with that interpreter.  Prints per-label F1, micro P/R/F1, MB/s and start-up side
by side.  Both runs pin one CPU core (the evaluator does it), on the same machine, in the
same session, since timings are only comparable that way.

``--rounds N`` runs the pair N times, alternating, and prints each round's throughput (by
the wall clock, as the evaluator reports it, and by CPU time) and the ratio, then the
median ratio: on a shared virtual machine one run's speed varies by 10-20 % from minute to
minute, so a single pair can land either side of a threshold.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "pii"
LABELS = [
    "PERSON",
    "EMAIL",
    "PHONE",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "US_SSN",
    "DATE_OF_BIRTH",
    "IP_ADDRESS",
    "ACCOUNT_ID",
]


def run_eval(python: str, detector: str, corpus: Path, repeat: int) -> dict[str, Any]:
    """Run the evaluator and return its JSON results."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [python, str(DATA / "eval_pii.py"), "--corpus", str(corpus)]
        cmd += ["--detector", detector, "--repeat", str(repeat), "--out", str(out)]
        subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def table(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    head = f"{'':16}" + "".join(f"{n:>22}" for n in names)
    lines = [head, f"{'label (P/R/F1)':16}"]
    for label in LABELS:
        cells = []
        for n in names:
            v = results[n]["per_label"][label]
            cells.append(f"{v['P']:.3f}/{v['R']:.3f}/{v['F1']:.3f}")
        lines.append(f"{label:16}" + "".join(f"{c:>22}" for c in cells))
    rows = [
        ("MICRO typed", lambda r: "{P:.3f}/{R:.3f}/{F1:.3f}".format(**r["overall_typed_micro"])),
        (
            "MICRO w/o P,SA",
            lambda r: "{P:.3f}/{R:.3f}/{F1:.3f}".format(**r["overall_typed_micro_pattern_labels"]),
        ),
        ("MB/s", lambda r: f"{r['perf']['MB_per_s']:.3f}"),
        ("start-up s", lambda r: f"{r['perf']['load_s']:.2f}"),
        ("p50 ms", lambda r: f"{r['perf']['latency_ms_p50'] or 0:.2f}"),
    ]
    for title, fmt in rows:
        lines.append(f"{title:16}" + "".join(f"{fmt(results[n]):>22}" for n in names))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DATA / "dev.jsonl")
    ap.add_argument("--presidio-python", help="python of a venv with Presidio installed")
    # one pass: a second would find every turn in the PERSON model's cache
    ap.add_argument("--repeat", type=int, default=1, help="timed passes for Pledge")
    ap.add_argument("--rounds", type=int, default=1, help="Pledge/Presidio pairs, alternating")
    args = ap.parse_args()
    adapter = "py:" + str(REPO / "benchmarks" / "pii_adapter.py") + ":make_detector"
    rounds: list[dict[str, dict[str, Any]]] = []
    for _ in range(max(1, args.rounds)):
        results = {"pledge": run_eval(sys.executable, adapter, args.corpus, args.repeat)}
        if args.presidio_python:
            results["presidio"] = run_eval(args.presidio_python, "presidio", args.corpus, 1)
        rounds.append(results)
    print(f"corpus: {args.corpus}")
    print(table(rounds[0]))
    if args.presidio_python and len(rounds) > 1:
        print(speed_rounds(rounds))


def speed_rounds(rounds: list[dict[str, dict[str, Any]]]) -> str:
    """Each round's MB/s (wall clock and CPU time) and Pledge's ratio to Presidio."""
    lines = ["round   pledge MB/s wall/cpu   presidio MB/s wall/cpu   ratio wall/cpu"]
    walls, cpus = [], []
    for i, r in enumerate(rounds, 1):
        pw, xw = r["pledge"]["perf"]["MB_per_s"], r["presidio"]["perf"]["MB_per_s"]
        pc = r["pledge"]["perf"]["MB"] / r["pledge"]["perf"]["cpu_s"]
        xc = r["presidio"]["perf"]["MB"] / r["presidio"]["perf"]["cpu_s"]
        walls.append(pw / xw)
        cpus.append(pc / xc)
        lines.append(
            f"{i:<8}{pw:>8.3f} / {pc:<12.3f}{xw:>8.3f} / {xc:<14.3f}{pw / xw:>6.1f} / {pc / xc:.1f}"
        )
    walls.sort()
    cpus.sort()
    mid = len(walls) // 2
    lines.append(f"median ratio: {walls[mid]:.1f} (wall clock), {cpus[mid]:.1f} (CPU time)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
