"""The options every check accepts, refused early when unknown; this module loads no numpy, so
both the numpy and the pure-Python route of :func:`~matderiv.checks.finite.check_derivative`
read it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..engine.result import is_derivative
from ..errors import DomainError, LayoutError, MatderivError
from ..language.expression import Expr, Var, declared_variable
from ..language.inputs import as_expression
from ..language.structure import Structure, SymmetricConvention, needs_convention
from ..numeric.layout import CONVENTIONS

__all__ = ["METHODS", "Method", "check_options", "not_finite", "resolve_structure"]

Method = Literal["auto", "directional", "full", "exact"]
METHODS: tuple[Method, ...] = ("auto", "directional", "full", "exact")


def check_options(layout: str, method: str) -> None:
    """Refuse an unknown layout or method.

    >>> check_options("tensor", "sideways")
    Traceback (most recent call last):
    ...
    ValueError: unknown method 'sideways'; expected 'auto', 'directional', 'full' or 'exact'
    """
    if layout not in CONVENTIONS:
        raise LayoutError(
            f"unknown layout {layout!r}; expected one of {', '.join(map(repr, CONVENTIONS))}"
        )
    if method not in METHODS:
        raise ValueError(
            f"unknown method {method!r}; expected 'auto', 'directional', 'full' or 'exact'"
        )


def not_finite(left_ok: list[bool], right_ok: list[bool], left: Any, right: Any, seed: Any) -> None:
    """Refuse an identity check where a side is not finite (NaN compares false with every
    tolerance, so it would pass). Both sides not finite at the same entry: the point is outside
    their domain (DomainError). One side only: the sides differ (AssertionError). ``left_ok`` and
    ``right_ok`` flag the finite entries in row-major order; ``left``/``right`` are the values."""
    if all(left_ok) and all(right_ok):
        return
    k = next(i for i, (a, b) in enumerate(zip(left_ok, right_ok, strict=True)) if not (a and b))
    flat = [_flat(left), _flat(right)]
    shown = f"the left side is {flat[0][k]:.10g} and the right side {flat[1][k]:.10g}"
    if not left_ok[k] and not right_ok[k]:
        raise DomainError(
            f"identity check (seed {seed}): at entry {k} (row-major) {shown}: the sampled point "
            "is outside the domain of both sides; constrain the inputs (constraints=)"
        )
    raise AssertionError(
        f"identity check failed (seed {seed}): at entry {k} (row-major) {shown}, which is not "
        "finite"
    )


def _flat(value: Any) -> list[float]:
    data = getattr(value, "data", None)  # a pure-Python tensor
    if isinstance(data, list):
        return [float(x) for x in data]
    ravel = getattr(value, "ravel", None)  # a numpy array
    return [float(x) for x in ravel().tolist()] if ravel is not None else [float(value)]


def resolve_structure(
    f: Any,
    df: Any,
    wrt: Var | str,
    shapes: Mapping[str, Any] | None,
    symmetric: SymmetricConvention | None,
) -> tuple[Structure, SymmetricConvention | None]:
    """The structure of the variable a derivative is checked by, and the convention the claim
    is read in: ``symmetric=``, else the one the claimed Derivative was derived in. A symmetric
    variable without one raises :class:`LayoutError` naming both; so does a ``symmetric=``
    that contradicts the Derivative's own."""
    var: Var | None = wrt if isinstance(wrt, Var) else None
    own = getattr(df, "symmetric", None) if is_derivative(df) else None
    if var is None and is_derivative(df) and df.wrt.name == wrt:
        var = df.wrt
    if var is None and is_derivative(f):  # a second derivative checked against the first
        var = next((v for v in f.variables if v.name == wrt), None)
    if var is None and isinstance(f, str | Expr):
        try:
            var = next((v for v in as_expression(f, shapes).variables() if v.name == wrt), None)
        except MatderivError:  # not parseable with these shapes: the check says why, later
            var = None
    if var is None and shapes and isinstance(wrt, str) and wrt in shapes:
        var = declared_variable(wrt, shapes[wrt])
    if var is None:
        return "general", symmetric
    if symmetric is not None and own is not None and symmetric != own:
        raise LayoutError(
            f"the claimed derivative was derived with symmetric={own!r}, but the check was "
            f"asked for symmetric={symmetric!r}; the two conventions give different matrices"
        )
    return var.structure, needs_convention(var.name, var.structure, symmetric or own)
