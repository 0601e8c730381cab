"""Arrays in plain Python for small instances: the arithmetic of the pure-Python backend.

A :class:`Tensor` is a shape and its entries as a flat list of floats, row-major. Every
operation here follows numpy's semantics on float64 (broadcasting, ``@`` with 1-D operands,
``.T`` reversing every axis, ``einsum`` subscripts, ``kron``, ``diag``) and, like numpy, turns
a domain error into ``nan`` or ``inf`` instead of raising, so that the evaluator can name the
non-finite entry the same way the numpy backend does. Only the ``math`` module is used; the
loops are plain, which is fine at the sizes the backend accepts (every axis at most
:data:`MAX_SIZE`).

Elementwise functions are not listed here: their declarations (:mod:`matderiv.language.specs`)
compute them, receiving :data:`SCALAR_MATH` in place of the numpy module and one float in place
of an array.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import NotSupportedError, ShapeError

__all__ = [
    "MAX_SIZE",
    "SCALAR_MATH",
    "Tensor",
    "as_tensor",
    "broadcast",
    "einsum",
    "power",
]

#: Largest size of any axis the pure-Python backend evaluates.
MAX_SIZE = 4

Shape = tuple[int, ...]


class Tensor:
    """A float array: ``shape`` and the entries, row-major, in ``data``."""

    __slots__ = ("data", "shape")

    def __init__(self, shape: Sequence[int], data: list[float]) -> None:
        self.shape: Shape = tuple(shape)
        self.data = data

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return len(self.data)

    def index(self, idx: Sequence[int]) -> int:
        """The flat position of a multi-index."""
        pos = 0
        for i, n in zip(idx, self.shape, strict=True):
            pos = pos * n + i
        return pos

    def item(self) -> float:
        """The one entry of a 0-d (or size-1) array."""
        if len(self.data) != 1:
            raise ShapeError(f"expected a single entry, got an array of shape {self.shape}")
        return self.data[0]

    def tolist(self) -> Any:
        """Nested lists (a float for a 0-d array), as numpy's ``tolist``."""
        if not self.shape:
            return self.data[0]

        def nest(axis: int, start: int) -> Any:
            n = self.shape[axis]
            step = math.prod(self.shape[axis + 1 :])
            if axis == self.ndim - 1:
                return self.data[start : start + n]
            return [nest(axis + 1, start + k * step) for k in range(n)]

        return nest(0, 0)

    def __repr__(self) -> str:
        return f"Tensor({self.tolist()!r})"


def _shape_of(value: Any, name: str) -> Shape:
    if isinstance(value, list | tuple):
        if not value:
            raise ShapeError(f"the array for {name!r} has an empty axis")
        inner = [_shape_of(v, name) for v in value]
        if any(s != inner[0] for s in inner):
            raise ShapeError(f"the nested lists for {name!r} are ragged (rows of unequal shape)")
        return (len(value), *inner[0])
    return ()


def _flatten(value: Any, out: list[float], name: str) -> None:
    if isinstance(value, list | tuple):
        for v in value:
            _flatten(v, out, name)
        return
    try:
        out.append(float(value))
    except (TypeError, ValueError):
        raise ShapeError(
            f"the array for {name!r} holds {value!r:.40}, which is no number"
        ) from None


def as_tensor(value: Any, name: str = "the array") -> Tensor:
    """A Tensor from a number, nested lists or tuples (ragged ones raise), or a Tensor."""
    if isinstance(value, Tensor):
        return value
    if hasattr(value, "tolist"):  # an array of another library
        value = value.tolist()
    if isinstance(value, bool):
        raise ShapeError(f"the value for {name!r} is a bool, not a number")
    data: list[float] = []
    shape = _shape_of(value, name)
    _flatten(value, data, name)
    return Tensor(shape, data)


def full(shape: Sequence[int], value: float) -> Tensor:
    return Tensor(shape, [value] * math.prod(shape))


