"""The typed expression tree: every node knows its shape.

Nodes are immutable and compare structurally, so equal sub-expressions are recognised
wherever they occur (the derivation engine relies on it to cancel ``u**-1 * u``). Shapes are
checked when a node is built; a mismatch raises :class:`~matderiv.errors.ShapeError` naming
both operands, their shapes and the operator.

Build expressions by parsing text (:func:`matderiv.language.parsing.parse`) or with :func:`var` and
Python operators:

>>> import matderiv as md
>>> X, W = md.var("X", ("B", "N")), md.var("W", ("N", "M"))
>>> (X @ W).shape
('B', 'M')
>>> X @ X
Traceback (most recent call last):
...
matderiv.errors.ShapeError: cannot multiply X (B×N) by X (B×N) with '@': inner sizes N (axis 1 ...
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from ..errors import NotSupportedError, ShapeError
from .shapes import Dim, Shape, dim_names, name_clash, normalize_shape
from .specs import ELEMENTWISE, Elementwise
from .structure import Structure, Structured, check_structure

__all__ = [
    "Add",
    "Const",
    "Expr",
    "Func",
    "MatMul",
    "Mul",
    "Pi",
    "Pow",
    "Size",
    "Transpose",
    "Var",
    "as_expr",
    "declared_variable",
    "describe",
    "install_indexing",
    "install_printers",
    "var",
]


def shape_text(shape: Shape) -> str:
    """Return a shape as ``B×N`` (``scalar`` for ``()``)."""
    return "×".join(str(d) for d in shape) if shape else "scalar"


#: How nodes show themselves: ``text``, ``code`` and ``latex`` printers. They live in
#: :mod:`matderiv.language.printing`, which imports the nodes and installs itself here with
#: :func:`install_printers` when it is imported (the ``language`` package imports it), so this
#: module never imports the printers back.
_PRINTERS: dict[str, Callable[[Expr], str]] = {}


#: How ``e[key]`` builds its node: :mod:`matderiv.language.arrays` installs it when imported (it
#: imports this module, so this one cannot import it back).
_INDEXING: list[Callable[[Expr, object], Expr]] = []


def install_indexing(build: Callable[[Expr, object], Expr]) -> None:
    """Set the function that builds ``e[key]`` (basic indexing)."""
    _INDEXING[:] = [build]


def install_printers(**printers: Callable[[Expr], str]) -> None:
    """Set the functions that print a node as ``text``, ``code`` and ``latex``."""
    unknown = set(printers) - {"text", "code", "latex"}
    if unknown:
        raise TypeError(f"unknown printer(s) {sorted(unknown)}; expected text, code, latex")
    _PRINTERS.update(printers)


def _show(e: Expr, how: str) -> str:
    printer = _PRINTERS.get(how)
    return printer(e) if printer is not None else f"<{type(e).__name__}>"


def describe(e: Expr) -> str:
    """Return ``e`` with its shape, as error messages quote it: ``X @ W (B×M)``."""
    return f"{_show(e, 'text')} ({shape_text(e.shape)})"


@dataclass(frozen=True, eq=False, repr=False)
class Expr:
    """Base class of expression nodes. Subclasses set ``shape`` in ``__post_init__``."""

    shape: Shape = field(init=False, repr=False)
    _key: tuple[Any, ...] = field(init=False, repr=False)
    _hash: int = field(init=False, repr=False)

    precedence: ClassVar[int] = 100

    def _finish(self, shape: Shape, *key: Any) -> None:
        object.__setattr__(self, "shape", shape)
        full = (type(self).__name__, *key)
        object.__setattr__(self, "_key", full)
        object.__setattr__(self, "_hash", hash(full))

    # structural identity -------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and (self is other or self._key == other._key)

    def __hash__(self) -> int:
        return self._hash

    def children(self) -> tuple[Expr, ...]:
        """Return the direct sub-expressions."""
        return ()

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self.shape)

    def walk(self) -> Iterator[Expr]:
        """Every node of the expression, this one first (depth first); shared sub-expressions
        are visited once for each place they occur."""
        stack: list[Expr] = [self]
        while stack:
            e = stack.pop()
            yield e
            stack.extend(reversed(e.children()))

    def variables(self) -> frozenset[Var]:
        """Return every variable the expression depends on."""
        return frozenset(e for e in self.walk() if isinstance(e, Var))

    def check_variables(self) -> None:
        """Raise ShapeError when one name is used for variables of different shapes."""
        seen: dict[str, Var] = {}
        for v in sorted(self.variables(), key=lambda v: (v.name, str(v.shape))):
            if v.name in seen and seen[v.name] != v:
                old = seen[v.name]
                if old.shape == v.shape:
                    raise ShapeError(
                        f"variable {v.name!r} is used with two structures, {old.structure} and "
                        f"{v.structure}; declare each variable once"
                    )
                first = shape_text(old.shape)
                raise ShapeError(
                    f"variable {v.name!r} is used with two shapes, {first} and "
                    f"{shape_text(v.shape)}; give each variable one shape"
                )
            seen[v.name] = v
        for v in seen.values():
            for d in v.shape:
                clash = [part for part in dim_names(d) if part in seen]
                if clash:
                    raise name_clash(clash[0], [v.name])

    def depends_on(self, v: Var) -> bool:
        """Return whether ``v`` occurs in the expression."""
        return v in self.variables()

    def __repr__(self) -> str:
        return f"Expr({_show(self, 'code')!r}, shape={self.shape!r})"

    def __str__(self) -> str:
        return _show(self, "text")

    def _repr_latex_(self) -> str:
        return f"${_show(self, 'latex')}$"

    # operators ---------------------------------------------------------
    def __add__(self, other: object) -> Expr:
        return Add((self, as_expr(other)))

    def __radd__(self, other: object) -> Expr:
        return Add((as_expr(other), self))

    def __sub__(self, other: object) -> Expr:
        return Add((self, negate(as_expr(other))))

    def __rsub__(self, other: object) -> Expr:
        return Add((as_expr(other), negate(self)))

    def __mul__(self, other: object) -> Expr:
        return Mul((self, as_expr(other)))

    def __rmul__(self, other: object) -> Expr:
        return Mul((as_expr(other), self))

    def __truediv__(self, other: object) -> Expr:
        return Mul((self, Pow(as_expr(other), Const(Fraction(-1)))))

    def __rtruediv__(self, other: object) -> Expr:
        return Mul((as_expr(other), Pow(self, Const(Fraction(-1)))))

    def __pow__(self, other: object) -> Expr:
        return Pow(self, as_expr(other))

    def __matmul__(self, other: object) -> Expr:
        return MatMul(self, as_expr(other))

    def __rmatmul__(self, other: object) -> Expr:
        return MatMul(as_expr(other), self)

    def __neg__(self) -> Expr:
        return negate(self)

    def __getitem__(self, key: object) -> Expr:
        """Basic indexing with literal ints and slices: ``X[:, 0]``, ``x[1:3]``, ``X[-1]``."""
        if not _INDEXING:
            raise NotSupportedError("indexing is not available: import matderiv.language")
        return _INDEXING[0](self, key)

    def __iter__(self) -> Iterator[Expr]:
        raise TypeError(f"an expression is not iterable: {describe(self)}; index it, such as x[0]")

    def __pos__(self) -> Expr:
        return self

    def apply(self, name: str) -> Expr:
        """The elementwise function ``name`` applied to this expression: ``x.apply("exp")``."""
        return Func(name, self)

    @property
    def T(self) -> Expr:
        """The transpose (all axes reversed, as ``numpy.ndarray.T``)."""
        return Transpose(self) if self.ndim >= 2 else self


def as_expr(value: object) -> Expr:
    """Return ``value`` as an expression: expressions pass through, numbers become constants."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        raise TypeError(f"cannot use the boolean {value!r} in an expression")
    if isinstance(value, int | Fraction):
        return Const(Fraction(value))
    if isinstance(value, float):
        return Const(Fraction(str(value)))
    raise TypeError(
        f"cannot use {value!r} of type {type(value).__name__} in an expression; "
        "expected an expression or a number"
    )


