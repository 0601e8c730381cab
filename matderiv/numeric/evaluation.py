"""Numbers: evaluating expressions with numpy and index forms with ``np.einsum``.

Index forms are evaluated one term at a time with ``np.einsum`` and a contraction path that
is computed once per operand shapes (``np.einsum_path``) and cached; sub-expressions shared
by several factors are evaluated once per call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import matrixform as mf
from ..engine.index import FACTOR_KINDS, Factor, IndexExpr
from ..engine.notation import einsum_plan
from ..errors import DomainError, NotSupportedError, ShapeError, unknown_kind
from ..language import nodes
from ..language.arrays import key_text
from ..language.functions import REDUCE_OPS, ReduceOp
from ..language.shapes import Dim
from ..language.specs import ELEMENTWISE
from .binding import bind, bind_sizes, check_arguments, missing_size, size_of

__all__ = [
    "Evaluator",
    "bind",
    "bind_sizes",
    "check_arguments",
    "evaluate",
    "missing_size",
    "reduction",
    "result_array",
    "size_of",
    "take",
]

if TYPE_CHECKING:  # numpy.typing costs import time and is only needed by type checkers
    from numpy.typing import NDArray

    Array = NDArray[np.float64]
else:
    Array = np.ndarray


class Backend:
    """The arithmetic an :class:`Evaluator` uses: numpy floats here; SymPy object arrays in
    :mod:`matderiv.checks.exact`, which proves identities on small instances."""

    name = "numpy"
    dtype: Any = np.float64
    pi: Any = np.pi

    def number(self, value: Fraction) -> Any:
        """A rational constant."""
        return float(value)

    def scalar(self, value: Any) -> Any:
        """A 0-d or 1×1 array as a scalar (a numpy float: 0 ** -1 is inf, not an exception)."""
        return np.float64(np.asarray(value).reshape(()))

    def func(self, name: str, x: Array) -> Array:
        """An elementwise function, as its declaration computes it with numpy; one that is
        undefined at 0 (``strict_step``) raises DomainError there."""
        spec = ELEMENTWISE[name]
        if spec.undefined and np.any(np.asarray(x) == 0):
            at = tuple(int(i) for i in np.argwhere(np.asarray(x) == 0)[0])
            raise DomainError(f"{name}(...) is undefined at 0 (entry {at}): {spec.undefined}")
        out: Array = spec.numpy(np, x)
        return out

    def extremum(self, op: str, a: Array, b: Array) -> Array:
        """``maximum`` or ``minimum`` of two arrays."""
        out: Array = np.maximum(a, b) if op == "maximum" else np.minimum(a, b)
        return out

    def unary(self, e: nodes.Unary, a: Array) -> Any:
        """A named function of one array, as its declaration computes it with numpy."""
        return type(e).numpy(np, a)

    def frechet_apply(self, e: nodes.FrechetApply, a: Array, d: Array) -> Any:
        """``expm_frechet(X, E)``: a matrix function's Fréchet derivative applied to E."""
        from ..language.kernels import frechet_apply

        return frechet_apply(e.function, a, d)

    def softmax(self, x: Array, axis: int | None) -> Array:
        z = np.exp(x - np.max(x, axis=axis, keepdims=True))
        out: Array = z / np.sum(z, axis=axis, keepdims=True)
        return out

    def logsumexp(self, x: Array, axis: int | None) -> Any:
        m = np.max(x, axis=axis, keepdims=True)
        return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(x - m), axis=axis))


NUMPY = Backend()