def eye(n: int) -> Tensor:
    return Tensor((n, n), [1.0 if i == j else 0.0 for i in range(n) for j in range(n)])


def entries(shape: Sequence[int]) -> itertools.product[tuple[int, ...]]:
    """Every multi-index of a shape, row-major."""
    return itertools.product(*(range(n) for n in shape))


# elementwise ------------------------------------------------------------------------------


def _guard(fn: Callable[[float], float], overflow: float = math.inf) -> Callable[[float], float]:
    def run(x: float) -> float:
        try:
            return fn(x)
        except OverflowError:
            return overflow
        except ValueError:
            return math.nan

    return run


def _log(x: float, shift: float = 0.0) -> float:
    if x + shift == 0.0:
        return -math.inf
    if x + shift < 0.0 or math.isnan(x):
        return math.nan
    return math.log1p(x) if shift else math.log(x)


def _logaddexp(a: float, b: float) -> float:
    if a == b:  # also both infinite
        return a + math.log(2.0)
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


def _nan_or(x: float, value: float) -> float:
    return math.nan if math.isnan(x) else value


class _ScalarMath:
    """numpy's elementwise functions on one float, with numpy's nan/inf in place of errors."""

    exp = staticmethod(_guard(math.exp))
    expm1 = staticmethod(_guard(math.expm1))
    sin = staticmethod(_guard(math.sin))
    cos = staticmethod(_guard(math.cos))
    tanh = staticmethod(_guard(math.tanh))
    sqrt = staticmethod(_guard(math.sqrt))
    logaddexp = staticmethod(_logaddexp)

    @staticmethod
    def log(x: float) -> float:
        return _log(x)

    @staticmethod
    def log1p(x: float) -> float:
        return _log(x, 1.0)

    @staticmethod
    def maximum(x: float, y: float) -> float:
        return math.nan if math.isnan(x) or math.isnan(y) else max(x, y)

    @staticmethod
    def abs(x: float) -> float:
        return abs(x)

    @staticmethod
    def heaviside(x: float, at_zero: float) -> float:
        return _nan_or(x, 0.0 if x < 0 else (at_zero if x == 0 else 1.0))

    @staticmethod
    def sign(x: float) -> float:
        return _nan_or(x, float((x > 0) - (x < 0)))


#: What an elementwise declaration's ``numpy(np, x)`` receives as ``np`` under this backend.
SCALAR_MATH = _ScalarMath()


def power(a: float, b: float) -> float:
    """``a ** b`` as numpy computes it on floats: nan for a negative base and a fractional
    exponent, inf for 0 to a negative power or an overflow."""
    if a < 0 and math.isfinite(b) and b != math.floor(b):
        return math.nan
    try:
        out = a**b
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        return math.inf if a > 0 or b % 2 == 0 else -math.inf
    return math.nan if isinstance(out, complex) else float(out)


def apply(fn: Callable[[float], float], t: Tensor) -> Tensor:
    return Tensor(t.shape, [fn(x) for x in t.data])


def broadcast(a: Tensor, b: Tensor, op: Callable[[float, float], float]) -> Tensor:
    """``op`` entry by entry, with numpy's broadcasting."""
    if a.shape == b.shape:
        return Tensor(a.shape, [op(x, y) for x, y in zip(a.data, b.data, strict=True)])
    if not b.shape:
        y = b.data[0]
        return Tensor(a.shape, [op(x, y) for x in a.data])
    if not a.shape:
        x = a.data[0]
        return Tensor(b.shape, [op(x, y) for y in b.data])
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    shape = []
    for p, q in zip(sa, sb, strict=True):
        if p != q and 1 not in (p, q):
            raise ShapeError(f"cannot broadcast shapes {a.shape} and {b.shape}")
        shape.append(max(p, q))
    pa, pb = Tensor(sa, a.data), Tensor(sb, b.data)
    out = []
    for idx in entries(shape):
        ia = pa.index([i if m > 1 else 0 for i, m in zip(idx, sa, strict=True)])
        ib = pb.index([i if m > 1 else 0 for i, m in zip(idx, sb, strict=True)])
        out.append(op(a.data[ia], b.data[ib]))
    return Tensor(shape, out)


