"""The named functions of the expression language: reductions, traces, determinants,
inverses, softmax, norms, outer and Kronecker products, vec, eye, ones and einsum.

Each is an immutable node like those of :mod:`matderiv.language.expression`, and checks its
operand's shape
when built.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, cast, get_args

from ..errors import NotSupportedError, ShapeError, check_kind
from .expression import Const, Expr, Func, MatMul, Pow, describe
from .shapes import Dim, Shape, dim_product, normalize_shape

__all__ = [
    "REDUCE_OPS",
    "Det",
    "Diag",
    "Einsum",
    "Eye",
    "Inv",
    "KeepDims",
    "Kron",
    "LogDet",
    "LogSumExp",
    "Norm",
    "Ones",
    "Outer",
    "Reduce",
    "ReduceOp",
    "Softmax",
    "Trace",
    "Unary",
    "Vec",
    "as_reduce_op",
    "keepdims",
    "matrix_power",
    "variance",
]


def _norm_axes(axis: int | tuple[int, ...] | None, e: Expr, fn: str) -> tuple[int, ...] | None:
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out: list[int] = []
    for ax in axes:
        if not -e.ndim <= ax < e.ndim:
            raise ShapeError(
                f"{fn}: axis {ax} is out of range for {describe(e)}, which has {e.ndim} axes"
            )
        out.append(ax % e.ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"{fn}: axis {axis!r} repeats an axis of {describe(e)}")
    return tuple(sorted(out))


#: The reductions; every match on ``Reduce.op`` handles each (numpy's function of that name).
ReduceOp = Literal["sum", "mean"]
REDUCE_OPS: tuple[ReduceOp, ...] = get_args(ReduceOp)


def as_reduce_op(name: str) -> ReduceOp:
    """Return ``name`` as a reduction, or raise NotSupportedError naming the reductions."""
    check_kind(name, REDUCE_OPS, "reduction")
    return cast(ReduceOp, name)


@dataclass(frozen=True, eq=False, repr=False)
class Reduce(Expr):
    """``sum`` or ``mean`` over some axes (``axes=None``: all of them)."""

    op: ReduceOp
    arg: Expr
    axes: int | tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        check_kind(self.op, REDUCE_OPS, "reduction")
        axes = _norm_axes(self.axes, self.arg, self.op)
        object.__setattr__(self, "axes", axes)
        keep = (
            () if axes is None else tuple(d for i, d in enumerate(self.arg.shape) if i not in axes)
        )
        self._finish(keep, self.op, self.arg._key, axes)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)

    @property
    def reduced(self) -> tuple[int, ...]:
        """The axes reduced over."""
        if self.axes is None:
            return tuple(range(self.arg.ndim))
        return (self.axes,) if isinstance(self.axes, int) else self.axes


@dataclass(frozen=True, eq=False, repr=False)
class KeepDims(Expr):
    """A reduction (``sum``, ``mean``, ``logsumexp``) whose reduced axes stay as axes of size 1,
    numpy's ``keepdims=True``; ``axes`` are their positions in the result."""

    arg: Expr
    axes: tuple[int, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.arg, Reduce | LogSumExp):
            raise NotSupportedError(f"keepdims applies to a reduction, not to {describe(self.arg)}")
        shape = list(self.arg.shape)
        for axis in sorted(self.axes):
            shape.insert(axis, 1)
        self._finish(tuple(shape), self.arg._key, self.axes)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


def variance(
    x: Expr, axis: int | tuple[int, ...] | None = None, keep: bool = False, std: bool = False
) -> Expr:
    """numpy's ``var`` (population, ddof = 0) or, with ``std``, ``std``, written out:
    ``mean((x - mean(x, axis, keepdims=True))**2, axis)``."""
    from fractions import Fraction

    centred = x - keepdims(Reduce("mean", x, axis))
    mean = Reduce("mean", Pow(centred, Const(Fraction(2))), axis)
    out = keepdims(mean) if keep else mean
    return Func("sqrt", out) if std else out


def keepdims(e: Reduce | LogSumExp) -> KeepDims:
    """``e`` with its reduced axes kept (as ``keepdims=True``)."""
    if isinstance(e, Reduce):
        return KeepDims(e, e.reduced)
    return KeepDims(e, tuple(range(e.arg.ndim)) if e.axis is None else (e.axis,))


