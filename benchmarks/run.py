"""Side-by-side performance of matderiv's generated code, hand-written numpy, JAX and PyTorch.

Run: python benchmarks/run.py [--quick]   (needs the `bench` extra: jax, torch==2.13.0, matplotlib)

Writes benchmarks/results/performance.md (tables) and benchmarks/results/performance.png. Every
implementation is first checked against the hand-written closed form (allclose, float64); then
each is timed in this one process, after a warm-up, as the median of several calls.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

import numpy as np

import matderiv as md

OUT = pathlib.Path(__file__).resolve().parent / "results"


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up (and jit compilation)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        if hasattr(out, "block_until_ready"):
            out.block_until_ready()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


def logistic_hessian(a: dict[str, np.ndarray]) -> np.ndarray:
    s = sigmoid(a["X"] @ a["w"])
    return (a["X"].T * (s * (1 - s))) @ a["X"]


def problems(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Each problem: matderiv text, variable, arrays, hand-written gradient, jax/torch loss."""
    x, A = rng.standard_normal(n), rng.standard_normal((n, n))
    X, w, y = (
        rng.standard_normal((n, n)) / np.sqrt(n),
        rng.standard_normal(n),
        rng.standard_normal(n),
    )
    yb = (rng.random(n) > 0.5).astype(float)
    W1, b1, W2 = (
        rng.standard_normal((n, n)) / np.sqrt(n),
        rng.standard_normal(n),
        rng.standard_normal((n, n)) / np.sqrt(n),
    )
    return [
        {"name": "quadratic form xᵀAx", "expr": "x @ A @ x", "wrt": "x", "arrays": {"x": x, "A": A},
         "numpy": lambda a: (a["A"] + a["A"].T) @ a["x"],
         "loss": lambda lib, a: a["x"] @ a["A"] @ a["x"]},
        {"name": "least squares ‖Xw − y‖²", "expr": "norm(X @ w - y)**2", "wrt": "w", "arrays": {"X": X, "w": w, "y": y},
         "numpy": lambda a: 2 * a["X"].T @ (a["X"] @ a["w"] - a["y"]),
         "loss": lambda lib, a: lib.sum((a["X"] @ a["w"] - a["y"]) ** 2)},
        {"name": "logistic loss", "expr": "sum(softplus(X @ w) - y * (X @ w))", "wrt": "w", "arrays": {"X": X, "w": w, "y": yb},
         "numpy": lambda a: a["X"].T @ (sigmoid(a["X"] @ a["w"]) - a["y"]),
         "loss": lambda lib, a: lib.sum(lib.logaddexp(0.0 * a["y"], a["X"] @ a["w"]) - a["y"] * (a["X"] @ a["w"]))},
        {"name": "2-layer MLP", "expr": "0.5 * norm(W2 @ tanh(W1 @ x + b1) - y)**2", "wrt": "W1",
         "arrays": {"W1": W1, "b1": b1, "W2": W2, "x": x, "y": y},
         "numpy": lambda a: np.outer((a["W2"].T @ (a["W2"] @ np.tanh(a["W1"] @ a["x"] + a["b1"]) - a["y"])) * (1 - np.tanh(a["W1"] @ a["x"] + a["b1"]) ** 2), a["x"]),
         "loss": lambda lib, a: 0.5 * lib.sum((a["W2"] @ lib.tanh(a["W1"] @ a["x"] + a["b1"]) - a["y"]) ** 2)},
    ]  # fmt: skip


def frameworks() -> dict[str, Any]:
    libs: dict[str, Any] = {}
    try:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        libs["jax"] = (jax, jnp)
    except ImportError:
        print("jax is not installed: its columns are left out")
    try:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        libs["torch"] = torch
    except ImportError:
        print("torch is not installed: its columns are left out")
    return libs


