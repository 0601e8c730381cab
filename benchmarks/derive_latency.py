"""Median time of md.derive per worked example, next to SymPy's MatrixSymbol.diff.

Run: python benchmarks/derive_latency.py [--repeat N]

Both are timed in the same process, after a warm-up call. SymPy's answer is printed too, since
on several of these expressions it is wrong (0) or it raises; "n/a" marks those it cannot do.
Also prints the time of `python -c "import matderiv"` (median of 7 fresh interpreters).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import matderiv as md

S_MAT = {"X": ("n", "n"), "Y": ("n", "n"), "A": ("n", "n"), "B": ("n", "n"), "W": ("n", "n")}
CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("a least squares", "sum((X @ W - Y)**2)", "W",
     {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}),
    ("d norm squared", "norm(A @ x)**2", "x", {"A": ("m", "n"), "x": ("n",)}),
    ("f trace", "tr(W)", "W", {"W": ("n", "n")}),
    ("h quadratic form", "x @ A @ x", "x", {"x": ("n",), "A": ("n", "n")}),
    ("i logdet", "log(det(X))", "X", {"X": ("n", "n")}),
    ("i trace AXB", "tr(A @ X @ B)", "X", S_MAT),
    ("i inverse", "inv(X)", "X", {"X": ("n", "n")}),
    ("trap tr X + tr XY", "tr(X) + tr(X @ Y)", "X", S_MAT),
    ("c sigmoid layer", "sigmoid(W @ x + b)", "W", {"W": ("m", "n"), "x": ("n",), "b": ("m",)}),
    ("j softmax xent", "-y @ log(softmax(z))", "z", {"y": ("n",), "z": ("n",)}),
    ("j 2-layer tanh", "0.5 * norm(W2 @ tanh(W1 @ x + b1) - y)**2", "W1",
     {"W2": ("m", "h"), "W1": ("h", "n"), "x": ("n",), "b1": ("h",), "y": ("m",)}),
]  # fmt: skip


def sympy_cases() -> dict[str, Callable[[], Any]]:
    import sympy as sp

    n, m, b, k = sp.symbols("n m b k", integer=True, positive=True)
    X, Y, A, B, W = (sp.MatrixSymbol(s, n, n) for s in "XYABW")
    Xb, Wb, Yb = sp.MatrixSymbol("X", b, k), sp.MatrixSymbol("W", k, m), sp.MatrixSymbol("Y", b, m)
    x = sp.MatrixSymbol("x", n, 1)
    Am = sp.MatrixSymbol("A", m, n)
    r = Xb * Wb - Yb
    return {
        "a least squares": lambda: sp.Trace(r.T * r).diff(Wb),
        "d norm squared": lambda: ((Am * x).T * (Am * x)).diff(x),
        "f trace": lambda: sp.Trace(W).diff(W),
        "h quadratic form": lambda: (x.T * A * x).diff(x),
        "i logdet": lambda: sp.log(sp.Determinant(X)).diff(X),
        "i trace AXB": lambda: sp.Trace(A * X * B).diff(X),
        "i inverse": lambda: sp.Inverse(X).diff(X),
        "trap tr X + tr XY": lambda: (sp.Trace(X) + sp.Trace(X * Y)).diff(X),
    }


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def import_time(runs: int = 7) -> tuple[float, float]:
    def run(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - t0

    bare = statistics.median(run("pass") for _ in range(runs))
    full = statistics.median(run("import matderiv") for _ in range(runs))
    return bare, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    sym = sympy_cases()
    print("| example | matderiv (ms) | SymPy (ms) | speed-up | SymPy's answer |")
    print("|---|---:|---:|---:|---|")
    ratios: list[float] = []
    wrong = 0
    for name, expr, wrt, shapes in CASES:
        d = md.derive(expr, wrt, shapes=shapes)
        t_md = median_time(partial(md.derive, expr, wrt, shapes=shapes), args.repeat)
        row = f"| {name} | {t_md * 1e3:.2f} |"
        if name not in sym:
            print(f"{row} n/a | | not expressible |")
            continue
        try:
            answer = str(sym[name]())
        except Exception as exc:  # SymPy crashing is a data point, not a benchmark failure
            print(f"{row} n/a | | raises {type(exc).__name__} |")
            continue
        t_sp = median_time(sym[name], args.repeat)
        if answer == "0" and not d.index_expr.is_zero:
            wrong += 1
            print(f"{row} {t_sp * 1e3:.2f} | left out | 0, which is wrong |")
            continue
        ratios.append(t_sp / t_md)
        print(f"{row} {t_sp * 1e3:.2f} | {t_sp / t_md:.0f}x | {answer[:50]} |")
    print(f"\ngeometric-mean speed-up over SymPy: {statistics.geometric_mean(ratios):.1f}x")
    print(f"smallest speed-up over SymPy: {min(ratios):.1f}x (over {len(ratios)} examples)")
    print(f"SymPy answered 0, which is wrong, on {wrong} of {len(sym)} examples (left out above)")
    bare, full = import_time()
    print(
        f"python -c 'import matderiv': {full:.3f} s (bare interpreter {bare:.3f} s, "
        f"import itself {full - bare:.3f} s)"
    )


if __name__ == "__main__":
    main()
