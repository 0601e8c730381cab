"""Numeric and exact verification of derivatives and identities.

:func:`check_derivative` compares a claimed derivative with finite differences or proves it:

- ``"directional"``: ⟨D, V⟩ against central differences along a few random directions V, plus
  an adjoint test ⟨U, D V⟩ = ⟨Dᵀ U, V⟩ for tensor-valued maps. Cost: a handful of evaluations of
  f, whatever the size, so this is the method for large inputs.
- ``"full"``: the whole finite-difference Jacobian, one variable entry at a time. Opt-in; refused
  when it would take longer than ``max_seconds``.
- ``"exact"``: for expressions, a small concrete instance is expanded into SymPy symbols,
  differentiated entry by entry and the difference simplified to 0 (:mod:`matderiv.checks.exact`).
- ``"auto"``: the full check for small variables, else directional; the report says which.

Finite differences are central at two step sizes h and h/2, extrapolated (Richardson) to
O(h⁴); the difference of the two central differences bounds the remaining error from above
and widens the tolerance where the function is rough, so a correct derivative does not raise a
false alarm, while a 1 % error in the claimed value is still caught (the reported relative
errors are normwise: largest error over largest value).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..engine.result import DerivativeLike, is_derivative
from ..errors import DomainError, LayoutError, NotSupportedError, ShapeError
from ..language.expression import Expr, Var
from ..language.inputs import as_expression
from ..language.shapes import normalize_shape
from ..numeric.evaluation import Array, Evaluator, bind_sizes
from ..numeric.layout import CONVENTIONS, to_tensor
from ..numeric.sampling import CONSTRAINTS, sample_inputs
from .exact import exact_derivative, exact_identity

__all__ = ["CONSTRAINTS", "Report", "check_derivative", "check_identity", "sample_inputs"]

Method = Literal["auto", "directional", "full", "exact"]


#: Largest number of variable entries for which "auto" uses the full Jacobian.
FULL_LIMIT = 400


def _log(report: Report, what: str) -> None:
    """Append one line per check to the file named by MATDERIV_CHECK_LOG, if set (the book's
    build sets it, to report how many checks it ran)."""
    path = os.environ.get("MATDERIV_CHECK_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{report.method}\t{what}\n")


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
    detail: str = ""

    def __str__(self) -> str:
        if self.method == "exact":
            return f"exact check: {self.detail}"
        return (
            f"{self.method} check passed: {self.evaluations} evaluations, max abs error "
            f"{self.max_abs_error:.2e}, max rel error {self.max_rel_error:.2e}"
            + (f"; {self.detail}" if self.detail else "")
        )


# the checks -----------------------------------------------------------------------------

Fn = Callable[..., Any]


def _as_function(f: Any, shapes: Mapping[str, Any] | None) -> tuple[Fn, Expr | None]:
    if is_derivative(f):
        return (lambda **arrays: f.evaluate(**arrays)), None
    if callable(f) and not isinstance(f, Expr):
        return f, None
    e = as_expression(f, shapes)
    # every declared variable fixes sizes, not only this expression's own: the claimed
    # derivative "n * x" reads n off the shape of x, and "n" alone off any array declared with n
    declared = set(e.variables())
    for name, given in (shapes or {}).items():
        if all(v.name != name for v in declared):
            declared.add(
                given if isinstance(given, Var) else Var(name, normalize_shape(given, name))
            )

    own = e.variables()

    def run(**arrays: Any) -> Array:
        with np.errstate(all="ignore"):
            # the expression's own variables must all be given (bind_sizes names a missing
            # one); the other declared ones only lend their sizes when present
            lent = [v for v in declared - own if v.name in arrays]
            return Evaluator(arrays, bind_sizes([*own, *lent], arrays)).expr(e)

    return run, e


def _upcast(point: Mapping[str, Any], variables: set[str]) -> dict[str, Any]:
    """The arrays of the point as float64; an int under a name that is no variable is a named
    size (``n=4`` for the ``n`` of ``ones(n)``) and stays an int."""
    out: dict[str, Any] = {}
    for name, value in point.items():
        if isinstance(value, int) and not isinstance(value, bool) and name not in variables:
            out[name] = value
            continue
        arr = np.asarray(value)
        if arr.dtype in (np.float16, np.float32):
            warnings.warn(
                f"check_derivative: upcasting {arr.dtype} input {name!r} to float64; finite "
                "differences in single precision cannot tell a correct derivative from a 1% error",
                UserWarning,
                stacklevel=3,
            )
        out[name] = np.array(arr, dtype=np.float64)
    return out


def check_derivative(
    f: Expr | str | Fn | DerivativeLike,
    df: DerivativeLike | Expr | str | Fn,
    at: Mapping[str, Any] | None = None,
    wrt: Var | str | None = None,
    layout: str = "tensor",
    method: Method = "auto",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    rng: np.random.Generator | int | None = None,
    directions: int = 3,
    shapes: Mapping[str, Any] | None = None,
    constraints: Mapping[str, str] | None = None,
    max_seconds: float = 5.0,
) -> Report:
    """Check a claimed derivative ``df`` of ``f``.

    The claimed derivative is read in the tensor layout: shape ``out.shape + wrt.shape`` with
    ``D[i..., p...] = ∂f[i...] / ∂wrt[p...]``.

    Parameters
    ----------
    f : str, Expr, Derivative or callable
        The function; a callable takes the arrays as keywords.
    df : Derivative, str, Expr or callable
        The claimed derivative.
    at : dict of arrays, optional
        The point; sampled (seeded) from ``shapes`` or the expression when omitted.
    wrt : str or Var
        The variable (taken from ``df`` when it is a Derivative).
    method : {"auto", "directional", "full", "exact"}
    rtol, atol : float
        Tolerances, relative to the size of the compared values.
    rng : int or Generator, optional
        Seed for directions and sampled inputs (default 0, so every check is reproducible).
    constraints : dict, optional
        ``{name: kind}`` for sampled inputs; see :func:`matderiv.numeric.sampling.sample_inputs`.
    max_seconds : float
        The full check refuses to run when its estimated time exceeds this.

    Returns
    -------
    Report

    Raises
    ------
    AssertionError
        Naming the method, seed, worst entry, analytic and finite-difference values and the
        tolerance.

    Examples
    --------
    >>> import matderiv as md
    >>> shapes = {"A": (3, 3), "x": (3,)}
    >>> md.check_derivative("x @ A @ x", "(A + A.T) @ x", wrt="x", shapes=shapes).method
    'full'
    >>> md.check_derivative("x @ A @ x", "2 * A @ x", wrt="x", shapes=shapes)
    Traceback (most recent call last):
    ...
    AssertionError: derivative check failed (full, seed 0): at index (...) the analytic value is ...
    >>> r = md.check_derivative(
    ...     "x @ A @ x", "(A + A.T) @ x", wrt="x", shapes=shapes, method="exact"
    ... )
    >>> print(r)
    exact check: exact for A 3×3, x 3: all 3 entries simplify to 0 (a proof for these sizes only)
    """

    if layout not in CONVENTIONS:
        raise LayoutError(
            f"unknown layout {layout!r}; expected one of {', '.join(map(repr, CONVENTIONS))}"
        )
    if method not in ("auto", "directional", "full", "exact"):
        raise ValueError(
            f"unknown method {method!r}; expected 'auto', 'directional', 'full' or 'exact'"
        )
    seed = rng if isinstance(rng, int) else (0 if rng is None else None)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(seed)
    if shapes is None and is_derivative(df):
        shapes = {v.name: v for v in df.variables | {df.wrt}}
    if shapes is None and at is not None:  # the point fixes every shape
        shapes = {name: np.shape(value) for name, value in at.items()}
    if wrt is None and is_derivative(df):
        wrt = df.wrt
    if wrt is None:
        raise ShapeError("check_derivative needs wrt= (the variable's name)")
    wname = wrt.name if isinstance(wrt, Var) else wrt
    if method == "exact":
        return _exact(f, df, wname, shapes, seed or 0)
    fn, fexpr = _as_function(f, shapes)
    dfn, _ = _as_function(df, shapes)
    if at is None:
        root: Any = f
        while is_derivative(root):  # a derivative is checked where its expression is
            root = root.of
        source = root if isinstance(root, Expr) else fexpr
        if source is None:
            raise ShapeError("check_derivative needs at= (the point) when f is a callable")
        wvar = (
            wrt
            if isinstance(wrt, Var)
            else next((v for v in source.variables() if v.name == wname), None)
        )
        if wvar is None and is_derivative(df):
            wvar = df.wrt
        extra: list[Expr] = [wvar] if wvar is not None else []
        at = sample_inputs([source, *extra], gen, constraints=constraints)
    known = {wname} | {v.name for v in fexpr.variables()} if fexpr is not None else {wname}
    if is_derivative(df):
        known |= {v.name for v in df.variables}
    point = _upcast(at, known)
    if wname not in point:
        raise ShapeError(f"the point has no array for {wname!r}; give it in at=")
    x0 = point[wname]
    t0 = time.perf_counter()
    value0 = np.asarray(fn(**point), dtype=np.float64)
    t_eval = time.perf_counter() - t0
    D = np.asarray(dfn(**point), dtype=np.float64)
    if layout != "tensor":  # the claimed derivative is arranged in a convention: undo it
        try:
            D = np.asarray(to_tensor(D, value0.shape, x0.shape, layout), dtype=np.float64)
        except ShapeError as wrong:  # a wrong shape is a failed check in every layout
            raise AssertionError(f"derivative check failed: {wrong}") from None
    want = value0.shape + x0.shape
    if D.shape != want:
        raise AssertionError(
            f"derivative check failed: the claimed derivative has shape {D.shape}, expected "
            f"{want} (output {value0.shape} then {wname} {x0.shape}, tensor layout)"
        )
    chosen = method if method != "auto" else ("full" if x0.size <= FULL_LIMIT else "directional")
    if chosen == "full" and 4 * x0.size * t_eval > max_seconds:
        raise NotSupportedError(
            f"the full check would take about {4 * x0.size * t_eval:.1f} s ({4 * x0.size} "
            f"evaluations of f for {wname} with {x0.size} entries); the limit is max_seconds="
            f"{max_seconds:g}. Use method='directional'"
        )
    scale = max(1.0, float(np.max(np.abs(x0), initial=0.0)))

    def fd(direction: Array) -> tuple[Array, Array]:
        """Richardson-extrapolated central difference and an estimate of its error."""

        def central(step: float) -> Array:
            plus, minus = dict(point), dict(point)
            plus[wname] = x0 + step * direction
            minus[wname] = x0 - step * direction
            diff: Array = np.asarray(fn(**plus), dtype=np.float64) - np.asarray(fn(**minus))
            return diff / (2 * step)

        h = 1e-3 * scale
        c1, c2 = central(h), central(h / 2)
        # Richardson's extrapolation; |c1 - c2| bounds its error from above (conservatively)
        return (4 * c2 - c1) / 3, np.abs(c2 - c1)

    if chosen == "full":
        numeric = np.zeros(want)
        noise = np.zeros(want)
        flat_n = numeric.reshape((*value0.shape, x0.size))
        flat_e = noise.reshape((*value0.shape, x0.size))
        for k in range(x0.size):
            e = np.zeros(x0.size)
            e[k] = 1.0
            flat_n[..., k], flat_e[..., k] = fd(e.reshape(x0.shape))
        analytic, evals, detail = D, 4 * x0.size, ""
    else:
        axes = (tuple(range(value0.ndim, D.ndim)), tuple(range(x0.ndim)))
        rows_a, rows_n, rows_e = [], [], []
        for _ in range(directions):
            v = gen.standard_normal(x0.shape)
            num, err = fd(v)
            jvp = np.tensordot(D, v, axes=axes)
            rows_a.append(np.ravel(jvp))
            rows_n.append(np.ravel(num))
            rows_e.append(np.ravel(err))
            if value0.ndim:  # adjoint test: <U, D v> against <D^T U, v> through the same FD
                u = gen.standard_normal(value0.shape)
                vjp = np.tensordot(
                    u, D, axes=(tuple(range(value0.ndim)), tuple(range(value0.ndim)))
                )
                rows_a.append(np.array([np.vdot(vjp, v)]))
                rows_n.append(np.array([np.vdot(u, num)]))
                rows_e.append(np.array([np.vdot(np.abs(u), err)]))
        analytic, numeric, noise = (np.concatenate(r) for r in (rows_a, rows_n, rows_e))
        evals = 4 * directions
        detail = f"{directions} directions" + (", with adjoint test" if value0.ndim else "")
    report = _compare(analytic, numeric, noise, chosen, evals, rtol, atol, seed, detail)
    _log(report, f"d/d{wname}")
    return report


def _compare(
    analytic: Array,
    numeric: Array,
    noise: Array,
    method: str,
    evals: int,
    rtol: float,
    atol: float,
    seed: int | None,
    detail: str,
) -> Report:
    if not np.all(np.isfinite(numeric)):  # NaN compares false: it would pass every test
        w = tuple(int(i) for i in np.argwhere(~np.isfinite(numeric))[0])
        raise DomainError(
            f"derivative check impossible ({method}, seed {seed}): finite differences give "
            f"{numeric[w]} at index {w}, so f is not finite near the point; check it at a point "
            "inside its domain"
        )
    err = np.abs(analytic - numeric)
    size = max(
        float(np.max(np.abs(numeric), initial=0.0)), float(np.max(np.abs(analytic), initial=0.0))
    )
    bound = atol * max(1.0, size) + rtol * np.maximum(np.abs(numeric), size * 1e-3) + noise
    finite = bool(np.all(np.isfinite(analytic)))
    worst = (
        tuple(int(i) for i in np.unravel_index(int(np.argmax(err - bound)), err.shape))
        if err.size
        else ()
    )
    if not finite or np.any(err > bound):
        w = worst
        if not finite:
            w = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        raise AssertionError(
            f"derivative check failed ({method}, seed {seed}): at index {w} the analytic value is "
            f"{analytic[w]:.10g} but finite differences give {numeric[w]:.10g} (abs error "
            f"{err[w]:.3g}, allowed {bound[w]:.3g} from rtol={rtol:g}, atol={atol:g})"
        )
    # normwise: the largest error relative to the largest value (entries near 0 do not inflate it)
    rel = float(np.max(err, initial=0.0)) / max(size, 1e-300)
    return Report(
        method, evals, float(np.max(err, initial=0.0)), rel, worst, (rtol, atol), seed, detail
    )


def _exact(f: Any, df: Any, wname: str, shapes: Mapping[str, Any] | None, seed: int) -> Report:

    if (callable(f) and not (isinstance(f, Expr) or is_derivative(f))) or (
        callable(df) and not (isinstance(df, Expr) or is_derivative(df))
    ):
        raise NotSupportedError(
            "method='exact' needs f and df as expressions or a Derivative, not Python callables"
        )
    if is_derivative(f):
        raise NotSupportedError(
            "method='exact' needs f as an expression; "
            "check a Hessian against its gradient numerically"
        )
    fe = as_expression(f, shapes)
    claimed = df if is_derivative(df) else as_expression(df, shapes)
    wvar = next((v for v in fe.variables() if v.name == wname), None)
    if wvar is None and is_derivative(df):
        wvar = df.wrt
    if wvar is None:
        raise ShapeError(f"{wname!r} is not a variable of {fe}")
    result = exact_derivative(fe, claimed, wvar, seed)
    if result.proved:
        _log(_proved(result.entries, result.instance, seed), f"d/d{wname}")
    if result.counterexample is not None:
        idx, a, b = result.counterexample
        raise AssertionError(
            f"exact check failed (seed {seed}): on the instance {result.instance}, entry {idx} "
            f"of the true derivative is {a:.10g} at a random rational point, but the claimed "
            f"derivative gives {b:.10g}"
        )
    if not result.proved:
        raise NotSupportedError(
            f"exact check: SymPy could not simplify entries {list(result.unproved)[:5]} of "
            f"(true - claimed) to 0 on the instance {result.instance}; it is not a proof either "
            "way. Use a numeric method"
        )
    return _proved(result.entries, result.instance, seed)


def _proved(entries: int, instance: str, seed: int | None) -> Report:
    what = "the entry simplifies" if entries == 1 else f"all {entries} entries simplify"
    detail = f"exact for {instance}: {what} to 0 (a proof for these sizes only)"
    return Report("exact", entries, 0.0, 0.0, (), (0.0, 0.0), seed, detail)


def check_identity(
    lhs: Expr | str,
    rhs: Expr | str,
    shapes: Mapping[str, Any] | None = None,
    trials: int = 3,
    rtol: float = 1e-9,
    atol: float = 1e-10,
    rng: np.random.Generator | int | None = None,
    method: Literal["numeric", "exact"] = "numeric",
    constraints: Mapping[str, str] | None = None,
) -> Report:
    """Check that two expressions are equal, on random inputs or exactly on a small instance.

    Examples
    --------
    >>> import matderiv as md
    >>> s = {"A": (2, 3), "B": (3, 2)}
    >>> md.check_identity("tr(A @ B)", "tr(B @ A)", s).method
    'identity'
    >>> print(md.check_identity("tr(A @ B)", "tr(B @ A)", s, method="exact"))
    exact check: exact for A 2×3, B 3×2: the entry simplifies to 0 (a proof for these sizes only)
    """
    seed = rng if isinstance(rng, int) else (0 if rng is None else None)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(seed)
    left, right = as_expression(lhs, shapes), as_expression(rhs, shapes)
    if left.shape != right.shape:
        raise ShapeError(f"the two sides have different shapes: {left.shape} and {right.shape}")
    if method == "exact":
        result = exact_identity(left, right, seed or 0)
        if result.counterexample is not None:
            idx, left_value, right_value = result.counterexample
            raise AssertionError(
                f"identity check failed (exact, seed {seed}): on the instance {result.instance}, "
                f"entry {idx} is {left_value:.10g} on the left and {right_value:.10g} on the right"
            )
        if result.proved:
            _log(_proved(result.entries, result.instance, seed), "identity")
        else:
            raise NotSupportedError(
                f"exact check: SymPy could not simplify entries {list(result.unproved)[:5]} "
                "of (lhs - rhs) to 0"
            )
        return _proved(result.entries, result.instance, seed)
    worst_err, worst_rel = 0.0, 0.0
    for _ in range(trials):
        arrays = sample_inputs((left, right), gen, constraints=constraints)
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
        worst_err = max(worst_err, float(np.max(err, initial=0.0)))
        worst_rel = max(worst_rel, worst_err / size)
    report = Report("identity", 2 * trials, worst_err, worst_rel, (), (rtol, atol), seed)
    _log(report, "identity")
    return report