def gradients(sizes: list[int], repeat: int, libs: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        for p in problems(n, np.random.default_rng(n)):
            a, wrt = p["arrays"], p["wrt"]
            shapes = {k: v.shape for k, v in a.items()}
            fn = md.derive(p["expr"], wrt, shapes=shapes).compile()
            expected = p["numpy"](a)
            impls: dict[str, Callable[[], Any]] = {
                "matderiv": lambda fn=fn, a=a: fn(**a),
                "numpy": lambda p=p, a=a: p["numpy"](a),
            }
            if "jax" in libs:
                jax, jnp = libs["jax"]
                ja = {k: jnp.asarray(v) for k, v in a.items()}
                g = jax.jit(
                    jax.grad(lambda v, p=p, ja=ja, wrt=wrt, jnp=jnp: p["loss"](jnp, {**ja, wrt: v}))
                )
                impls["jax.grad (jit)"] = lambda g=g, ja=ja, wrt=wrt: g(ja[wrt])
            if "torch" in libs:
                torch = libs["torch"]
                ta = {k: torch.as_tensor(v) for k, v in a.items()}
                tg = torch.func.grad(
                    lambda v, p=p, ta=ta, wrt=wrt, torch=torch: p["loss"](torch, {**ta, wrt: v})
                )
                impls["torch.func.grad"] = lambda tg=tg, ta=ta, wrt=wrt: tg(ta[wrt])
            row: dict[str, Any] = {"problem": p["name"], "n": n}
            for name, impl in impls.items():
                got = np.asarray(impl())
                assert np.allclose(got, expected, rtol=1e-8, atol=1e-8), (
                    f"{name} disagrees on {p['name']} at n={n}"
                )
                row[name] = median_time(impl, repeat)
            rows.append(row)
            print(
                f"  gradient {p['name']} n={n}: "
                + ", ".join(f"{k} {v * 1e3:.3f} ms" for k, v in row.items() if isinstance(v, float))
            )
    return rows


def hessians(repeat: int, libs: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    rng = np.random.default_rng(7)
    n = 1000
    A, x = rng.standard_normal((n, n)), rng.standard_normal(n)
    X, w, y = (
        rng.standard_normal((n, n)) / np.sqrt(n),
        rng.standard_normal(n),
        rng.standard_normal(n),
    )
    cases = [
        ("xᵀAx, n=1000", "x @ A @ x", "x", {"x": x, "A": A}, lambda a: a["A"] + a["A"].T, lambda lib, a: a["x"] @ a["A"] @ a["x"]),
        ("‖Xw − y‖², n=1000", "norm(X @ w - y)**2", "w", {"X": X, "w": w, "y": y}, lambda a: 2 * a["X"].T @ a["X"], lambda lib, a: lib.sum((a["X"] @ a["w"] - a["y"]) ** 2)),
        ("logistic loss, n=1000", "sum(softplus(X @ w))", "w", {"X": X, "w": w}, logistic_hessian, lambda lib, a: lib.sum(lib.logaddexp(0.0 * a["w"], a["X"] @ a["w"]))),
    ]  # fmt: skip
    for name, expr, wrt, a, closed, loss in cases:
        fn = md.hessian(expr, wrt, shapes={k: v.shape for k, v in a.items()}).compile()
        expected = closed(a)
        impls: dict[str, Callable[[], Any]] = {
            "matderiv": lambda fn=fn, a=a: fn(**a),
            "numpy": lambda closed=closed, a=a: closed(a),
        }
        if "jax" in libs:
            jax, jnp = libs["jax"]
            ja = {k: jnp.asarray(v) for k, v in a.items()}
            h = jax.jit(
                jax.hessian(lambda v, loss=loss, ja=ja, wrt=wrt, jnp=jnp: loss(jnp, {**ja, wrt: v}))
            )
            impls["jax.hessian (jit)"] = lambda h=h, ja=ja, wrt=wrt: h(ja[wrt])
        if "torch" in libs:
            torch = libs["torch"]
            ta = {k: torch.as_tensor(v) for k, v in a.items()}
            impls["torch hessian"] = lambda torch=torch, loss=loss, ta=ta, wrt=wrt: (
                torch.autograd.functional.hessian(
                    lambda u, ta=ta, wrt=wrt, loss=loss, torch=torch: loss(torch, {**ta, wrt: u}),
                    ta[wrt],
                )
            )
        row: dict[str, Any] = {"problem": name}
        for label, impl in impls.items():
            assert np.allclose(np.asarray(impl()), expected, rtol=1e-8, atol=1e-6), (
                f"{label} disagrees on {name}"
            )
            row[label] = median_time(impl, max(3, repeat // 3))
        rows.append(row)
        print(
            f"  hessian {name}: "
            + ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in row.items() if isinstance(v, float))
        )
    # ‖XW − Y‖²_F at n = 50: the Hessian-vector product, factored vs materialised
    n = 50
    X, W, Y, V = (rng.standard_normal((n, n)) for _ in range(4))
    h = md.hessian("norm(X @ W - Y)**2", "W", shapes={"X": (n, n), "W": (n, n), "Y": (n, n)})
    H = md.flattening.operator(h, X=X, W=W, Y=Y)
    expected = 2 * X.T @ X @ V
    impls = {"matderiv": lambda: H @ V, "numpy": lambda: 2 * X.T @ (X @ V)}
    if "jax" in libs:
        jax, jnp = libs["jax"]
        jX, jY = jnp.asarray(X), jnp.asarray(Y)
        hj = jax.jit(jax.hessian(lambda Wv, jnp=jnp: jnp.sum((jX @ Wv - jY) ** 2)))
        impls["jax.hessian (jit)"] = lambda: jnp.tensordot(
            hj(jnp.asarray(W)), jnp.asarray(V), axes=2
        )
    if "torch" in libs:
        torch = libs["torch"]
        tX, tY, tW, tV = (torch.as_tensor(m) for m in (X, Y, W, V))
        impls["torch hessian"] = lambda: torch.tensordot(
            torch.autograd.functional.hessian(lambda Wv: torch.sum((tX @ Wv - tY) ** 2), tW),
            tV,
            dims=2,
        )
    row = {"problem": "‖XW − Y‖² (Frobenius) Hessian-vector product, n=50"}
    for label, impl in impls.items():
        assert np.allclose(np.asarray(impl()), expected, rtol=1e-8, atol=1e-6), (
            f"{label} disagrees on the HVP"
        )
        row[label] = median_time(impl, max(3, repeat // 3))
    rows.append(row)
    print(
        "  hvp: "
        + ", ".join(f"{k} {v * 1e3:.3f} ms" for k, v in row.items() if isinstance(v, float))
    )
    return rows


def derive_vs_sympy(repeat: int) -> tuple[str, float, float]:
    """Median derive time per example next to SymPy's MatrixSymbol.diff (see derive_latency.py)."""
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from derive_latency import CASES, import_time, sympy_cases
    from derive_latency import median_time as plain_median

    sym = sympy_cases()
    lines = ["| example | matderiv (ms) | SymPy (ms) | speed-up |", "|---|---|---|---|"]
    ratios = []
    for name, expr, wrt, shapes in CASES:
        t_md = plain_median(lambda e=expr, w=wrt, s=shapes: md.derive(e, w, shapes=s), repeat)
        if name not in sym:
            lines.append(f"| {name} | {t_md * 1e3:.2f} | not expressible | |")
            continue
        answer = str(sym[name]())
        t_sp = plain_median(sym[name], repeat)
        if answer == "0":
            lines.append(
                f"| {name} | {t_md * 1e3:.2f} | {t_sp * 1e3:.2f} (answers 0: wrong) | left out |"
            )
            continue
        ratios.append(t_sp / t_md)
        lines.append(f"| {name} | {t_md * 1e3:.2f} | {t_sp * 1e3:.2f} | {t_sp / t_md:.0f}× |")
    bare, full = import_time()
    return "\n".join(lines), statistics.geometric_mean(ratios), full - bare


def verification_cost(repeat: int) -> dict[str, float]:
    """The directional check against the full FD Jacobian for a 100×100 gradient."""
    n = 100
    shapes = {"X": (n, n), "W": (n, n), "Y": (n, n)}
    f = "sum((X @ W - Y)**2)"
    d = md.derive(f, "W", shapes=shapes)
    rng = np.random.default_rng(0)
    at = {k: rng.standard_normal(s) for k, s in shapes.items()}
    t_dir = median_time(
        lambda: md.check_derivative(f, d, at=at, wrt="W", method="directional"), repeat
    )
    good = md.check_derivative(f, d, at=at, wrt="W", method="directional")
    bad = 1.01 * d.evaluate(at)
    wrong = md.check_derivative(
        f, lambda **_: bad, at=at, wrt="W", method="directional", rtol=1e9, atol=1e9
    )
    t0 = time.perf_counter()
    md.check_derivative(f, d, at=at, wrt="W", method="full", max_seconds=float("inf"))
    t_full = time.perf_counter() - t0
    return {
        "directional": t_dir,
        "full": t_full,
        "correct": good.max_rel_error,
        "wrong": wrong.max_rel_error,
    }


def book_build() -> str:
    import subprocess

    script = pathlib.Path(__file__).resolve().parent / "book_build.sh"
    env = {**os.environ, "PYTHON": os.environ.get("PYTHON", "python")}
    r = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, env=env, cwd=script.parent.parent
    )
    keep = [
        line
        for line in r.stdout.splitlines()
        if line.startswith(("cold book build", "checks executed"))
    ]
    return "; ".join(keep) if keep else f"the build failed: {r.stderr.strip()[-300:]}"


def table(rows: list[dict[str, Any]], keys: list[str], unit: float = 1e3) -> str:
    cols = [
        k
        for k in [
            "matderiv",
            "numpy",
            "jax.grad (jit)",
            "torch.func.grad",
            "jax.hessian (jit)",
            "torch hessian",
        ]
        if any(k in r for r in rows)
    ]
    head = "| " + " | ".join(keys + [f"{c} (ms)" for c in cols] + ["matderiv / numpy"]) + " |"
    lines = [head, "|" + "---|" * (len(keys) + len(cols) + 1)]
    for r in rows:
        vals = [str(r[k]) for k in keys] + [f"{r[c] * unit:.3f}" if c in r else "" for c in cols]
        vals.append(f"{r['matderiv'] / r['numpy']:.2f}")
        lines.append("| " + " | ".join(vals) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="n ∈ {100, 1000} and fewer repeats")
    parser.add_argument("--book", action="store_true", help="also time a cold build of the book")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [100, 1000, 3000]
    repeat = 5 if args.quick else 15
    libs = frameworks()
    print("gradients")
    g = gradients(sizes, repeat, libs)
    print("hessians")
    h = hessians(repeat, libs)
    print("derive latency, verification cost")
    derive_table, derive_geo, import_s = derive_vs_sympy(repeat * 2)
    cost = verification_cost(repeat)
    book = book_build() if args.book else "not measured in this run (pass --book)"
    at_1000 = [r["matderiv"] / r["numpy"] for r in g if r["n"] == 1000]
    geo = statistics.geometric_mean(at_1000)
    hx = h[0]
    hvp = h[-1]
    summary = [
        f"- gradients at n = 1000: geometric mean of matderiv / hand-written numpy = **{geo:.2f}** (target ≤ 1.2)",
        f"- derive: geometric-mean speed-up over SymPy's MatrixSymbol.diff **{derive_geo:.0f}×** (target ≥ 10×); `import matderiv` takes **{import_s:.2f} s** (target < 0.3 s)",
        f"- verification of a 100×100 gradient: directional check **{cost['directional'] * 1e3:.1f} ms**, full FD Jacobian {cost['full']:.1f} s ({cost['full'] / cost['directional']:,.0f}× more); relative error {cost['correct']:.0e} when correct, {cost['wrong']:.0e} when 1 % wrong",
        f"- book: {book}",
    ]
    if "jax.hessian (jit)" in hx:
        summary.append(
            f"- Hessian of xᵀAx at n = 1000: matderiv is **{hx['jax.hessian (jit)'] / hx['matderiv']:.0f}×** faster than jax.hessian with jit (target ≥ 20×)"
        )
        summary.append(
            f"- ‖XW − Y‖² (Frobenius) Hessian-vector product at n = 50: matderiv is **{hvp['jax.hessian (jit)'] / hvp['matderiv']:.0f}×** faster than jax.hessian with jit (target ≥ 1,000×)"
        )
    versions = [f"numpy {np.__version__}", f"matderiv {md.__version__}"]
    if "jax" in libs:
        versions.append(f"jax {libs['jax'][0].__version__}")
    if "torch" in libs:
        versions.append(f"torch {libs['torch'].__version__}")
    report = "\n\n".join([
        f"Measured on {os.cpu_count()} CPU cores, Python {platform.python_version()}, " + ", ".join(versions) + ". Medians of repeated calls after a warm-up; float64 throughout.",
        "\n".join(summary),
        "**Gradients**\n\n" + table(g, ["problem", "n"]),
        "**Hessians**\n\n" + table(h, ["problem"]),
        "**Deriving, against SymPy** (`MatrixSymbol.diff`)\n\n" + derive_table,
    ])  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / "performance.md").write_text(report + "\n", encoding="utf-8")
    print(report)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 4.5))
        labels = [f"{r['problem']}\nn={r['n']}" for r in g if r["n"] == 1000]
        cols = [c for c in ["matderiv", "numpy", "jax.grad (jit)", "torch.func.grad"] if c in g[0]]
        rows1000 = [r for r in g if r["n"] == 1000]
        width = 0.8 / len(cols)
        for k, c in enumerate(cols):
            ax.bar(
                np.arange(len(rows1000)) + k * width, [r[c] * 1e3 for r in rows1000], width, label=c
            )
        ax.set_xticks(np.arange(len(rows1000)) + 0.4 - width / 2, labels, fontsize=8)
        ax.set_ylabel("gradient time (ms, log scale)")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
        ax.set_title("Gradients at n = 1000")
        fig.tight_layout()
        fig.savefig(OUT / "performance.png", dpi=120)
    except ImportError:
        print("matplotlib is not installed: no figure")


if __name__ == "__main__":
    main()
