"""The vocabulary of the expression language: one declaration per function name.

Each :class:`Named` declares a name, how many arguments and which keywords it takes, and how it
builds its node from a parsed call (a :class:`Call`, which the parser implements). The parser
reads nothing else: it checks the name, the keywords and the number of arguments against the
declaration, then calls ``build``. The elementwise functions are declared in
:mod:`matderiv.language.specs` and the named array functions by their node classes
(:class:`~matderiv.language.functions.Unary`); this module only lists them.

Matrix functions under scipy.linalg's names that are not declared (``tanhm``, ``funm``, ...)
are known here only to say that they are not supported yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..errors import MatderivError, NotSupportedError, ShapeError
from . import nodes
from .expression import Expr, Func
from .functions import as_reduce_op, keepdims, matrix_power, variance
from .matfun import APPLIED
from .shapes import Dim
from .specs import USER_ELEMENTWISE

__all__ = ["FUNCTIONS", "MATRIX_FUNCTIONS", "NAMED", "Call", "Named"]

#: Largest |k| of matrix_power(X, k): the product is written out.
MAX_MATRIX_POWER = 64


class Call(Protocol):
    """A parsed call ``f(a0, a1, ..., key=value)`` as a declaration's ``build`` sees it.
    Each accessor raises the parser's error (with a column marker) for a wrong argument."""

    name: str

    def arg(self, i: int) -> Expr:
        """Argument ``i`` as an expression."""
        ...

    def count(self) -> int:
        """The number of positional arguments."""
        ...

    def axis(self, default: int | None, tuples: bool = False) -> int | tuple[int, ...] | None:
        """The ``axis=`` keyword: an int, None, or (with ``tuples``) a tuple of ints;
        ``default`` when it is not given."""
        ...

    def keepdims(self) -> bool:
        """The ``keepdims=`` keyword (False when not given)."""
        ...

    def size(self, i: int) -> Dim:
        """Argument ``i`` as a size: a positive int or a dimension name."""
        ...

    def sizes(self, i: int) -> tuple[Dim, ...]:
        """Argument ``i`` as a shape: a size or a tuple of sizes."""
        ...

    def literal(self, i: int) -> object:
        """Argument ``i`` as a Python literal (a string, or an int with its sign); None when it
        is not a literal."""
        ...

    def text(self, i: int) -> str:
        """Argument ``i`` as written."""
        ...

    def items(self, i: int) -> tuple[Expr, ...]:
        """Argument ``i``, a list or tuple of arrays ``[A, B]``, as expressions."""
        ...

    def shape(self, i: int) -> tuple[Dim, ...]:
        """Argument ``i`` as a shape that may hold one -1: a size or a tuple of sizes."""
        ...

    def fail(
        self, i: int | None, message: str, hint: str = "", cls: type[MatderivError] = ...
    ) -> MatderivError:
        """The error for argument ``i`` (the whole call when None), to raise."""
        ...


@dataclass(frozen=True)
class Named:
    """The declaration of one function name of the language."""

    name: str
    build: Callable[[Call], Expr]
    arity: tuple[int, int] = (1, 1)
    keywords: frozenset[str] = frozenset()


_AXIS = frozenset({"axis", "keepdims"})


def _elementwise(name: str) -> Named:
    return Named(name, lambda c: Func(name, c.arg(0)))


def _unary(name: str, cls: type[nodes.Unary]) -> Named:
    return Named(name, lambda c: cls(c.arg(0)))


def _reduce(c: Call) -> Expr:
    axis = c.axis(None, tuples=True)
    if c.name in ("var", "std"):
        return variance(c.arg(0), axis, c.keepdims(), std=c.name == "std")
    reduced = nodes.Reduce(as_reduce_op(c.name), c.arg(0), axis)
    return keepdims(reduced) if c.keepdims() else reduced


def _softmax(c: Call) -> Expr:
    axis = c.axis(-1)
    assert not isinstance(axis, tuple)
    c.keepdims()  # accepted and checked; softmax keeps every axis anyway
    return nodes.Softmax(c.arg(0), axis)


def _logsumexp(c: Call) -> Expr:
    axis = c.axis(None)
    assert not isinstance(axis, tuple)
    lse = nodes.LogSumExp(c.arg(0), axis)
    return keepdims(lse) if c.keepdims() else lse


def _einsum(c: Call) -> Expr:
    spec = c.literal(0)
    if not isinstance(spec, str):
        raise c.fail(0, "einsum's first argument must be a subscripts string such as 'ij,jk->ik'")
    return nodes.Einsum(spec, tuple(c.arg(i) for i in range(1, c.count())))


def _matrix_power(c: Call) -> Expr:
    k = c.literal(1)
    if not isinstance(k, int) or isinstance(k, bool):
        raise c.fail(1, "matrix_power needs an integer literal exponent", cls=NotSupportedError)
    if abs(k) > MAX_MATRIX_POWER:
        raise c.fail(
            1,
            f"matrix_power exponent {k} is too large (limit {MAX_MATRIX_POWER})",
            cls=NotSupportedError,
        )
    return matrix_power(c.arg(0), k)


