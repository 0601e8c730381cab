"""Cost of verifying a 100×100 matrix gradient: directional check vs the full FD Jacobian.

Run: python benchmarks/verify_cost.py [--n 100] [--repeat 20]

f = sum((X @ W - Y)**2) with X, W, Y all n×n, differentiated by W (n² entries). Prints the
median time of the directional check, the time of the full finite-difference Jacobian, their
ratio, and the error separation: the largest relative error for the correct derivative and for
one that is 1 % off.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import matderiv as md


def timed(fn, repeat: int) -> tuple[float, object]:
    out = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    n = args.n
    shapes = {"X": (n, n), "W": (n, n), "Y": (n, n)}
    f = "sum((X @ W - Y)**2)"
    d = md.derive(f, "W", shapes=shapes)
    rng = np.random.default_rng(0)
    at = {k: rng.standard_normal(s) for k, s in shapes.items()}
    good = d.evaluate(at)
    bad = 1.01 * good

    t_dir, report = timed(
        lambda: md.check_derivative(f, d, at=at, wrt="W", method="directional"), args.repeat
    )
    loose = {"rtol": 1e9, "atol": 1e9}  # measure the error of the wrong derivative, do not fail
    wrong = md.check_derivative(f, lambda **_: bad, at=at, wrt="W", method="directional", **loose)
    t0 = time.perf_counter()
    full = md.check_derivative(f, d, at=at, wrt="W", method="full", max_seconds=float("inf"))
    t_full = time.perf_counter() - t0

    print(f"variable W: {n}×{n} = {n * n} entries")
    print(f"directional check: {t_dir * 1e3:.2f} ms median ({report.evaluations} evaluations of f)")
    print(f"full FD Jacobian:  {t_full:.2f} s ({full.evaluations} evaluations of f)")
    print(f"directional is {t_full / t_dir:,.0f}x cheaper")
    print(f"max relative error, correct derivative: {report.max_rel_error:.1e} (directional)")
    print(f"max relative error, correct derivative: {full.max_rel_error:.1e} (full)")
    print(f"max relative error, 1% wrong derivative: {wrong.max_rel_error:.1e}")


if __name__ == "__main__":
    main()
