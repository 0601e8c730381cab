"""Count what the checker catches: every catalogue identity, six kinds of injected bug.

Run: python benchmarks/mutation_table.py [--seeds 200]

Prints, per kind of bug, how many mutants were tried and caught (a mutant equal to the correct
derivative, such as the transpose of a symmetric matrix, is not a bug and is not counted), and
how many (identity, seed) checks of the correct derivatives passed. The same mutants (written out
again below, so that the benchmark needs no test module) run in
tests/integration/test_mutations.py.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections import Counter

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import matderiv as md
from matderiv.catalogue import CATALOGUE
from matderiv.testing.mutants import MUTANTS
from matderiv.testing.mutants import setup as _setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    tried: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for entry in CATALOGUE:
        f, d, arrays, wrt = _setup(entry, 0)
        D = d.evaluate(arrays)
        for name, mutate in MUTANTS.items():
            bad = mutate(D, d, arrays)
            if bad is None or np.allclose(bad, D, rtol=1e-4, atol=1e-8):
                continue
            tried[name] += 1
            try:
                md.check_derivative(
                    f, lambda b=bad, **_: b, at=arrays, wrt=wrt, symmetric=d.symmetric
                )
            except AssertionError:
                caught[name] += 1
    passed = failed = 0
    for entry in CATALOGUE:
        for seed in range(args.seeds):
            f, d, arrays, wrt = _setup(entry, seed)
            try:
                md.check_derivative(f, d, at=arrays, wrt=wrt, method="directional", rng=seed)
                passed += 1
            except AssertionError:
                failed += 1
    print(f"{len(CATALOGUE)} identities")
    print("| injected bug | mutants | caught |")
    print("|---|---:|---:|")
    for name in MUTANTS:
        print(f"| {name} | {tried[name]} | {caught[name]} |")
    print(f"| all | {sum(tried.values())} | {sum(caught.values())} |")
    print(f"correct derivatives: {passed} of {passed + failed} (identity, seed) checks passed "
          f"over {args.seeds} seeds; false alarms: {failed}")  # fmt: skip


if __name__ == "__main__":
    main()