def _square(e: Expr, fn: str) -> Dim:
    if e.ndim != 2 or e.shape[0] != e.shape[1]:
        raise ShapeError(f"{fn} needs a square matrix, got {describe(e)}")
    return e.shape[0]


Numeric = Callable[..., Any]
#: The result of a function of one square matrix: a scalar, or a matrix of the same shape.
SquareResult = Literal["scalar", "same"]


@dataclass(frozen=True, eq=False, repr=False)
class Unary(Expr):
    """A named function of one array, declared once by its class statement::

        class Det(Unary, name="det", latex=r"\\det", code="{np}.linalg.det({x})",
                  numpy=lambda np, a: np.linalg.det(a), square="scalar",
                  sympy=lambda sp, np, a: sp.Matrix(a).det(),
                  pure=lambda la, a: la.det(a)): ...

    The declaration holds the name, the LaTeX (an operator name, or a template with ``{x}``),
    the numpy code (a template with ``{np}`` and ``{x}``), the numpy evaluation ``(np, a)``,
    the SymPy evaluation ``(sp, np, a)`` on an object array (by default the numpy one, which
    suits functions that only rearrange or add entries), the pure-Python evaluation ``(la, a)``
    (``la`` is the pure backend's :data:`~matderiv.numeric.pure_linalg.LINALG`, ``a`` its array;
    None: the pure backend refuses the function), and the result's shape: ``square``
    for a function of a square matrix, else the class's own :meth:`result_shape`. The parser,
    the printers, the evaluator, the exact backend and the code generator read it; the
    derivative rule is the class's entry in :mod:`matderiv.engine.rules`. Options: ``user``,
    ``spelled``, ``helpers``, ``domain``, ``kink`` (see :mod:`matderiv.language.matfun`).
    """

    arg: Expr

    name: ClassVar[str]
    latex: ClassVar[str]
    code: ClassVar[str]
    numpy: ClassVar[Numeric]
    sympy: ClassVar[Numeric]
    pure: ClassVar[Callable[[Any, Any], Any] | None]
    square: ClassVar[SquareResult | None]
    user: ClassVar[bool]
    spelled: ClassVar[str | None]
    helpers: ClassVar[tuple[str, ...]]
    domain: ClassVar[Literal["real", "invertible"]]
    kink: ClassVar[bool]

    def __init_subclass__(
        cls,
        *,
        name: str,
        latex: str,
        code: str,
        numpy: Numeric,
        sympy: Numeric | None = None,
        pure: Callable[[Any, Any], Any] | None = None,
        square: SquareResult | None = None,
        user: bool = True,
        spelled: str | None = None,
        helpers: tuple[str, ...] = (),
        domain: Literal["real", "invertible"] = "real",
        kink: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.name, cls.latex, cls.code, cls.square = name, latex, code, square
        cls.user, cls.spelled, cls.helpers = user, spelled, helpers
        cls.domain, cls.kink = domain, kink
        cls.numpy = staticmethod(numpy)
        cls.sympy = staticmethod(sympy or (lambda sp, np, a: numpy(np, a)))
        cls.pure = None if pure is None else staticmethod(pure)

    def result_shape(self) -> Shape:
        """The result's shape; raises ShapeError for an argument the function does not take."""
        _square(self.arg, self.name)
        return () if self.square == "scalar" else self.arg.shape

    def __post_init__(self) -> None:
        self._finish(self.result_shape(), self.arg._key)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


class Trace(
    Unary,
    name="tr",
    latex=r"\operatorname{tr}",
    code="{np}.trace({x})",
    numpy=lambda np, a: np.trace(a),
    pure=lambda la, a: la.trace(a),
    square="scalar",
):
    """Trace of a square matrix."""


class Det(
    Unary,
    name="det",
    latex=r"\det",
    code="{np}.linalg.det({x})",
    numpy=lambda np, a: np.linalg.det(a),
    pure=lambda la, a: la.det(a),
    sympy=lambda sp, np, a: sp.Matrix(a).det(),
    square="scalar",
):
    """Determinant of a square matrix."""


class LogDet(
    Unary,
    name="logdet",
    latex=r"\log\det",
    code="{np}.linalg.slogdet({x})[1]",
    numpy=lambda np, a: np.linalg.slogdet(a)[1],
    pure=lambda la, a: la.logdet(a),
    sympy=lambda sp, np, a: sp.log(sp.Matrix(a).det()),
    square="scalar",
):
    """``log |det X|`` of a square matrix (``logdet``)."""


class Inv(
    Unary,
    name="inv",
    latex=r"{x}^{{-1}}",
    code="{np}.linalg.inv({x})",
    numpy=lambda np, a: np.linalg.inv(a),
    pure=lambda la, a: la.inv(a),
    sympy=lambda sp, np, a: np.array(sp.Matrix(a).inv(), dtype=object),
    square="same",
):
    """Inverse of a square matrix (printed ``X^{-1}``)."""


@dataclass(frozen=True, eq=False, repr=False)
class Softmax(Expr):
    """Softmax along one axis (``axis=None``: over all entries)."""

    arg: Expr
    axis: int | None = -1

    def __post_init__(self) -> None:
        if self.arg.ndim == 0:
            raise ShapeError(
                f"softmax needs an array with at least one axis, got {describe(self.arg)}"
            )
        axes = _norm_axes(self.axis, self.arg, "softmax")
        object.__setattr__(self, "axis", None if axes is None else axes[0])
        self._finish(self.arg.shape, self.arg._key, self.axis)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True, eq=False, repr=False)