#: norm(x, ord) for each order and rank (1: vector, 2: matrix), as numpy's ``norm`` means it.
_NORMS: dict[tuple[object, int], Callable[[Expr], Expr]] = {
    (2, 1): nodes.Norm,
    ("fro", 2): nodes.Norm,
    (2, 2): nodes.SpectralNorm,
    ("nuc", 2): nodes.NuclearNorm,
    (1, 1): nodes.Norm1,
    ("inf", 1): nodes.NormInf,
}


def _norm(c: Call) -> Expr:
    inner = c.arg(0)
    if c.count() == 1:
        return nodes.Norm(inner)
    order = "inf" if c.text(1) in ("inf", "np.inf") else c.literal(1)
    if isinstance(order, bool) or order not in (1, 2, "fro", "nuc", "inf"):
        raise c.fail(
            1,
            f"norm order {c.text(1)} is not supported",
            "use norm(x), norm(x, 1), norm(x, inf), norm(X, 'fro'), norm(X, 2) or norm(X, 'nuc')",
            cls=NotSupportedError,
        )
    build = _NORMS.get((order, inner.ndim))
    if build is None:
        vector = order in (1, "inf")
        if vector and inner.ndim == 2:
            raise c.fail(
                1,
                f"norm(X, {c.text(1)}) of a matrix (an induced norm) is not supported",
                f"for the vector norm of the entries use norm(vec(X), {c.text(1)})",
                cls=NotSupportedError,
            )
        need = f"norm(X, {c.text(1)}) needs a vector" if vector else ""
        need = need or f"norm(x, {c.text(1)}) needs a matrix"
        raise c.fail(1, need, cls=ShapeError)
    return build(inner)


# Rearranging arrays (issue 14): reshape, concatenate, stack, maximum, minimum -----------------
def _join(c: Call) -> Expr:
    axis = c.axis(0)
    if axis is None or isinstance(axis, tuple):
        raise c.fail(None, f"{c.name}: axis must be an int")
    kind: nodes.JoinKind = "stack" if c.name == "stack" else "concatenate"
    return nodes.Join(kind, c.items(0), axis)


def _extremum(c: Call) -> Expr:
    op: nodes.ExtremumOp = "maximum" if c.name == "maximum" else "minimum"
    return nodes.Extremum(op, c.arg(0), c.arg(1))


_ARRAYS = (
    Named("reshape", lambda c: nodes.Reshape(c.arg(0), c.shape(1)), arity=(2, 2)),
    Named("concatenate", _join, keywords=frozenset({"axis"})),
    Named("stack", _join, keywords=frozenset({"axis"})),
    Named("maximum", _extremum, arity=(2, 2)),
    Named("minimum", _extremum, arity=(2, 2)),
)


# The Fréchet derivative of a matrix function applied to a matrix (issue 14: VJP closed forms):
# expm_frechet(X, E) = L_expm(X, E); reassembly prints gradients with it.
def _frechet_applied(c: Call) -> Expr:
    return nodes.FrechetApply(c.name.removesuffix("_frechet"), c.arg(0), c.arg(1))


_FRECHET_APPLIED = tuple(Named(name, _frechet_applied, arity=(2, 2)) for name in APPLIED)

_DECLARED = (
    *(_elementwise(name) for name in USER_ELEMENTWISE),
    *(_unary(c.name, c) for c in nodes.Unary.__subclasses__() if c.user and c is not nodes.Norm),
    _unary("trace", nodes.Trace),
    Named("sum", _reduce, keywords=_AXIS),
    Named("mean", _reduce, keywords=_AXIS),
    Named("var", _reduce, keywords=_AXIS),
    Named("std", _reduce, keywords=_AXIS),
    Named("softmax", _softmax, keywords=_AXIS),
    Named("logsumexp", _logsumexp, keywords=_AXIS),
    Named("norm", _norm, arity=(1, 2)),
    Named("outer", lambda c: nodes.Outer(c.arg(0), c.arg(1)), arity=(2, 2)),
    Named("kron", lambda c: nodes.Kron(c.arg(0), c.arg(1)), arity=(2, 2)),
    Named("matrix_power", _matrix_power, arity=(2, 2)),
    Named("eye", lambda c: nodes.Eye(c.size(0))),
    Named("ones", lambda c: nodes.Ones(c.sizes(0))),
    Named("einsum", _einsum, arity=(2, 52)),
    *_ARRAYS,
    *_FRECHET_APPLIED,
)

#: Every function name of the language, with its declaration.
NAMED: dict[str, Named] = {n.name: n for n in _DECLARED}

#: Every function name the language knows.
FUNCTIONS = frozenset(NAMED)

#: Matrix functions, under scipy.linalg's names, that matderiv does not support yet: what each
#: one is, and the hint that ends the error (the elementwise function a user may have meant).
MATRIX_FUNCTIONS: dict[str, tuple[str, str]] = {
    "tanhm": (
        "the matrix hyperbolic tangent",
        "for the elementwise hyperbolic tangent use tanh(...)",
    ),
    "funm": ("f(X) for a scalar function f", "see the expression language in the documentation"),
    "fractional_matrix_power": (
        "a fractional matrix power",
        "for an integer power use matrix_power(X, k)",
    ),
}
