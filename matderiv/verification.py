"""Numeric verification of derivatives and identities.

:func:`check_derivative` compares a claimed derivative with central finite differences,
extrapolated (Richardson) so that the truncation error is O(h⁴) and a correct derivative never
raises a false alarm. ``"directional"`` compares ⟨D, V⟩ along random directions V (cheap for
large inputs); ``"full"`` builds the whole finite-difference Jacobian; ``"auto"`` picks the full
check for small inputs and says which it used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .derivative import Derivative, _resolve
from .errors import NotSupportedError, ShapeError
from .evaluation import Array, Evaluator, bind_sizes
from .expression import Det, Expr, Func, Inv, LogDet, Pow, Var

__all__ = ["Report", "check_derivative", "check_identity", "sample_inputs"]

Method = Literal["auto", "directional", "full"]

#: Largest number of variable entries for which "auto" uses the full Jacobian.
FULL_LIMIT = 400
#: Largest number of variable entries the full check accepts.
FULL_MAX = 20_000


@dataclass(frozen=True)
class Report:
    """What a check did and how close the numbers were."""

    method: str
    evaluations: int
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    tolerance: tuple[float, float]
    seed: int | None

    def __str__(self) -> str:
        return (
            f"{self.method} check passed: {self.evaluations} evaluations, max abs error "
            f"{self.max_abs_error:.2e}, max rel error {self.max_rel_error:.2e}"
        )


def _domains(e: Expr) -> dict[str, str]:
    """Variables that need well-conditioned (``invertible``) or positive inputs."""
    out: dict[str, str] = {}
    stack = [e]
    while stack:
        node = stack.pop()
        kids = node.children()
        if isinstance(node, Inv | Det | LogDet):
            for v in node.variables():
                if v.ndim == 2 and v.shape[0] == v.shape[1]:
                    out[v.name] = "invertible"
        if (isinstance(node, Func) and node.name in ("log", "sqrt")) or isinstance(node, Pow):
            target = kids[0]
            if isinstance(target, Var) and target.name not in out:
                out[target.name] = "positive"
        stack.extend(kids)
    return out


def _resolve_sizes(variables: frozenset[Var], rng: np.random.Generator) -> dict[str, int]:
    names = sorted({d for v in variables for d in v.shape if isinstance(d, str) and "*" not in d})
    sizes = [2, 3, 4, 5]
    return {n: sizes[(k + int(rng.integers(0, 4))) % 4] for k, n in enumerate(names)}


def sample_inputs(
    expr: Expr | Sequence[Expr],
    rng: np.random.Generator | int | None = 0,
    sizes: Mapping[str, int] | None = None,
) -> dict[str, Array]:
    """Draw random, well-conditioned inputs for every variable of an expression.

    Matrices under ``inv``/``det``/``logdet`` are made diagonally dominant with a positive
    diagonal; arguments of ``log``, ``sqrt`` and powers are made positive.

    >>> import matderiv as md
    >>> from matderiv.parsing import parse
    >>> arrays = sample_inputs(parse("logdet(X)", {"X": ("n", "n")}), rng=0)
    >>> bool(np.linalg.det(arrays["X"]) > 0)
    True
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    exprs = [expr] if isinstance(expr, Expr) else list(expr)
    variables = frozenset().union(*(e.variables() for e in exprs))
    dims = dict(sizes or _resolve_sizes(variables, gen))
    domains: dict[str, str] = {}
    for e in exprs:
        domains.update(_domains(e))
    arrays: dict[str, Array] = {}
    for v in sorted(variables, key=lambda v: v.name):
        shape = tuple(d if isinstance(d, int) else _size(d, dims) for d in v.shape)
        a = gen.standard_normal(shape)
        kind = domains.get(v.name)
        if kind == "invertible":
            a = a / np.sqrt(shape[0]) + 2.0 * np.eye(shape[0])
        elif kind == "positive":
            a = 0.5 + np.abs(a)
        arrays[v.name] = a
    return arrays


def _size(d: str, dims: Mapping[str, int]) -> int:
    from .shapes import resolve_dim

    return resolve_dim(d, dims)


Fn = Callable[..., Any]