class LogSumExp(Expr):
    """``log(sum(exp(x), axis))`` computed stably (``axis=None``: over all entries)."""

    arg: Expr
    axis: int | None = None

    def __post_init__(self) -> None:
        if self.arg.ndim == 0:
            raise ShapeError(
                f"logsumexp needs an array with at least one axis, got {describe(self.arg)}"
            )
        axes = _norm_axes(self.axis, self.arg, "logsumexp")
        axis = None if axes is None else axes[0]
        object.__setattr__(self, "axis", axis)
        shape = () if axis is None else tuple(d for i, d in enumerate(self.arg.shape) if i != axis)
        self._finish(shape, self.arg._key, axis)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


class Diag(
    Unary,
    name="diag",
    latex=r"\operatorname{diag}",
    code="{np}.diag({x})",
    numpy=lambda np, a: np.diag(a),
    pure=lambda la, a: la.diag(a),
):
    """numpy's ``diag``: the diagonal of a square matrix, or the diagonal matrix of a vector."""

    def result_shape(self) -> Shape:
        if self.arg.ndim == 1:
            return (self.arg.shape[0], self.arg.shape[0])
        if self.arg.ndim == 2:
            if self.arg.shape[0] != self.arg.shape[1]:
                raise NotSupportedError(
                    f"diag of the non-square matrix {describe(self.arg)} is not supported"
                )
            return (self.arg.shape[0],)
        raise ShapeError(f"diag needs a vector or a matrix, got {describe(self.arg)}")


class Norm(
    Unary,
    name="norm",
    latex=r"\left\lVert {x} \right\rVert",
    code="{np}.linalg.norm({x})",
    numpy=lambda np, a: np.linalg.norm(a),
    pure=lambda la, a: la.norm(a),
    sympy=lambda sp, np, a: sp.sqrt(np.sum(np.asarray(a, dtype=object) ** 2)),
):
    """2-norm of a vector, Frobenius norm of a matrix."""

    def result_shape(self) -> Shape:
        if self.arg.ndim not in (1, 2):
            raise ShapeError(f"norm needs a vector or a matrix, got {describe(self.arg)}")
        return ()


@dataclass(frozen=True, eq=False, repr=False)
class Outer(Expr):
    """Outer product of two vectors."""

    left: Expr
    right: Expr

    def __post_init__(self) -> None:
        for e in (self.left, self.right):
            if e.ndim != 1:
                raise ShapeError(f"outer needs two vectors, got {describe(e)}")
        self._finish((self.left.shape[0], self.right.shape[0]), self.left._key, self.right._key)

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, eq=False, repr=False)
class Kron(Expr):
    """Kronecker product of two matrices (or two vectors)."""

    left: Expr
    right: Expr

    def __post_init__(self) -> None:
        a, b = self.left, self.right
        if a.ndim != b.ndim or a.ndim not in (1, 2):
            raise ShapeError(
                f"kron needs two matrices or two vectors, got {describe(a)} and {describe(b)}"
            )
        shape = tuple(dim_product((x, y)) for x, y in zip(a.shape, b.shape, strict=True))
        self._finish(shape, a._key, b._key)

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


