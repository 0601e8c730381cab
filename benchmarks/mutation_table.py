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
from collections.abc import Callable

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import matderiv as md
from matderiv.catalogue import CATALOGUE
from matderiv.checks.finite import sample_inputs
from matderiv.engine.index import IndexExpr

Mutant = Callable[[np.ndarray, md.Derivative, dict], np.ndarray | None]


def _dropped_transpose(D, d, arrays):
    if D.ndim >= 2 and D.shape[-1] == D.shape[-2]:
        return np.swapaxes(D, -1, -2)  # the last two axes: a matrix variable, or a Jacobian
    return None


def _swapped_axes(D, d, arrays):
    if D.ndim >= 2 and D.shape == D.shape[::-1]:
        return np.transpose(D)  # all axes reversed: output and variable axes exchanged
    return None


def _missing_term(D, d, arrays):
    terms = d.index_expr.terms
    if len(terms) < 2:
        return None
    partial = IndexExpr(terms[1:], d.index_expr.free)
    step = md.Step("mutant", "", "", "", partial, variables=d.variables)
    return step.evaluate(arrays)


MUTANTS: dict[str, Mutant] = {
    "dropped transpose": _dropped_transpose,
    "factor 2": lambda D, d, a: 2 * D,
    "swapped axes": _swapped_axes,
    "flipped sign": lambda D, d, a: -D,
    "missing term": _missing_term,
    "1% scale": lambda D, d, a: 1.01 * D,
}


def _setup(entry, seed):
    f = md.parse(entry.expr, entry.shapes)
    d = entry.derive()
    arrays = sample_inputs([f, d.wrt], rng=seed, constraints=entry.constraints)
    if entry.wrt2 is None:
        return f, d, arrays, entry.wrt
    return md.derive(entry.expr, entry.wrt, shapes=entry.shapes), d, arrays, entry.wrt2


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
                md.check_derivative(f, lambda b=bad, **_: b, at=arrays, wrt=wrt)
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