# structure --------------------------------------------------------------------------------


def transpose(t: Tensor, axes: Sequence[int] | None = None) -> Tensor:
    """Permute the axes (reverse them, as numpy's ``.T``, when ``axes`` is None)."""
    order = tuple(reversed(range(t.ndim))) if axes is None else tuple(axes)
    shape = tuple(t.shape[k] for k in order)
    out = [0.0] * t.size
    for pos, idx in enumerate(entries(shape)):
        src = [0] * t.ndim
        for k, i in zip(order, idx, strict=True):
            src[k] = i
        out[pos] = t.data[t.index(src)]
    return Tensor(shape, out)


def reshape(t: Tensor, shape: Sequence[int]) -> Tensor:
    if math.prod(shape) != t.size:
        raise ShapeError(f"cannot reshape an array of shape {t.shape} to {tuple(shape)}")
    return Tensor(shape, list(t.data))


def reduce(t: Tensor, axes: Sequence[int] | None, op: str) -> Tensor:
    """``np.sum``/``np.mean`` over ``axes`` (every axis when None)."""
    gone = set(range(t.ndim)) if axes is None else {a % t.ndim for a in axes}
    keep = [k for k in range(t.ndim) if k not in gone]
    shape = tuple(t.shape[k] for k in keep)
    sums = [0.0] * math.prod(shape)
    for pos, idx in enumerate(entries(t.shape)):
        sums[Tensor(shape, sums).index([idx[k] for k in keep])] += t.data[pos]
    if op == "mean":
        count = math.prod(t.shape[k] for k in gone)
        sums = [s / count for s in sums]
    elif op != "sum":
        raise NotSupportedError(f"the pure-Python backend has no reduction {op!r}")
    return Tensor(shape, sums)


def expand_dims(t: Tensor, axes: Sequence[int]) -> Tensor:
    shape = list(t.shape)
    n = t.ndim + len(axes)
    for a in sorted(a % n for a in axes):
        shape.insert(a, 1)
    return Tensor(shape, list(t.data))


def along(t: Tensor, axis: int | None, fn: Callable[[list[float]], list[float]]) -> Tensor:
    """Apply ``fn`` to every line of entries along ``axis`` (all entries when None)."""
    if axis is None:
        return Tensor(t.shape, fn(list(t.data)))
    axis %= t.ndim
    out = list(t.data)
    rest = [n for k, n in enumerate(t.shape) if k != axis]
    for idx in entries(rest):
        spots = [t.index([*idx[:axis], i, *idx[axis:]]) for i in range(t.shape[axis])]
        for p, v in zip(spots, fn([t.data[p] for p in spots]), strict=True):
            out[p] = v
    return Tensor(t.shape, out)


def einsum(spec: str, *operands: Tensor) -> Tensor:
    """``np.einsum`` with explicit (``ij,jk->ik``) or implicit subscripts, as plain loops."""
    lhs, arrow, out = spec.replace(" ", "").partition("->")
    subs = lhs.split(",")
    if "." in spec or len(subs) != len(operands):
        raise NotSupportedError(f"einsum {spec!r} with {len(operands)} operands")
    if not arrow:
        out = "".join(sorted(c for c in set(lhs) - {","} if lhs.count(c) == 1))
    sizes: dict[str, int] = {}
    for sub, op in zip(subs, operands, strict=True):
        if len(sub) != op.ndim:
            raise ShapeError(f"einsum {spec!r}: {sub!r} does not fit shape {op.shape}")
        for c, n in zip(sub, op.shape, strict=True):
            if sizes.setdefault(c, n) != n:
                raise ShapeError(f"einsum {spec!r}: {c!r} is {sizes[c]} and {n}")
    letters = sorted(sizes)
    where = {c: k for k, c in enumerate(letters)}
    picks = [[where[c] for c in sub] for sub in subs]
    shape = tuple(sizes[c] for c in out)
    result = Tensor(shape, [0.0] * math.prod(shape))
    out_pos = [where[c] for c in out]
    for idx in entries([sizes[c] for c in letters]):
        prod = 1.0
        for op, pick in zip(operands, picks, strict=True):
            prod *= op.data[op.index([idx[k] for k in pick])]
        result.data[result.index([idx[k] for k in out_pos])] += prod
    return result


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """numpy's ``@``: 1-D operands are vectors; stacks need equal leading axes."""
    if a.ndim > 2 or b.ndim > 2:
        batch = "".join(chr(ord("a") + k) for k in range(a.ndim - 2))
        return einsum(f"{batch}ij,{batch}jk->{batch}ik", a, b)
    left = "ij" if a.ndim == 2 else "j"
    right = "jk" if b.ndim == 2 else "j"
    result = (left[0] if a.ndim == 2 else "") + (right[1] if b.ndim == 2 else "")
    return einsum(f"{left},{right}->{result}", a, b)


