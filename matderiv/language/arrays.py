"""Rearranging arrays: basic indexing (``X[:, 0]``, ``x[1:3]``), ``reshape``, ``concatenate``,
``stack``, and the elementwise ``maximum`` and ``minimum`` of two arrays.

Indexing takes literal ints and slices only (numpy's *basic* indexing); an index array or a
mask is refused. ``reshape`` is row-major (C order), numpy's default: the entries are read and
written with the last index changing fastest. Each node checks its operands when built.

A slice of a named dimension must have a length that does not depend on the size:
``x[1:3]`` (length 2 whenever n >= 3), ``x[-2:]``, ``x[::-1]`` and ``x[:]`` are accepted;
``x[1:]`` (length n - 1) is refused, since a dimension cannot be named ``n - 1``. Whether an
index fits is checked when sizes are known (evaluation), with a ShapeError.

>>> import matderiv as md
>>> X = md.var("X", ("B", "N"))
>>> X[:, 0].shape, X[1:3].shape, X[-1].shape
(('B',), (2, 'N'), ('N',))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, get_args

from ..errors import NotSupportedError, ShapeError, check_kind
from .expression import Expr, _broadcast, describe, install_indexing
from .shapes import Dim, Shape, _factors, dim_product

__all__ = [
    "EXTREMA",
    "JOINS",
    "Extremum",
    "ExtremumOp",
    "Join",
    "JoinKind",
    "Reshape",
    "Span",
    "Subscript",
    "index_key",
    "key_text",
]


@dataclass(frozen=True)
class Span:
    """A slice ``start:stop:step`` of literal ints (None: the default end)."""

    start: int | None = None
    stop: int | None = None
    step: int = 1

    def __post_init__(self) -> None:
        if self.step == 0:
            raise ShapeError("slice step cannot be zero")

    @property
    def full(self) -> bool:
        """Whether the slice keeps every entry in order (``:``)."""
        return self.start is None and self.stop is None and self.step == 1

    def as_slice(self) -> slice:
        """The Python slice."""
        return slice(self.start, self.stop, self.step)

    def text(self) -> str:
        """``1:3``, ``:``, ``::-1``."""
        a = "" if self.start is None else str(self.start)
        b = "" if self.stop is None else str(self.stop)
        return f"{a}:{b}" + ("" if self.step == 1 else f":{self.step}")


Item = int | Span

_FANCY = (
    "only literal ints and slices may index (numpy's basic indexing), such as X[:, 0], "
    "x[1:3] or X[-1]; index arrays, masks and None (newaxis) are not supported"
)


def _span_on(span: Span, dim: Dim, what: str) -> tuple[Span, Dim]:
    """The slice in canonical form and the length it selects from an axis of size ``dim``."""
    if isinstance(dim, int):
        r = range(dim)[span.as_slice()]
        if len(r) == 0:
            raise ShapeError(f"{what}: the slice {span.text()} of an axis of size {dim} is empty")
        start = None if r.start == (0 if r.step > 0 else dim - 1) else r.start
        stop = None if (r.stop == dim and r.step > 0) or r.stop < 0 else r.stop
        return Span(start, stop, r.step), len(r)
    if span.start is None and span.stop is None and abs(span.step) == 1:
        return span, dim
    lo = 0 if span.start is None else span.start
    hi = span.stop
    length: int | None = None
    if span.step > 0 and lo >= 0 and hi is not None and hi >= 0:
        length = len(range(lo, hi, span.step))  # counted from the start: fits when dim >= hi
    elif span.step > 0 and lo < 0 and (hi is None or hi < 0):
        length = len(range(lo, 0 if hi is None else hi, span.step))  # counted from the end
    if length == 0:
        raise ShapeError(f"{what}: the slice {span.text()} selects no entry")
    if length is not None:
        return span, length
    raise NotSupportedError(
        f"{what}: the slice {span.text()} of the named dimension {dim} has a length that "
        "depends on its size, and such a length cannot be named; use a slice of fixed length "
        "(such as 1:3, :2 or -2:), or give the dimension a number in shapes"
    )


def index_key(e: Expr, key: object) -> tuple[Item, ...]:
    """``key`` (an int, a slice, Ellipsis or a tuple of them) as one item per axis of ``e``."""
    items = key if isinstance(key, tuple) else (key,)
    out: list[Item | None] = []
    for it in items:
        if it is Ellipsis:
            if None in out:
                raise ShapeError(f"an index can only have a single ellipsis (...): {describe(e)}")
            out.append(None)
        elif isinstance(it, slice):
            parts = (it.start, it.stop, it.step)
            if not all(
                p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts
            ):
                raise NotSupportedError(f"slice {it!r} of {describe(e)}: {_FANCY}")
            out.append(Span(it.start, it.stop, 1 if it.step is None else it.step))
        elif isinstance(it, Span) or (isinstance(it, int) and not isinstance(it, bool)):
            out.append(it)
        else:
            raise NotSupportedError(f"index {it!r} of {describe(e)}: {_FANCY}")
    given = sum(1 for it in out if it is not None)
    if given > e.ndim:
        raise ShapeError(f"too many indices for {describe(e)}: {given} given, {e.ndim} axes")
    fill: list[Item] = [Span()] * (e.ndim - given)
    if None in out:
        at = out.index(None)
        full = [*out[:at], *fill, *out[at + 1 :]]
    else:
        full = [*out, *fill]
    return tuple(cast(Item, it) for it in full)


def key_text(key: tuple[Item, ...]) -> str:
    """The key as numpy writes it, trailing ``:`` dropped: ``:, 0``, ``1:3``."""
    items = list(key)
    while len(items) > 1 and isinstance(items[-1], Span) and items[-1].full:
        items.pop()
    return ", ".join(it.text() if isinstance(it, Span) else str(it) for it in items)


@dataclass(frozen=True, eq=False, repr=False)
class Subscript(Expr):
    """Basic indexing ``arg[key]`` with literal ints and slices (one item per axis; an int
    drops its axis). Slices are kept in a canonical form, so equal selections compare equal."""

    arg: Expr
    key: tuple[Item, ...]

    def __post_init__(self) -> None:
        what = f"indexing {describe(self.arg)}"
        if self.arg.ndim == 0:
            raise ShapeError(f"{what}: a scalar cannot be indexed")
        key = index_key(self.arg, self.key)
        items: list[Item] = []
        shape: list[Dim] = []
        for it, d in zip(key, self.arg.shape, strict=True):
            if isinstance(it, Span):
                span, length = _span_on(it, d, what)
                items.append(span)
                shape.append(length)
            else:
                if isinstance(d, int):
                    if not -d <= it < d:
                        raise ShapeError(
                            f"{what}: index {it} is out of range for an axis of size {d}"
                        )
                    it %= d
                items.append(it)
        object.__setattr__(self, "key", tuple(items))
        self._finish(tuple(shape), self.arg._key, self.key)

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)

    def least_sizes(self) -> dict[str, int]:
        """The smallest size each named dimension needs for this index to fit."""
        out: dict[str, int] = {}
        for it, d in zip(self.key, self.arg.shape, strict=True):
            if not isinstance(d, str) or "*" in d:
                continue
            if isinstance(it, int):
                need = it + 1 if it >= 0 else -it
            elif it.start is None and it.stop is None:
                need = 1
            elif (it.start or 0) >= 0:
                need = it.stop or 1
            else:
                need = -(it.start or 0)
            out[d] = max(out.get(d, 1), need)
        return out

    def numpy_key(self) -> tuple[int | slice, ...]:
        """The key as numpy takes it."""
        return tuple(it.as_slice() if isinstance(it, Span) else it for it in self.key)


def _divide(total: Dim, known: Dim) -> Dim | None:
    """``total / known`` as a dimension, or None when it is not one."""
    n, names = _factors(total)
    m, div = _factors(known)
    rest = list(names)
    for name in div:
        if name not in rest:
            return None
        rest.remove(name)
    if m == 0 or n % m:
        return None
    return dim_product([n // m, *rest])


@dataclass(frozen=True, eq=False, repr=False)
class Reshape(Expr):
    """``reshape(arg, shape)``, row-major (C order, numpy's default); one size may be -1."""

    arg: Expr
    new_shape: tuple[Dim, ...]

    def __post_init__(self) -> None:
        what = f"reshape of {describe(self.arg)} to {self.new_shape!r}"
        if self.arg.ndim == 0 or not self.new_shape:
            raise NotSupportedError(
                f"{what}: reshaping a scalar or to a scalar is not supported; use sum(...) or "
                "multiply by ones(...)"
            )
        total = dim_product(self.arg.shape)
        sizes = list(self.new_shape)
        if sum(1 for d in sizes if d == -1) > 1:
            raise ShapeError(f"{what}: only one size can be -1")
        for d in sizes:
            if d != -1 and (isinstance(d, bool) or (isinstance(d, int) and d < 1)):
                raise ShapeError(f"{what}: size {d!r} must be a positive int, a name or -1")
        if -1 in sizes:
            at = sizes.index(-1)
            inferred = _divide(total, dim_product(d for d in sizes if d != -1))
            if inferred is None:
                raise ShapeError(
                    f"{what}: the size -1 cannot be inferred, since {total} entries do not "
                    "divide into the other sizes"
                )
            sizes[at] = inferred
        if dim_product(sizes) != total:
            raise ShapeError(
                f"{what}: cannot reshape {total} entries into shape {tuple(sizes)!r} "
                f"({dim_product(sizes)} entries); reshape is row-major, as numpy's default"
            )
        self._finish(tuple(sizes), self.arg._key, tuple(sizes))  # the shape tells reshapes apart
        object.__setattr__(self, "new_shape", tuple(sizes))

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


#: How arrays are joined: numpy's function of that name.
JoinKind = Literal["concatenate", "stack"]
JOINS: tuple[JoinKind, ...] = get_args(JoinKind)


@dataclass(frozen=True, eq=False, repr=False)
class Join(Expr):
    """``concatenate(args, axis)`` (along an existing axis) or ``stack(args, axis)`` (along a
    new one). Concatenated sizes must be ints, or all equal (``N`` and ``N`` give ``2*N``)."""

    kind: JoinKind
    args: tuple[Expr, ...]
    axis: int = 0

    def __post_init__(self) -> None:
        check_kind(self.kind, JOINS, "join")
        fn, args = self.kind, self.args
        if len(args) < 1:
            raise ShapeError(f"{fn} needs at least one array")
        first = args[0]
        rank = first.ndim + (1 if fn == "stack" else 0)
        if first.ndim == 0:
            raise ShapeError(f"{fn} needs arrays with at least one axis, got {describe(first)}")
        if not -rank <= self.axis < rank:
            raise ShapeError(f"{fn}: axis {self.axis} is out of range for a result of {rank} axes")
        axis = self.axis % rank
        for a in args[1:]:
            if fn == "stack" or a.ndim != first.ndim:
                same = a.shape == first.shape
            else:
                pairs = enumerate(zip(a.shape, first.shape, strict=True))
                same = all(x == y or i == axis for i, (x, y) in pairs)
            if not same:
                need = "the same shape" if fn == "stack" else f"equal sizes except on axis {axis}"
                raise ShapeError(
                    f"{fn} needs arrays of {need}: {describe(first)} and {describe(a)}"
                )
        if fn == "stack":
            shape: Shape = (*first.shape[:axis], len(args), *first.shape[axis:])
        else:
            shape = (*first.shape[:axis], self.total(axis), *first.shape[axis + 1 :])
        object.__setattr__(self, "axis", axis)
        self._finish(shape, fn, axis, *(a._key for a in args))

    def parts(self, axis: int) -> list[Dim]:
        """The sizes of the concatenated axis, one per array."""
        return [a.shape[axis] for a in self.args]

    def total(self, axis: int) -> Dim:
        """The size of the concatenated axis."""
        sizes = self.parts(axis)
        if all(isinstance(d, int) for d in sizes):
            return sum(cast(list[int], sizes))
        if all(d == sizes[0] for d in sizes):
            return dim_product((len(sizes), sizes[0]))
        raise NotSupportedError(
            f"concatenate along axis {axis} of sizes {', '.join(map(str, sizes))}: the result's "
            "size would be a sum of named dimensions, which cannot be named; give the sizes as "
            "numbers in shapes, or concatenate arrays of equal sizes"
        )

    def children(self) -> tuple[Expr, ...]:
        return self.args


#: The elementwise extrema of two arrays: numpy's function of that name.
ExtremumOp = Literal["maximum", "minimum"]
EXTREMA: tuple[ExtremumOp, ...] = get_args(ExtremumOp)


@dataclass(frozen=True, eq=False, repr=False)
class Extremum(Expr):
    """``maximum(a, b)`` or ``minimum(a, b)``: elementwise, with numpy broadcasting. Not
    differentiable where ``a == b`` (a tie): a derivative evaluated there raises DomainError."""

    op: ExtremumOp
    left: Expr
    right: Expr

    def __post_init__(self) -> None:
        check_kind(self.op, EXTREMA, "extremum")
        shape = _broadcast(self.op, (self.left, self.right))
        self._finish(shape, self.op, self.left._key, self.right._key)

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


def _index(e: Expr, key: object) -> Expr:
    return Subscript(e, cast(tuple[Item, ...], key))


install_indexing(_index)
