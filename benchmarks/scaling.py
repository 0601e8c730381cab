"""How the time of md.derive grows with the size of the expression.

Run: python benchmarks/scaling.py [--repeat N] [--quick]

Three families, each built with the expression builder (the parser limits nesting to 60 levels,
and a 32-layer network is deeper than that):

- ``mlp``: the squared loss of a batched tanh network of depth L, derived by the first layer's
  weights W1 (the whole chain), for L = 1 ... 32;
- ``trace``: tr(X X ... X) with k factors, derived by X, for k = 2 ... 32;
- ``sum``: a sum of k quadratic forms x A_i x, derived by x, for k = 2 ... 64.

Each time is the fastest of ``--repeat`` derivations after a warm-up call, timed with the
garbage collector off (on a shared machine the fastest run is the least noisy estimate). The
growth exponent of a family is the slope of the least-squares line through (log size, log
time): 1 is linear, 2 quadratic. The column "matrix form" says whether the result came back
in matrix form.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import time
from collections.abc import Callable

import matderiv as md
from matderiv.language.expression import Expr
from matderiv.language.functions import Reduce, Trace

SIZES = {
    "mlp": (1, 2, 4, 8, 16, 32),
    "trace": (2, 4, 8, 16, 32),
    "sum": (2, 4, 8, 16, 32, 64),
}
QUICK = {"mlp": (1, 2, 4, 8), "trace": (2, 4, 8, 16), "sum": (2, 4, 8, 16)}


def mlp(depth: int) -> tuple[Expr, str]:
    """sum((tanh(... tanh(X W1 + b1) ... W_L + b_L) - Y)**2), by W1."""
    h: Expr = md.var("X", ("B", "n"))
    for i in range(1, depth + 1):
        h = (h @ md.var(f"W{i}", ("n", "n")) + md.var(f"b{i}", ("n",))).apply("tanh")
    return Reduce("sum", (h - md.var("Y", ("B", "n"))) ** 2), "W1"


def trace(k: int) -> tuple[Expr, str]:
    """tr(X X ... X) with k factors, by X."""
    X = md.var("X", ("n", "n"))
    e: Expr = X
    for _ in range(k - 1):
        e = e @ X
    return Trace(e), "X"


def quad_sum(k: int) -> tuple[Expr, str]:
    """x A_0 x + ... + x A_{k-1} x, by x."""
    x = md.var("x", ("n",))
    e: Expr = x @ md.var("A0", ("n", "n")) @ x
    for i in range(1, k):
        e = e + x @ md.var(f"A{i}", ("n", "n")) @ x
    return e, "x"


BUILD: dict[str, Callable[[int], tuple[Expr, str]]] = {
    "mlp": mlp,
    "trace": trace,
    "sum": quad_sum,
}


def best_time(expr: Expr, wrt: str, repeat: int) -> tuple[float, bool]:
    """The fastest of ``repeat`` derivations (after a warm-up), with the garbage collector off
    while timing, and whether the result has a matrix form."""
    d = md.derive(expr, wrt)
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            md.derive(expr, wrt)
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return min(times), d.matrix is not None


def slope(xs: list[int], ys: list[float]) -> float:
    """The least-squares slope of log y against log x."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum(
        (a - mx) ** 2 for a in lx
    )


def measure(
    sizes: dict[str, tuple[int, ...]] = SIZES, repeat: int = 5
) -> dict[str, list[tuple[int, float, bool]]]:
    """{family: [(size, fastest seconds, matrix form?), ...]}."""
    out: dict[str, list[tuple[int, float, bool]]] = {}
    for family, ks in sizes.items():
        out[family] = []
        for k in ks:
            expr, wrt = BUILD[family](k)
            out[family].append((k, *best_time(expr, wrt, repeat)))
    return out


def table(results: dict[str, list[tuple[int, float, bool]]]) -> list[str]:
    """A Markdown table, one row per (family, size), then the fitted exponents."""
    lines = ["| family | size | derive (ms) | matrix form |", "|---|---:|---:|---|"]
    for family, rows in results.items():
        for k, t, matrix in rows:
            lines.append(f"| {family} | {k} | {t * 1e3:.1f} | {'yes' if matrix else 'no'} |")
    lines.append("")
    for family, rows in results.items():
        e = slope([k for k, _, _ in rows], [t for _, t, _ in rows])
        lines.append(f"growth exponent ({family}): {e:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    t0 = time.perf_counter()
    results = measure(QUICK if args.quick else SIZES, args.repeat)
    print("\n".join(table(results)))
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