class Vec(
    Unary,
    name="vec",
    latex=r"\operatorname{vec}",
    code="{np}.reshape({x}, -1, order='F')",
    numpy=lambda np, a: a.reshape(-1, order="F"),
    pure=lambda la, a: la.vec(a),
):
    """Column-major vectorisation: the columns of a matrix stacked into one vector."""

    def result_shape(self) -> Shape:
        if self.arg.ndim != 2:
            raise ShapeError(f"vec needs a matrix, got {describe(self.arg)}")
        return (dim_product(self.arg.shape),)


@dataclass(frozen=True, eq=False, repr=False)
class Eye(Expr):
    """The identity matrix of size ``n``."""

    n: Dim

    def __post_init__(self) -> None:
        (n,) = normalize_shape((self.n,), "eye")
        self._finish((n, n), n)


@dataclass(frozen=True, eq=False, repr=False)
class Ones(Expr):
    """An array of ones."""

    ones_shape: Shape

    def __post_init__(self) -> None:
        shape = normalize_shape(self.ones_shape, "ones")
        self._finish(shape, shape)


@dataclass(frozen=True, eq=False, repr=False)
class Einsum(Expr):
    """``einsum(spec, *args)`` with numpy's subscripts (explicit or implicit output)."""

    spec: str
    args: tuple[Expr, ...]
    inputs: tuple[str, ...] = field(init=False, repr=False)
    output: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        spec = self.spec.replace(" ", "")
        if "." in spec:
            raise NotSupportedError(f"einsum {self.spec!r}: '...' (ellipsis) is not supported")
        lhs, arrow, out = spec.partition("->")
        inputs = tuple(lhs.split(","))
        for sub in (*inputs, out):
            bad = [c for c in sub if c not in string.ascii_letters]
            if bad:
                raise ShapeError(f"einsum {self.spec!r}: {bad[0]!r} is not a subscript letter")
        if len(inputs) != len(self.args):
            raise ShapeError(
                f"einsum {self.spec!r} names {len(inputs)} operands but {len(self.args)} were given"
            )
        if not arrow:
            counts = {c: lhs.count(c) for c in set(lhs) if c != ","}
            out = "".join(sorted(c for c, n in counts.items() if n == 1))
        sizes: dict[str, Dim] = {}
        for sub, arg in zip(inputs, self.args, strict=True):
            if len(sub) != arg.ndim:
                raise ShapeError(
                    f"einsum {self.spec!r}: subscripts {sub!r} have {len(sub)} letters but "
                    f"{describe(arg)} has {arg.ndim} axes"
                )
            for c, d in zip(sub, arg.shape, strict=True):
                if sizes.setdefault(c, d) != d:
                    raise ShapeError(
                        f"einsum {self.spec!r}: subscript {c!r} has size {sizes[c]} in one operand "
                        f"and {d} in {describe(arg)}"
                    )
        for c in out:
            if c not in sizes:
                raise ShapeError(
                    f"einsum {self.spec!r}: output subscript {c!r} is not in any input"
                )
            if out.count(c) > 1:
                raise ShapeError(f"einsum {self.spec!r}: output subscript {c!r} is repeated")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "output", out)
        canonical = ",".join(inputs) + "->" + out
        object.__setattr__(self, "spec", canonical)
        self._finish(tuple(sizes[c] for c in out), canonical, *(a._key for a in self.args))

    def children(self) -> tuple[Expr, ...]:
        return self.args


def matrix_power(x: Expr, k: int) -> Expr:
    """Return ``x`` to the integer power ``k`` as a product (``inv`` for negative ``k``)."""
    n = _square(x, "matrix_power")
    if k == 0:
        return Eye(n)
    base = x if k > 0 else Inv(x)
    out = base
    for _ in range(abs(k) - 1):
        out = MatMul(out, base)
    return out