def kron(a: Tensor, b: Tensor) -> Tensor:
    """numpy's ``kron``: the block product, axes aligned from the right."""
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    shape = tuple(p * q for p, q in zip(sa, sb, strict=True))
    pa, pb = Tensor(sa, a.data), Tensor(sb, b.data)
    out = Tensor(shape, [0.0] * math.prod(shape))
    for i in entries(sa):
        for j in entries(sb):
            at = [p * m + q for p, q, m in zip(i, j, sb, strict=True)]
            out.data[out.index(at)] = pa.data[pa.index(i)] * pb.data[pb.index(j)]
    return out


def diag(t: Tensor) -> Tensor:
    """numpy's ``diag``: the diagonal matrix of a vector, or the diagonal of a square matrix."""
    if t.ndim == 1:
        n = t.size
        return Tensor((n, n), [t.data[i] if i == j else 0.0 for i in range(n) for j in range(n)])
    if t.ndim == 2:
        return Tensor((min(t.shape),), [t.data[t.index((i, i))] for i in range(min(t.shape))])
    raise ShapeError(f"diag needs a vector or a matrix, got shape {t.shape}")


# rearranging arrays (issue 14) --------------------------------------------------------------


def take(t: Tensor, key: Sequence[int | slice], shape: Sequence[int], what: str) -> Tensor:
    """``t[key]`` with numpy's basic indexing, or ShapeError when it does not give ``shape``."""
    picks: list[list[int]] = []
    out_shape: list[int] = []
    for item, n in zip(key, t.shape, strict=True):
        if isinstance(item, slice):
            picks.append(list(range(n)[item]))
            out_shape.append(len(picks[-1]))
        elif -n <= item < n:
            picks.append([item % n])
        else:
            raise ShapeError(f"{what}: index {item} is out of range for an axis of size {n}")
    if tuple(out_shape) != tuple(shape):
        raise ShapeError(
            f"{what}: the slice needs a longer axis; an array of shape {t.shape} gives shape "
            f"{tuple(out_shape)} instead of {tuple(shape)}"
        )
    return Tensor(out_shape, [t.data[t.index(idx)] for idx in itertools.product(*picks)])


def concatenate(ts: Sequence[Tensor], axis: int) -> Tensor:
    """numpy's ``concatenate`` along an existing axis."""
    shape = list(ts[0].shape)
    shape[axis] = sum(t.shape[axis] for t in ts)
    data: list[float] = []
    for idx in entries(shape):
        k, part = idx[axis], ts[0]
        for part in ts:
            if k < part.shape[axis]:
                break
            k -= part.shape[axis]
        data.append(part.data[part.index((*idx[:axis], k, *idx[axis + 1 :]))])
    return Tensor(shape, data)


def stack(ts: Sequence[Tensor], axis: int) -> Tensor:
    """numpy's ``stack`` along a new axis."""
    return concatenate([expand_dims(t, (axis,)) for t in ts], axis)
