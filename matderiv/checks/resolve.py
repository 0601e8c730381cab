"""The inputs of a derivative check, resolved: the variable, two functions and the point.

:func:`check_derivative <matderiv.checks.finite.check_derivative>` accepts f and the claimed
derivative as strings, expressions, Derivatives or callables, the variable by name or as a Var,
and the point given or not. This module turns all that into one :class:`Inputs`: two functions
of keyword arrays, the variable's name and a float64 point (sampled, seeded, when none is given).
Everything that can be wrong about the inputs raises here, before any finite difference runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.result import DerivativeLike, is_derivative
from ..errors import ShapeError
from ..language.expression import Expr, Var, declared_variable
from ..language.inputs import as_expression
from ..language.structure import Structure, SymmetricConvention
from ..numeric.evaluation import Array, Evaluator, bind_sizes
from ..numeric.sampling import sample_inputs
from .jvp import Fn
from .options import METHODS, Method, check_options

__all__ = [
    "METHODS",
    "Inputs",
    "Method",
    "as_function",
    "check_options",
    "resolve_inputs",
    "resolve_variable",
    "seeded",
    "upcast",
]


def seeded(rng: np.random.Generator | int | None) -> tuple[int | None, np.random.Generator]:
    """The seed a report names (0 by default; None for a caller's Generator) and the generator.

    >>> seeded(None)[0], seeded(7)[0], seeded(np.random.default_rng(1))[0] is None
    (0, 7, True)
    """
    seed = rng if isinstance(rng, int) else (0 if rng is None else None)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(seed)
    return seed, gen


def resolve_variable(
    df: Any,
    at: Mapping[str, Any] | None,
    wrt: Var | str | None,
    shapes: Mapping[str, Any] | None,
) -> tuple[Var | str, Mapping[str, Any] | None]:
    """The variable and the shapes, filled in from ``df`` (a Derivative knows both) or the point.

    Raises
    ------
    ShapeError
        When no variable is given and ``df`` is no Derivative.
    """
    if shapes is None and is_derivative(df):
        shapes = {v.name: v for v in df.variables | {df.wrt}}
    if shapes is None and at is not None:  # the point fixes every shape
        shapes = {name: np.shape(value) for name, value in at.items()}
    if wrt is None and is_derivative(df):
        wrt = df.wrt
    if wrt is None:
        raise ShapeError("check_derivative needs wrt= (the variable's name)")
    return wrt, shapes


def as_function(f: Any, shapes: Mapping[str, Any] | None) -> tuple[Fn, Expr | None]:
    """``f`` as a function of keyword arrays, and its expression when it has one.

    A Derivative evaluates itself, a callable is used as it is, anything else is read as an
    expression whose declared variables (in ``shapes``) lend their sizes.
    """
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
            declared.add(declared_variable(name, given))

    own = e.variables()

    def run(**arrays: Any) -> Array:
        with np.errstate(all="ignore"):
            # the expression's own variables must all be given (bind_sizes names a missing
            # one); the other declared ones only lend their sizes when present
            lent = [v for v in declared - own if v.name in arrays]
            return Evaluator(arrays, bind_sizes([*own, *lent], arrays)).expr(e)

    return run, e


def upcast(point: Mapping[str, Any], variables: set[str], stacklevel: int = 2) -> dict[str, Any]:
    """The arrays of the point as float64; an int under a name that is no variable is a named
    size (``n=4`` for the ``n`` of ``ones(n)``) and stays an int.

    Single precision is upcast with a warning (``stacklevel`` as for :func:`warnings.warn`,
    counted from here): finite differences in float32 cannot tell a correct derivative from a
    1% error.
    """
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
                stacklevel=stacklevel,
            )
        out[name] = np.array(arr, dtype=np.float64)
    return out


@dataclass(frozen=True)
class Inputs:
    """A derivative check's inputs, resolved.

    Attributes
    ----------
    f, df : callable
        The function and the claimed derivative, taking the arrays of ``point`` as keywords.
    wrt : str
        The variable's name; ``point[wrt]`` is a float64 array.
    point : dict
        Float64 arrays by name (named sizes stay ints).
    structure, convention : str
        The variable's structure and, for a symmetric one, the convention the claim is read
        in (:mod:`matderiv.checks.structure`).
    """

    f: Fn
    df: Fn
    wrt: str
    point: dict[str, Any]
    structure: Structure = "general"
    convention: SymmetricConvention | None = None

    @property
    def x0(self) -> Array:
        """The variable's value at the point."""
        value: Array = self.point[self.wrt]
        return value


def resolve_inputs(
    f: Any,
    df: DerivativeLike | Expr | str | Fn,
    at: Mapping[str, Any] | None,
    wrt: Var | str,
    shapes: Mapping[str, Any] | None,
    constraints: Mapping[str, str] | None,
    gen: np.random.Generator,
    stacklevel: int = 2,
) -> Inputs:
    """f and df as functions, and the point: ``at`` upcast to float64, or sampled with ``gen``.

    A point is sampled from f's expression (for a Derivative, from the expression it derives,
    since a derivative is checked where its expression is), honouring ``constraints``.
    ``stacklevel`` (as for :func:`warnings.warn`, counted from here) places the warning about
    single-precision input.

    Raises
    ------
    ShapeError
        When no point is given and f is a callable (nothing to sample from), or when the point
        has no array for the variable.
    """
    wname = wrt.name if isinstance(wrt, Var) else wrt
    fn, fexpr = as_function(f, shapes)
    dfn, _ = as_function(df, shapes)
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
    point = upcast(at, known, stacklevel + 1)
    if wname not in point:
        raise ShapeError(f"the point has no array for {wname!r}; give it in at=")
    return Inputs(fn, dfn, wname, point)