def _as_function(
    f: Expr | str | Fn | Derivative, shapes: Mapping[str, Any] | None
) -> tuple[Fn, Expr | None]:
    if isinstance(f, Derivative):
        return f.evaluate, None
    if callable(f) and not isinstance(f, Expr):
        return f, None
    e = _resolve(f, shapes)

    def run(**arrays: Any) -> Array:
        sizes = bind_sizes(e.variables(), arrays)
        return Evaluator(arrays, sizes).expr(e)

    return run, e


def check_derivative(
    f: Expr | str | Fn | Derivative,
    df: Derivative | Expr | str | Fn,
    at: Mapping[str, Any] | None = None,
    wrt: Var | str | None = None,
    layout: str = "tensor",
    method: Method = "auto",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    rng: np.random.Generator | int | None = 0,
    directions: int = 3,
    shapes: Mapping[str, Any] | None = None,
) -> Report:
    """Check a claimed derivative ``df`` of ``f`` against finite differences.

    The claimed derivative is read in the tensor layout: shape ``out.shape + wrt.shape`` with
    ``D[i..., p...] = ∂f[i...] / ∂wrt[p...]``.

    Parameters
    ----------
    f : str, Expr or callable
        The function; a callable takes the arrays as keywords.
    df : Derivative, str, Expr or callable
        The claimed derivative.
    at : dict of arrays, optional
        The point; sampled from ``shapes`` (or the expression) when omitted.
    wrt : str or Var
        The variable.
    method : {"auto", "directional", "full"}
    rtol, atol : float
        Tolerances, relative to the size of the compared values.
    rng : int or Generator
        Seed for the directions and for sampled inputs.

    Returns
    -------
    Report

    Raises
    ------
    AssertionError
        Naming the worst entry, the analytic and finite-difference values, the tolerance and
        the seed.

    Examples
    --------
    >>> import matderiv as md
    >>> shapes = {"A": (3, 3), "x": (3,)}
    >>> md.check_derivative("x @ A @ x", "(A + A.T) @ x", wrt="x", shapes=shapes).method
    'full'
    >>> md.check_derivative("x @ A @ x", "2 * A @ x", wrt="x", shapes=shapes)
    Traceback (most recent call last):
    ...
    AssertionError: derivative check failed (full, seed 0): ...
    """
    if layout != "tensor":
        raise NotSupportedError(f"check_derivative supports layout='tensor' only, got {layout!r}")
    seed = rng if isinstance(rng, int) else None
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if shapes is None and isinstance(df, Derivative):
        shapes = {v.name: v for v in df.variables | {df.wrt}}
    fn, fexpr = _as_function(f, shapes)
    dfn, _ = _as_function(df, shapes)
    if wrt is None:
        wrt = df.wrt if isinstance(df, Derivative) else None
    if wrt is None:
        raise ShapeError("check_derivative needs wrt= (the variable's name)")
    wname = wrt.name if isinstance(wrt, Var) else wrt
    if at is None:
        if fexpr is None:
            raise ShapeError("check_derivative needs at= (the point) when f is a callable")
        wvar = (
            wrt
            if isinstance(wrt, Var)
            else next((v for v in fexpr.variables() if v.name == wname), None)
        )
        if wvar is None and isinstance(df, Derivative):
            wvar = df.wrt
        at = sample_inputs([fexpr] + ([wvar] if wvar is not None else []), gen)
    point = {k: np.array(v, dtype=np.float64) for k, v in at.items()}
    if wname not in point:
        raise ShapeError(f"the point has no array for {wname!r}; give it in at=")
    x0 = point[wname]
    value0 = np.asarray(fn(**point), dtype=np.float64)
    D = np.asarray(dfn(**point), dtype=np.float64)
    want = value0.shape + x0.shape
    if D.shape != want:
        raise AssertionError(
            f"derivative check failed: the claimed derivative has shape {D.shape}, expected "
            f"{want} (output {value0.shape} then {wname} {x0.shape}, tensor layout)"
        )
    chosen = method
    if method == "auto":
        chosen = "full" if x0.size <= FULL_LIMIT else "directional"
    if chosen == "full" and x0.size > FULL_MAX:
        raise ShapeError(
            f"the full check needs {2 * x0.size} evaluations for {wname} with {x0.size} entries; "
            f"the limit is {FULL_MAX} entries. Use method='directional'"
        )
    scale = max(1.0, float(np.max(np.abs(x0))) if x0.size else 1.0)
    h = 1e-3 * scale

    def fd(direction: Array) -> Array:
        def central(step: float) -> Array:
            plus = dict(point)
            minus = dict(point)
            plus[wname] = x0 + step * direction
            minus[wname] = x0 - step * direction
            diff: Array = np.asarray(fn(**plus)) - np.asarray(fn(**minus))
            return diff / (2 * step)

        result: Array = (4 * central(h / 2) - central(h)) / 3
        return result

    if chosen == "full":
        evals = 0
        numeric = np.zeros(want)
        for flat in range(x0.size):
            e = np.zeros(x0.size)
            e[flat] = 1.0
            col = fd(e.reshape(x0.shape))
            numeric.reshape((*value0.shape, x0.size))[..., flat] = col
            evals += 4
        analytic = D
    else:
        analytic_l, numeric_l = [], []
        evals = 0
        for _ in range(directions):
            v = gen.standard_normal(x0.shape)
            axes = (tuple(range(D.ndim - x0.ndim, D.ndim)), tuple(range(x0.ndim)))
            analytic_l.append(np.tensordot(D, v, axes=axes))
            numeric_l.append(fd(v))
            evals += 4
        analytic, numeric = np.stack(analytic_l), np.stack(numeric_l)
    err = np.abs(analytic - numeric)
    size = max(
        float(np.max(np.abs(numeric), initial=0.0)), float(np.max(np.abs(analytic), initial=0.0))
    )
    bound = atol * max(1.0, size) + rtol * np.maximum(np.abs(numeric), size * 1e-3)
    bad = err > bound
    worst = (
        tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape)) if err.size else ()
    )
    rel = float(np.max(err / np.maximum(np.abs(numeric), 1e-300))) if err.size else 0.0
    if np.any(bad) or not np.all(np.isfinite(analytic)):
        w = worst if err.size else ()
        raise AssertionError(
            f"derivative check failed ({chosen}, seed {seed}): at index {w} the analytic value is "
            f"{analytic[w]:.10g} but finite differences give {numeric[w]:.10g} (abs error "
            f"{err[w]:.3g}, tolerance rtol={rtol:g}, atol={atol:g})"
        )
    return Report(chosen, evals, float(np.max(err, initial=0.0)), rel, worst, (rtol, atol), seed)


