"""The exact route of the checks: a SymPy proof on a small instance, as a Report or an error.

:mod:`matderiv.checks.exact` does the proving (symbols, differentiation, simplification); this
module turns its outcome into what the checks promise: a :class:`Report` when every entry
simplifies to 0, an ``AssertionError`` with a counterexample when a random rational point
separates the two sides, and a ``NotSupportedError`` when SymPy can decide neither way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine.result import is_derivative
from ..errors import NotSupportedError, ShapeError
from ..language.expression import Expr
from ..language.inputs import as_expression
from ..language.structure import SymmetricConvention
from .exact import exact_derivative, exact_identity
from .report import Report

__all__ = ["exact_derivative_check", "exact_identity_check", "proved"]


def proved(entries: int, instance: str, seed: int | None) -> Report:
    """The report of a proof: ``entries`` entries simplified to 0 on ``instance``.

    >>> print(proved(3, "x 3", 0))
    exact check passed on x 3: all 3 entries simplify to 0 (a proof for these sizes only)
    """
    what = "the entry simplifies" if entries == 1 else f"all {entries} entries simplify"
    detail = f"on {instance}: {what} to 0 (a proof for these sizes only)"
    return Report("exact", entries, 0.0, 0.0, (), (0.0, 0.0), seed, detail)


def exact_derivative_check(
    f: Any,
    df: Any,
    wrt: str,
    shapes: Mapping[str, Any] | None,
    seed: int,
    symmetric: SymmetricConvention | None = None,
) -> tuple[Report, str]:
    """Prove ``df`` = ∂f/∂wrt on the smallest instance; the report and the instance's text.

    Raises
    ------
    NotSupportedError
        When f or df is a Python callable or f a Derivative (nothing symbolic to prove), or
        when SymPy cannot simplify every entry either way.
    ShapeError
        When ``wrt`` is not a variable of f.
    AssertionError
        With the entry and the two values at a random rational point, when they differ.
    """
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
    wvar = next((v for v in fe.variables() if v.name == wrt), None)
    if wvar is None and is_derivative(df):
        wvar = df.wrt
    if wvar is None:
        raise ShapeError(f"{wrt!r} is not a variable of {fe}")
    result = exact_derivative(fe, claimed, wvar, seed, symmetric)
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
    return proved(result.entries, result.instance, seed), result.instance


def exact_identity_check(left: Expr, right: Expr, seed: int | None) -> tuple[Report, str]:
    """Prove ``left == right`` entry by entry on the smallest instance; the report and the
    instance's text. ``seed`` (None counts as 0) draws the rational point of a counterexample.

    Raises
    ------
    AssertionError
        With the entry and the two sides' values, when they differ.
    NotSupportedError
        When SymPy cannot simplify every entry of the difference to 0.
    """
    result = exact_identity(left, right, seed or 0)
    if result.counterexample is not None:
        idx, left_value, right_value = result.counterexample
        raise AssertionError(
            f"identity check failed (exact, seed {seed}): on the instance {result.instance}, "
            f"entry {idx} is {left_value:.10g} on the left and {right_value:.10g} on the right"
        )
    if not result.proved:
        raise NotSupportedError(
            f"exact check: SymPy could not simplify entries {list(result.unproved)[:5]} "
            "of (lhs - rhs) to 0"
        )
    return proved(result.entries, result.instance, seed), result.instance
