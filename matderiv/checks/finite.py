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

:func:`check_derivative` only orchestrates; each step is a function of its own, as in JAX's
``check_grads`` (``numerical_jvp``, ``check_jvp``, ``check_vjp``):

1. :mod:`~matderiv.checks.resolve`: the variable, f and df as functions, the point (given or
   sampled, upcast to float64);
2. :mod:`~matderiv.checks.jvp`: the numerical JVP (Richardson-extrapolated central differences);
3. :mod:`~matderiv.checks.compare`: the claim at the point, the full and the directional
   comparisons, and the verdict;
4. :mod:`~matderiv.checks.proof`: the exact route.

Every check that passes is reported to the check log hook, if one is set
(:func:`matderiv.checks.report.set_check_log`); the library itself writes no log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from ..engine.result import DerivativeLike, is_derivative
from ..errors import ShapeError
from ..language.domains import CONSTRAINTS
from ..language.expression import Expr, Var
from ..language.inputs import as_expression
from ..language.structure import Structure, SymmetricConvention
from ..numeric.pure import numpy_available
from .options import Method, check_options, not_finite, resolve_structure
from .proof import exact_derivative_check, exact_identity_check
from .report import CheckRecord, Report, record_check

if TYPE_CHECKING:  # this module loads no numpy: without it, the checks run in pure Python
    import numpy

    from ..numeric.sampling import sample_inputs
    from .compare import FULL_LIMIT
    from .jvp import Fn


def __getattr__(name: str) -> Any:
    """``FULL_LIMIT`` and ``sample_inputs``, re-exported from the numpy modules on first use."""
    if name == "FULL_LIMIT":
        from .compare import FULL_LIMIT

        return FULL_LIMIT
    if name == "sample_inputs":
        from ..numeric.sampling import sample_inputs

        return sample_inputs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CONSTRAINTS",
    "FULL_LIMIT",
    "Report",
    "check_derivative",
    "check_identity",
    "sample_inputs",
]


def check_derivative(
    f: Expr | str | Fn | DerivativeLike,
    df: DerivativeLike | Expr | str | Fn,
    at: Mapping[str, Any] | None = None,
    wrt: Var | str | None = None,
    layout: str = "tensor",
    method: Method = "auto",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    rng: numpy.random.Generator | int | None = None,
    directions: int = 3,
    shapes: Mapping[str, Any] | None = None,
    constraints: Mapping[str, str] | None = None,
    max_seconds: float = 5.0,
    symmetric: SymmetricConvention | None = None,
) -> Report:
    """Check a claimed derivative ``df`` of ``f``.

    The claimed derivative is read in the tensor layout: shape ``out.shape + wrt.shape`` with
    ``D[i..., p...] = ∂f[i...] / ∂wrt[p...]``. A check that passes is also handed to the
    check log hook, when one is set (``matderiv.checks.set_check_log``). By a symmetric or
    diagonal variable, finite differences move only its free entries (the point stays
    structured) and the claim is read in the convention ``symmetric`` names, as
    :mod:`matderiv.checks.structure` explains.

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
    symmetric : {"frobenius", "free"}, optional
        The convention of a claimed derivative by a symmetric variable (taken from ``df`` when
        it is a Derivative; required otherwise): the gradient on the symmetric matrices,
        (G + Gᵀ)/2, or the partial derivatives by the free entries, G + Gᵀ − G∘I.

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
    exact check passed on A 3×3, x 3: all 3 entries simplify to 0 (a proof for these sizes only)
    """
    check_options(layout, method)
    structure: Structure = "general"
    named = wrt if wrt is not None else (df.wrt if is_derivative(df) else None)
    if named is not None:  # the shapes may still come from the point; resolved again below
        structure, symmetric = resolve_structure(f, df, named, shapes, symmetric)
    if not numpy_available():
        from .pure import pure_check_derivative

        args = (at, wrt, layout, method, rtol, atol, rng, shapes, constraints, max_seconds)
        report = pure_check_derivative(f, df, *args, structure, symmetric)
        record_check(CheckRecord("derivative", _report_name(wrt, df), report))
        return report
    from .compare import (
        choose_method,
        directional_comparison,
        evaluate_claim,
        full_comparison,
        judge,
    )
    from .resolve import resolve_inputs, resolve_variable, seeded

    seed, gen = seeded(rng)
    wrt, shapes = resolve_variable(df, at, wrt, shapes)
    structure, symmetric = resolve_structure(f, df, wrt, shapes, symmetric)
    wname = wrt.name if isinstance(wrt, Var) else wrt
    if method == "exact":
        report, instance = exact_derivative_check(f, df, wname, shapes, seed or 0, symmetric)
        record_check(CheckRecord("derivative", wname, report, instance))
        return report
    inputs = resolve_inputs(f, df, at, wrt, shapes, constraints, gen, stacklevel=3)
    inputs = replace(inputs, structure=structure, convention=symmetric)
    claim = evaluate_claim(inputs, layout)
    chosen = choose_method(method, inputs, claim, max_seconds)
    if chosen == "full":
        comparison = full_comparison(inputs, claim)
    else:
        comparison = directional_comparison(inputs, claim, directions, gen)
    report = judge(comparison, chosen, rtol, atol, seed)
    record_check(CheckRecord("derivative", wname, report))
    return report


def check_identity(
    lhs: Expr | str,
    rhs: Expr | str,
    shapes: Mapping[str, Any] | None = None,
    trials: int = 3,
    rtol: float = 1e-9,
    atol: float = 1e-10,
    rng: numpy.random.Generator | int | None = None,
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
    exact check passed on A 2×3, B 3×2: the entry simplifies to 0 (a proof for these sizes only)
    """
    left, right = as_expression(lhs, shapes), as_expression(rhs, shapes)
    if left.shape != right.shape:
        raise ShapeError(f"the two sides have different shapes: {left.shape} and {right.shape}")
    if not numpy_available():
        from .pure import pure_check_identity

        report = pure_check_identity(left, right, trials, rtol, atol, rng, method, constraints)
        record_check(CheckRecord("identity", None, report))
        return report
    import numpy as np

    from ..numeric.evaluation import Evaluator, bind_sizes
    from ..numeric.sampling import sample_inputs
    from .resolve import seeded

    seed, gen = seeded(rng)
    if method == "exact":
        proof, instance = exact_identity_check(left, right, seed)
        record_check(CheckRecord("identity", None, proof, instance))
        return proof
    worst_err, worst_rel = 0.0, 0.0
    for _ in range(trials):
        arrays = sample_inputs((left, right), gen, constraints=constraints)
        sizes = bind_sizes(left.variables() | right.variables(), arrays)
        with np.errstate(all="ignore"):  # a side outside its domain is judged below, loudly
            a = Evaluator(arrays, sizes).expr(left)
            b = Evaluator(arrays, sizes).expr(right)
        not_finite(np.isfinite(a).ravel().tolist(), np.isfinite(b).ravel().tolist(), a, b, seed)
        err = np.abs(a - b)
        size = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)), 1.0)
        if np.any(err > atol + rtol * size):
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
    record_check(CheckRecord("identity", None, report))
    return report


def _report_name(wrt: Var | str | None, df: Any) -> str:
    """The variable's name a check record carries."""
    if wrt is None:
        wrt = getattr(df, "wrt", "")
    return wrt.name if isinstance(wrt, Var) else str(wrt)