def negate(e: Expr) -> Expr:
    """Return ``-e`` (folding constants)."""
    if isinstance(e, Const):
        return Const(-e.value)
    return Mul((Const(Fraction(-1)), e))


def _broadcast(op: str, args: tuple[Expr, ...]) -> Shape:
    rank = max(a.ndim for a in args)
    out: list[Dim] = []
    for axis in range(rank):
        seen: Dim | None = None
        for a in args:
            pos = axis - (rank - a.ndim)
            if pos < 0:
                continue
            d = a.shape[pos]
            if seen is None or seen == 1:
                seen = d
            elif d not in (seen, 1):
                first = next(
                    b
                    for b in args
                    if axis - (rank - b.ndim) >= 0 and b.shape[axis - rank + b.ndim] != 1
                )
                shown = "'+' or '-'" if op == "+" else repr(op)  # a - b is a + (-b)
                raise ShapeError(
                    f"cannot combine {describe(first)} and {describe(a)} with {shown}: sizes "
                    f"{seen} (axis {axis - (rank - first.ndim)} of {first}) and {d} "
                    f"(axis {pos} of {a}) differ, and numpy broadcasting matches "
                    "trailing axes; to combine a statistic of each row with the rows, keep the "
                    "reduced axis with keepdims=True, e.g. mean(X, axis=1, keepdims=True)"
                )
        assert seen is not None
        out.append(seen)
    return tuple(out)


