"""What the elementwise identities (engine/identities.py) cost on the catalogue.

Run: python benchmarks/pointwise_cost.py

Derives every catalogue row with simplify_pointwise off and on, alternating passes in one
process (9 each, its cache cleared before every pass), and prints min and median of each and
their ratio. SymPy's import, paid once per process by the first derivation that has an
elementwise part worth rewriting, is timed apart.
"""

from __future__ import annotations

import statistics
import time

from matderiv.catalogue import CATALOGUE
from matderiv.engine import identities, simplify
from matderiv.engine.matrixform import MForm

REAL = identities.simplify_pointwise


def _off(f: MForm) -> MForm:
    return f


def one_pass(on: bool) -> float:
    simplify.simplify_pointwise = REAL if on else _off  # type: ignore[assignment]
    identities._CACHE.clear()
    t0 = time.perf_counter()
    for row in CATALOGUE:
        _ = row.derive().matrix
    return time.perf_counter() - t0


def main() -> None:
    one_pass(False)
    t0 = time.perf_counter()
    import sympy  # noqa: F401

    imported = time.perf_counter() - t0
    one_pass(True)
    off, on = [], []
    for _ in range(9):
        off.append(one_pass(False))
        on.append(one_pass(True))
    print(f"catalogue: {len(CATALOGUE)} rows; SymPy import {imported:.2f} s (once per process)")
    print(f"off: min {min(off):.3f} s, median {statistics.median(off):.3f} s")
    print(f"on:  min {min(on):.3f} s, median {statistics.median(on):.3f} s")
    ratio_min = min(on) / min(off)
    ratio_med = statistics.median(on) / statistics.median(off)
    print(f"ratio: {ratio_min:.2f} (min), {ratio_med:.2f} (median)")


if __name__ == "__main__":
    main()