class Evaluator:
    """Evaluates expressions and index forms for one set of arrays, sharing sub-results."""

    def __init__(
        self, arrays: Mapping[str, Any], sizes: Mapping[str, int], backend: Backend = NUMPY
    ) -> None:
        self.backend = backend
        self.arrays = {k: np.asarray(v, dtype=backend.dtype) for k, v in arrays.items()}
        self.sizes = dict(sizes)
        self._memo: dict[nodes.Expr, Array] = {}

    def size(self, d: Dim) -> int:
        """Return the integer size of a dimension."""
        return size_of(d, self.sizes)

    def expr(self, e: nodes.Expr) -> Array:
        """Evaluate an expression."""
        hit = self._memo.get(e)
        if hit is not None:
            return hit
        out = np.asarray(self._eval(e), dtype=self.backend.dtype)
        self._memo[e] = out
        return out

    def _eval(self, e: nodes.Expr) -> Any:
        ev = self.expr
        if isinstance(e, nodes.Var):
            return self.arrays[e.name]
        bk = self.backend
        if isinstance(e, nodes.Const):
            return bk.number(e.value)
        if isinstance(e, nodes.Pi):
            return bk.pi
        if isinstance(e, nodes.Size):
            return bk.number(Fraction(self.size(e.name)))
        if isinstance(e, nodes.Add):
            total = ev(e.args[0])
            for a in e.args[1:]:
                total = total + ev(a)
            return total
        if isinstance(e, nodes.Mul):
            prod = ev(e.args[0])
            for a in e.args[1:]:
                prod = prod * ev(a)
            return prod
        if isinstance(e, nodes.Pow):
            if isinstance(e.exponent, nodes.Const) and e.exponent.value.denominator == 1:
                return ev(e.base) ** int(e.exponent.value)
            return ev(e.base) ** ev(e.exponent)
        if isinstance(e, nodes.MatMul):
            return ev(e.left) @ ev(e.right)
        if isinstance(e, nodes.Transpose):
            return ev(e.arg).T
        if isinstance(e, nodes.Func):
            return bk.func(e.name, ev(e.arg))
        if isinstance(e, nodes.Reduce):
            return reduction(e.op)(ev(e.arg), axis=e.axes)
        if isinstance(e, nodes.KeepDims):
            return np.expand_dims(ev(e.arg), e.axes)
        if isinstance(e, nodes.Unary):
            return bk.unary(e, ev(e.arg))
        if isinstance(e, nodes.FrechetApply):
            return bk.frechet_apply(e, ev(e.arg), ev(e.direction))
        if isinstance(e, nodes.Softmax):
            return bk.softmax(ev(e.arg), e.axis)
        if isinstance(e, nodes.LogSumExp):
            return bk.logsumexp(ev(e.arg), e.axis)
        if isinstance(e, nodes.Outer):
            return np.outer(ev(e.left), ev(e.right))
        if isinstance(e, nodes.Kron):
            return np.kron(ev(e.left), ev(e.right))
        if isinstance(e, nodes.Eye):
            return np.eye(self.size(e.n), dtype=bk.dtype)
        if isinstance(e, nodes.Ones):
            return np.ones(tuple(self.size(d) for d in e.shape), dtype=bk.dtype)
        if isinstance(e, nodes.Einsum):
            return np.einsum(e.spec, *(ev(a) for a in e.args), optimize=True)
        if isinstance(e, nodes.Subscript):
            for name, need in e.least_sizes().items():
                if self.size(name) < need:
                    raise ShapeError(
                        f"the index [{key_text(e.key)}] along {name} needs {name} >= {need}, "
                        f"but {name} is {self.size(name)} here"
                    )
            want = tuple(self.size(d) for d in e.shape)
            return take(ev(e.arg), e.numpy_key(), want, str(e))
        if isinstance(e, nodes.Reshape):
            return np.reshape(ev(e.arg), tuple(self.size(d) for d in e.shape))  # row-major
        if isinstance(e, nodes.Join):
            join = np.stack if e.kind == "stack" else np.concatenate
            return join([ev(a) for a in e.args], axis=e.axis)
        if isinstance(e, nodes.Extremum):
            return bk.extremum(e.op, ev(e.left), ev(e.right))
        raise NotSupportedError(f"cannot evaluate a {type(e).__name__} node")

    def form(self, f: mf.MForm) -> Any:
        """Evaluate a matrix form, two-dimensionally (columns are n×1, scalars 0-d)."""
        if isinstance(f, mf.Atom):
            v = self.expr(f.expr)
            if v.ndim == 1:
                return v[None, :] if f.t else v[:, None]
            return v.T if f.t else v
        dt = self.backend.dtype
        if isinstance(f, mf.Identity):
            return np.eye(self.size(f.dim), dtype=dt)
        if isinstance(f, mf.OnesVec):
            n = self.size(f.dim)
            return np.ones((1, n) if f.t else (n, 1), dtype=dt)
        if isinstance(f, mf.Chain | mf.Hadamard):
            out = self.form(f.items[0])
            for item in f.items[1:]:
                out = out @ self.form(item) if isinstance(f, mf.Chain) else out * self.form(item)
            return out
        if isinstance(f, mf.DiagOf):
            a = self.form(f.arg)
            if f.vector:
                return np.diag(a)[None, :] if f.t else np.diag(a)[:, None]
            return np.diag(np.ravel(a))
        if isinstance(f, mf.ScalarOf):
            match f.op:
                case "dim":
                    return self.backend.number(Fraction(self.size(f.name)))
                case "tr" | "sum":
                    assert f.arg is not None
                    a = self.form(f.arg)
                    return np.trace(a) if f.op == "tr" else np.sum(a)
                case _:
                    unknown_kind(f.op, "scalar of a form", mf.SCALAR_OPS)
        if isinstance(f, mf.Scaled):
            bk = self.backend
            c: Any = bk.number(f.coeff)
            for s, p in f.scalars:
                c = c * bk.scalar(self.form(s)) ** bk.number(p)
            return c if f.body is None else c * self.form(f.body)
        if isinstance(f, mf.KronOf):
            return np.kron(self.form(f.left), self.form(f.right))
        if isinstance(f, mf.VecOf):
            column = self.form(f.arg).reshape(-1, 1, order="F")
            return column.T if f.t else column
        if isinstance(f, mf.MSum):
            total = self.form(f.terms[0])
            for t in f.terms[1:]:
                total = total + self.form(t)
            return total
        raise mf.unknown_form(f)

    def index(self, expr: IndexExpr) -> Array:
        """Evaluate an index form: one ``np.einsum`` per term."""
        bk = self.backend
        total: Array = np.zeros(tuple(self.size(i.dim) for i in expr.free), dtype=bk.dtype)
        for plan in einsum_plan(expr):
            coeff = bk.number(plan.coeff)
            for f in plan.dims:
                coeff *= bk.number(Fraction(self.size(f.name))) ** bk.number(f.power)
            operands = [self._factor_array(f) for f in plan.operands]
            operands += [np.ones(self.size(i.dim), dtype=bk.dtype) for i in plan.missing]
            total = total + (coeff * contract(plan.spec, *operands) if operands else coeff)
        return total

    def _factor_array(self, f: Factor) -> Array:
        dt = self.backend.dtype
        match f.kind:
            case "delta":
                return np.eye(self.size(f.indices[0].dim), dtype=dt)
            case "fuse":
                whole, major, minor = (self.size(i.dim) for i in f.indices)
                arr = np.zeros((whole, major, minor), dtype=dt)
                a, b = np.meshgrid(np.arange(major), np.arange(minor), indexing="ij")
                arr[a * minor + b, a, b] = 1.0
                return arr
            case "dim":  # einsum_plan keeps named sizes out of the operands
                raise AssertionError(f"a named size {f.name} among einsum operands")
            case "tensor":
                pass
            case _:
                unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
        assert f.node is not None
        value = self.expr(f.node)
        if f.power == 1:
            return value
        # a 0-d power comes back from numpy as a bare scalar: keep it an array
        return np.asarray(value ** self.backend.number(f.power), dtype=self.backend.dtype)