@dataclass(frozen=True, eq=False, repr=False)
class Var(Expr):
    """A variable: a named array of a given shape, with a :data:`structure` (a square matrix may
    be declared symmetric or diagonal; see :mod:`matderiv.language.structure`)."""

    name: str
    var_shape: Shape
    structure: Structure = "general"

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or keyword.iskeyword(self.name):
            raise ShapeError(
                f"variable name {self.name!r} is not a valid identifier (or is a Python keyword)"
            )
        if self.name == "pi":
            raise ShapeError(
                "variable name 'pi' is taken: pi is the constant π in the expression language; "
                "name the variable differently, e.g. 'p'"
            )
        shape = normalize_shape(self.var_shape, self.name)
        check_structure(self.structure, shape, self.name)
        if self.structure == "general":  # the key of an unstructured variable is unchanged
            self._finish(shape, self.name, shape)
        else:
            self._finish(shape, self.name, shape, self.structure)


def var(name: str, shape: object = (), structure: Structure = "general") -> Var:
    """Create a variable for building expressions in Python.

    Parameters
    ----------
    name : str
        The variable's name, as it appears in results.
    shape : tuple of int or str
        Its shape; dimension names such as ``"N"`` are symbolic sizes. ``()`` is a scalar.
    structure : {"general", "symmetric", "diagonal", "stochastic"}
        A square matrix may be declared symmetric (S = Sᵀ) or diagonal; a vector or matrix
        stochastic (nonnegative, each row summing to one; a constant, never differentiated by).
        Its arrays must then have that structure, sampled inputs do, and a derivative by a
        symmetric variable needs ``symmetric="frobenius"`` or ``"free"`` (see
        :mod:`matderiv.language.structure`).

    Examples
    --------
    >>> import matderiv as md
    >>> x, A = md.var("x", ("n",)), md.var("A", ("n", "n"))
    >>> print(md.derive(x @ A @ x, x).matrix)
    (A + A^T) x
    >>> S = md.var("S", ("n", "n"), structure="symmetric")
    >>> print(md.derive(x @ S @ x, S, symmetric="free").matrix)
    2 x x^T - diag(x)^2
    """
    return Var(name, normalize_shape(shape, name), structure)


def declared_variable(name: str, given: object) -> Var:
    """The variable ``shapes=`` declares under ``name``: ``given`` is a shape, a
    :func:`~matderiv.language.structure.structured` shape, or a variable (used as it is)."""
    if isinstance(given, Var):
        return given
    if isinstance(given, Structured):
        return Var(name, given.shape, given.structure)
    return Var(name, normalize_shape(given, name))