def check_identity(
    lhs: Expr | str,
    rhs: Expr | str,
    shapes: Mapping[str, Any] | None = None,
    trials: int = 3,
    rtol: float = 1e-9,
    atol: float = 1e-10,
    rng: np.random.Generator | int | None = 0,
) -> Report:
    """Check that two expressions are equal on random inputs.

    Examples
    --------
    >>> import matderiv as md
    >>> s = {"A": (2, 3), "B": (3, 2)}
    >>> md.check_identity("tr(A @ B)", "tr(B @ A)", s).method
    'identity'
    """
    seed = rng if isinstance(rng, int) else None
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    left, right = _resolve(lhs, shapes), _resolve(rhs, shapes)
    if left.shape != right.shape:
        raise ShapeError(f"the two sides have different shapes: {left.shape} and {right.shape}")
    worst_err, worst_rel, worst_at = 0.0, 0.0, ()
    for _ in range(trials):
        arrays = sample_inputs((left, right), gen)
        sizes = bind_sizes(left.variables() | right.variables(), arrays)
        a = Evaluator(arrays, sizes).expr(left)
        b = Evaluator(arrays, sizes).expr(right)
        err = np.abs(a - b)
        size = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)), 1.0)
        if np.any(err > atol + rtol * size) or not np.all(np.isfinite(a)):
            w = (
                tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
                if err.ndim
                else ()
            )
            raise AssertionError(
                f"identity check failed (seed {seed}): at index {w} the left side is "
                f"{np.asarray(a)[w]:.10g} and the right side {np.asarray(b)[w]:.10g}"
            )
        if err.size and float(np.max(err)) >= worst_err:
            worst_err = float(np.max(err))
            worst_rel = worst_err / size
    return Report("identity", 2 * trials, worst_err, worst_rel, worst_at, (rtol, atol), seed)