def take(a: Any, key: tuple[int | slice, ...], shape: tuple[int, ...], what: str) -> Any:
    """``a[key]`` (basic indexing), or ShapeError when the index does not fit the sizes: an int
    out of range, or a slice that selects fewer entries than its declared length."""
    arr = np.asarray(a)
    try:
        out = arr[key]
    except IndexError:
        raise ShapeError(
            f"{what}: an index is out of range for an array of shape {arr.shape}"
        ) from None
    if np.shape(out) != shape:
        raise ShapeError(
            f"{what}: the slice needs a longer axis; an array of shape {arr.shape} gives shape "
            f"{np.shape(out)} instead of {shape}"
        )
    return out


def reduction(op: ReduceOp) -> Callable[..., Array]:
    """The numpy function of a reduction (``np.sum`` for ``"sum"``); an unknown one raises."""
    match op:
        case "sum":
            return np.sum
        case "mean":
            return np.mean
        case _:
            unknown_kind(op, "reduction", REDUCE_OPS)


@lru_cache(maxsize=4096)
def _path(spec: str, shapes: tuple[tuple[int, ...], ...]) -> list[Any]:
    dummies = [np.empty(s) for s in shapes]
    path, _ = np.einsum_path(spec, *dummies, optimize="greedy")
    return list(path)


