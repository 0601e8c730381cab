"""Derivation latency on the whole catalogue: this tree against a baseline commit, in one run.

Run: python benchmarks/latency_compare.py [--baseline REF] [--repeat N] [--rounds N]

The baseline (default ``29a81a6``, the commit before the simplifier) is checked out with
``git worktree add --detach`` into a temporary directory, which is removed at the end. Both
trees are timed in fresh subprocesses whose PYTHONPATH points at the tree, alternately (A, B,
A, B, ...) so that a change in the machine's load hits both. Each subprocess derives every
catalogue entry once (warm-up), then times ``--repeat`` passes over the catalogue and reports
the fastest pass, and for each entry its fastest time. Only entries present in both trees are
compared. Prints both totals, their ratio (the issue's bar: at most 1.5x slower) and the
entries whose ratio is largest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import gc, json, sys, time
import matderiv
from matderiv.catalogue import CATALOGUE
repeat, names = int(sys.argv[1]), None
for e in CATALOGUE:
    e.derive()
best = {e.name: float("inf") for e in CATALOGUE}
passes = []
for _ in range(repeat):
    gc.collect(); gc.disable()
    start = time.perf_counter()
    for e in CATALOGUE:
        t0 = time.perf_counter(); e.derive(); t = time.perf_counter() - t0
        best[e.name] = min(best[e.name], t)
    passes.append(time.perf_counter() - start)
    gc.enable()
print(json.dumps({"file": matderiv.__file__, "best": best, "passes": passes}))
"""


def run_tree(tree: Path, repeat: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(repeat)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    if not str(result["file"]).startswith(str(tree)):
        raise RuntimeError(f"the subprocess imported {result['file']}, not the tree {tree}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="29a81a6")
    parser.add_argument("--repeat", type=int, default=5, help="passes per subprocess")
    parser.add_argument("--rounds", type=int, default=3, help="subprocesses per tree")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    git = ["git", "-C", str(here)]
    sha = subprocess.run([*git, "rev-parse", "--short", args.baseline], capture_output=True,
                         text=True, check=True).stdout.strip()  # fmt: skip
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="matderiv-baseline-")) / "tree"
    subprocess.run([*git, "worktree", "add", "--detach", "--quiet", str(tmp), sha], check=True)
    try:
        current: list[dict[str, object]] = []
        base: list[dict[str, object]] = []
        for _ in range(args.rounds):
            base.append(run_tree(tmp, args.repeat))
            current.append(run_tree(here, args.repeat))
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(tmp)], check=False)
        shutil.rmtree(tmp.parent, ignore_errors=True)

    def best(runs: list[dict[str, object]]) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in runs:
            for k, v in r["best"].items():  # type: ignore[attr-defined]
                out[k] = min(out.get(k, float("inf")), v)
        return out

    b, c = best(base), best(current)
    common = sorted(set(b) & set(c))
    tb, tc = sum(b[k] for k in common), sum(c[k] for k in common)
    pb = min(min(r["passes"]) for r in base)  # type: ignore[type-var]
    pc = min(min(r["passes"]) for r in current)  # type: ignore[type-var]
    print(f"catalogue entries compared: {len(common)} (baseline has {len(b)}, this tree {len(c)})")
    print("| tree | commit | sum of fastest per-entry times (ms) | fastest full pass (ms) |")
    print("|---|---|---:|---:|")
    print(f"| baseline | {sha} | {tb * 1e3:.1f} | {pb * 1e3:.1f} |")
    print(f"| this tree | {head} (+ working changes) | {tc * 1e3:.1f} | {pc * 1e3:.1f} |")
    print(f"\nratio this tree / baseline: {tc / tb:.2f}x (per-entry sum), ", end="")
    print(f"{pc / pb:.2f}x (full pass)")
    print(f"the issue's bar: at most 1.5x slower -> {'met' if tc / tb <= 1.5 else 'NOT met'}")
    ratios = sorted(((c[k] / b[k], k) for k in common), reverse=True)
    print(f"median per-entry ratio: {statistics.median(r for r, _ in ratios):.2f}x; largest:")
    for r, k in ratios[:8]:
        print(f"  {k:32s} {b[k] * 1e3:7.2f} ms -> {c[k] * 1e3:7.2f} ms ({r:.2f}x)")


if __name__ == "__main__":
    main()