@dataclass(frozen=True, eq=False, repr=False)
class Const(Expr):
    """A scalar rational constant."""

    value: Fraction

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", Fraction(self.value))
        self._finish((), self.value)


@dataclass(frozen=True, eq=False, repr=False)
class Pi(Expr):
    """The constant π."""

    def __post_init__(self) -> None:
        self._finish(())


@dataclass(frozen=True, eq=False, repr=False)
class Size(Expr):
    """A named dimension used as a number: ``B`` in ``B * ones(M)`` is the size of axis B."""

    name: str

    def __post_init__(self) -> None:
        self._finish((), self.name)


@dataclass(frozen=True, eq=False, repr=False)
class Add(Expr):
    """Elementwise sum of two or more operands (scalars and trailing axes broadcast)."""

    args: tuple[Expr, ...]

    def __post_init__(self) -> None:
        self._finish(_broadcast("+", self.args), *(a._key for a in self.args))

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True, eq=False, repr=False)
class Mul(Expr):
    """Elementwise (Hadamard) product of two or more operands."""

    args: tuple[Expr, ...]

    def __post_init__(self) -> None:
        self._finish(_broadcast("*", self.args), *(a._key for a in self.args))

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True, eq=False, repr=False)
class Pow(Expr):
    """Elementwise power ``base ** exponent``."""

    base: Expr
    exponent: Expr

    def __post_init__(self) -> None:
        shape = _broadcast("**", (self.base, self.exponent))
        self._finish(shape, self.base._key, self.exponent._key)

    def children(self) -> tuple[Expr, ...]:
        return (self.base, self.exponent)


@dataclass(frozen=True, eq=False, repr=False)
class MatMul(Expr):
    """Matrix product with numpy's ``@`` rules (1-D operands are vectors)."""

    left: Expr
    right: Expr

    def __post_init__(self) -> None:
        a, b = self.left, self.right
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"cannot multiply {describe(a)} by {describe(b)} with '@': '@' needs arrays "
                "with at least one axis; use '*' to scale by a scalar"
            )
        ka = a.shape[-1]
        kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if ka != kb:
            axis_b = 0 if b.ndim == 1 else b.ndim - 2
            raise ShapeError(
                f"cannot multiply {describe(a)} by {describe(b)} with '@': inner sizes {ka} "
                f"(axis {a.ndim - 1} of {a}) and {kb} (axis {axis_b} of {b}) "
                "differ"
            )
        if a.ndim > 2 or b.ndim > 2:
            if a.ndim != b.ndim or a.shape[:-2] != b.shape[:-2]:
                raise NotSupportedError(
                    f"'@' of {describe(a)} and {describe(b)}: stacks of matrices are "
                    "supported only with equal leading axes; write the contraction with einsum"
                )
            shape: Shape = (*a.shape[:-1], b.shape[-1])
        else:
            shape = (*a.shape[:-1], *b.shape[1:])
        self._finish(shape, a._key, b._key)

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, eq=False, repr=False)
class Transpose(Expr):
    """All axes reversed (numpy's ``.T``)."""

    arg: Expr

    def __post_init__(self) -> None:
        self._finish(tuple(reversed(self.arg.shape)), self.arg._key)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True, eq=False, repr=False)
class Func(Expr):
    """An elementwise function such as ``exp`` or ``sigmoid``."""

    name: str
    arg: Expr

    def __post_init__(self) -> None:
        if self.name not in ELEMENTWISE:
            raise NotSupportedError(
                f"elementwise function {self.name!r} is not supported; the elementwise "
                f"functions are {', '.join(sorted(ELEMENTWISE))}"
            )
        self._finish(self.arg.shape, self.name, self.arg._key)

    @property
    def spec(self) -> Elementwise:
        """The function's declaration (:mod:`matderiv.language.specs`)."""
        return ELEMENTWISE[self.name]

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)