def contract(spec: str, *operands: Array) -> Array:
    """``np.einsum`` with a cached, precomputed contraction path (operands may be numbers)."""
    operands = tuple(np.asarray(op) for op in operands)
    if len(operands) == 1 or any(op.dtype == object for op in operands):
        # one operand has nothing to order; SymPy entries (exact checks) go through numpy's
        # plain einsum, whose optimised paths hand back bare objects for 0-d intermediates
        out: Array = np.einsum(spec, *operands)
        return out
    path = _path(spec, tuple(op.shape for op in operands))
    result: Array = np.einsum(spec, *operands, optimize=path)
    return result


def finite_or_raise(value: Any, arrays: Mapping[str, Any], what: str) -> Any:
    """Return ``value``, or raise DomainError when finite inputs gave a non-finite result."""
    arr = np.asarray(value)
    if arr.dtype != object and not np.all(np.isfinite(arr)):
        inputs_finite = all(
            np.all(np.isfinite(np.asarray(v, dtype=np.float64))) for v in arrays.values()
        )
        if inputs_finite:
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
            raise DomainError(
                f"{what} is not finite at this point: entry {bad} is {arr[bad]}; the point is "
                "outside the domain or at a point where it is not differentiable"
            )
    return value


def evaluate(e: nodes.Expr, /, **arrays: Any) -> Array:
    """Evaluate an expression on arrays given by variable name.

    >>> import numpy as np, matderiv as md
    >>> from matderiv.language.parsing import parse
    >>> evaluate(parse("tr(A @ B)", {"A": (2, 2), "B": (2, 2)}), A=np.eye(2), B=2 * np.eye(2))
    array(4.)
    """
    sizes = bind_sizes(e.variables(), arrays)
    with np.errstate(all="ignore"):
        value = Evaluator(arrays, sizes).expr(e)
    return finite_or_raise(value, arrays, str(e))  # type: ignore[no-any-return]


def result_array(value: Any, shape: tuple[int, ...]) -> Array:
    """Turn a two-dimensional form value into an array of the result's shape: the same entries
    reshaped (an n×1 column is a vector of n), or a scalar (such as a zero) broadcast to every
    entry. Any other disagreement is an internal error, raised rather than broadcast."""
    arr: Array = np.asarray(value, dtype=np.float64)
    if [n for n in arr.shape if n != 1] == [n for n in shape if n != 1]:
        return arr.reshape(shape).copy()
    if arr.size == 1:
        return np.full(shape, arr.reshape(()), dtype=np.float64)
    raise ShapeError(
        f"internal error: a matrix form evaluated to shape {arr.shape}, but the result has "
        f"shape {shape}; please report this expression"
    )
