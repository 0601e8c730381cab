"""Evaluation without numpy: expressions, index forms and matrix forms of small instances.

Where numpy cannot be imported (in a browser's Pyodide, say), evaluation and the checks fall back
to this backend, and only there (:func:`numpy_available`): wherever numpy imports, the numpy
backend (:mod:`matderiv.numeric.evaluation`) runs as it always has. Arrays are given and
returned as nested lists (a float for a scalar) and computed as :class:`~.pure_arrays.Tensor`.
Every axis of every input, and every named size, is at most
:data:`~.pure_arrays.MAX_SIZE`: larger instances raise :class:`NotSupportedError`, since plain
loops are meant for checking a formula on a small instance, not for numbers at scale.

Functions come from their declarations, as in the numpy backend: an elementwise function's
``numpy(np, x)`` is called with :data:`~.pure_arrays.SCALAR_MATH` (numpy's elementwise
functions on one float, from the ``math`` module) and one float; a named function (``det``)
with its ``Unary`` class's ``pure(la, a)``, ``la`` being :data:`~.pure_linalg.LINALG`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..engine import matrixform as mf
from ..engine.index import FACTOR_KINDS, Factor, IndexExpr
from ..engine.notation import einsum_plan
from ..engine.result import DerivativeData
from ..errors import DomainError, NotSupportedError, ShapeError, unknown_kind
from ..language import nodes
from ..language.shapes import Dim
from ..language.specs import ELEMENTWISE
from . import pure_arrays as pa
from .binding import bind_sizes, size_of
from .layout import recipe
from .pure_arrays import MAX_SIZE, SCALAR_MATH, Tensor, as_tensor, power
from .pure_linalg import LINALG

__all__ = [
    "PureEvaluator",
    "evaluate_derivative",
    "evaluate_expression",
    "numpy_available",
    "require_small",
]


def numpy_available() -> bool:
    """Whether numpy can be imported: when it cannot, and only then, evaluation and the checks
    use this backend."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


def require_small(arrays: Mapping[str, Tensor], sizes: Mapping[str, int]) -> None:
    """Raise NotSupportedError for any axis or named size above :data:`MAX_SIZE`."""
    too_big = [f"dimension {k!r} is {n}" for k, n in sizes.items() if n > MAX_SIZE]
    too_big += [
        f"{k!r} has shape {t.shape}"
        for k, t in arrays.items()
        if max(t.shape, default=0) > MAX_SIZE
    ]
    if too_big:
        raise NotSupportedError(
            f"the pure-Python backend (used because numpy cannot be imported) evaluates only "
            f"small instances, every axis at most {MAX_SIZE}; here {too_big[0]}. Install numpy "
            "to evaluate larger arrays"
        )


def _scalar(name: str, x: float) -> float:
    if x == 0 and ELEMENTWISE[name].undefined:  # strict_step at a tie of maximum/minimum
        raise DomainError(f"{name}(...) is undefined at 0: {ELEMENTWISE[name].undefined}")
    try:
        return float(ELEMENTWISE[name].numpy(SCALAR_MATH, x))
    except AttributeError as missing:
        raise NotSupportedError(
            f"the pure-Python backend cannot evaluate {name}: its declaration calls a numpy "
            f"function that the backend's scalar math lacks ({missing})"
        ) from None


class PureEvaluator:
    """Evaluates expressions, index forms and matrix forms on Tensors, sharing sub-results."""

    def __init__(self, arrays: Mapping[str, Any], sizes: Mapping[str, int]) -> None:
        self.arrays = {k: as_tensor(v, k) for k, v in arrays.items()}
        self.sizes = dict(sizes)
        require_small(self.arrays, self.sizes)
        self._memo: dict[nodes.Expr, Tensor] = {}

    def size(self, d: Dim) -> int:
        return size_of(d, self.sizes)

    def number(self, value: Fraction | int) -> Tensor:
        return Tensor((), [float(value)])

    def expr(self, e: nodes.Expr) -> Tensor:
        """Evaluate an expression."""
        hit = self._memo.get(e)
        if hit is None:
            hit = self._memo[e] = self._eval(e)
        return hit

    def _eval(self, e: nodes.Expr) -> Tensor:
        ev = self.expr
        if isinstance(e, nodes.Var):
            return self.arrays[e.name]
        if isinstance(e, nodes.Const):
            return self.number(e.value)
        if isinstance(e, nodes.Pi):
            return Tensor((), [math.pi])
        if isinstance(e, nodes.Size):
            return self.number(self.size(e.name))
        if isinstance(e, nodes.Add | nodes.Mul):
            op = (lambda a, b: a + b) if isinstance(e, nodes.Add) else (lambda a, b: a * b)
            total = ev(e.args[0])
            for a in e.args[1:]:
                total = pa.broadcast(total, ev(a), op)
            return total
        if isinstance(e, nodes.Pow):
            return pa.broadcast(ev(e.base), ev(e.exponent), power)
        if isinstance(e, nodes.MatMul):
            return pa.matmul(ev(e.left), ev(e.right))
        if isinstance(e, nodes.Transpose):
            return pa.transpose(ev(e.arg))
        if isinstance(e, nodes.Func):
            name = e.name
            return pa.apply(lambda x: _scalar(name, x), ev(e.arg))
        if isinstance(e, nodes.Reduce):
            axes = (e.axes,) if isinstance(e.axes, int) else e.axes
            return pa.reduce(ev(e.arg), axes, e.op)
        if isinstance(e, nodes.KeepDims):
            return pa.expand_dims(ev(e.arg), e.axes)
        if isinstance(e, nodes.Unary):
            pure = type(e).pure
            if pure is None:
                raise NotSupportedError(f"the pure-Python backend cannot evaluate {e.name}")
            out: Tensor = pure(LINALG, ev(e.arg))
            return out
        if isinstance(e, nodes.FrechetApply):
            applied: Tensor = LINALG.frechet_apply(e.function, ev(e.arg), ev(e.direction))
            return applied
        if isinstance(e, nodes.Softmax):
            return pa.along(ev(e.arg), e.axis, _softmax)
        if isinstance(e, nodes.LogSumExp):
            return _logsumexp(ev(e.arg), e.axis)
        if isinstance(e, nodes.Outer):
            return pa.einsum("i,j->ij", ev(e.left), ev(e.right))
        if isinstance(e, nodes.Kron):
            return pa.kron(ev(e.left), ev(e.right))
        if isinstance(e, nodes.Eye):
            return pa.eye(self.size(e.n))
        if isinstance(e, nodes.Ones):
            return pa.full(tuple(self.size(d) for d in e.shape), 1.0)
        if isinstance(e, nodes.Einsum):
            return pa.einsum(e.spec, *(ev(a) for a in e.args))
        if isinstance(e, nodes.Subscript):
            want = tuple(self.size(d) for d in e.shape)
            return pa.take(ev(e.arg), e.numpy_key(), want, str(e))
        if isinstance(e, nodes.Reshape):  # row-major, as the data are stored
            return pa.reshape(ev(e.arg), tuple(self.size(d) for d in e.shape))
        if isinstance(e, nodes.Join):
            join = pa.stack if e.kind == "stack" else pa.concatenate
            return join([ev(a) for a in e.args], e.axis)
        if isinstance(e, nodes.Extremum):
            pick = SCALAR_MATH.maximum if e.op == "maximum" else _minimum
            return pa.broadcast(ev(e.left), ev(e.right), pick)
        raise NotSupportedError(f"the pure-Python backend cannot evaluate a {type(e).__name__}")

    def form(self, f: mf.MForm) -> Tensor:
        """Evaluate a matrix form, two-dimensionally (columns are n×1, scalars 0-d)."""
        if isinstance(f, mf.Atom):
            v = self.expr(f.expr)
            if v.ndim == 1:
                return pa.reshape(v, (1, v.size) if f.t else (v.size, 1))
            return pa.transpose(v) if f.t else v
        if isinstance(f, mf.Identity):
            return pa.eye(self.size(f.dim))
        if isinstance(f, mf.OnesVec):
            n = self.size(f.dim)
            return pa.full((1, n) if f.t else (n, 1), 1.0)
        if isinstance(f, mf.Chain | mf.Hadamard):
            out = self.form(f.items[0])
            for item in f.items[1:]:
                right = self.form(item)
                if isinstance(f, mf.Chain):
                    out = pa.matmul(out, right)
                else:
                    out = pa.broadcast(out, right, lambda a, b: a * b)
            return out
        if isinstance(f, mf.DiagOf):
            a = self.form(f.arg)
            if f.vector:
                d = pa.diag(a)
                return pa.reshape(d, (1, d.size) if f.t else (d.size, 1))
            return pa.diag(Tensor((a.size,), a.data))
        if isinstance(f, mf.ScalarOf):
            match f.op:
                case "dim":
                    return self.number(self.size(f.name))
                case "tr" | "sum":
                    assert f.arg is not None
                    a = self.form(f.arg)
                    return LINALG.trace(a) if f.op == "tr" else Tensor((), [sum(a.data)])
                case _:
                    unknown_kind(f.op, "scalar of a form", mf.SCALAR_OPS)
        if isinstance(f, mf.Scaled):
            c = float(f.coeff)
            for s, p in f.scalars:
                c = c * power(self.form(s).item(), float(p))
            scale = Tensor((), [c])
            if f.body is None:
                return scale
            return pa.broadcast(scale, self.form(f.body), lambda a, b: a * b)
        if isinstance(f, mf.KronOf):
            return pa.kron(self.form(f.left), self.form(f.right))
        if isinstance(f, mf.VecOf):
            column = LINALG.vec(self.form(f.arg))
            return pa.reshape(column, (1, column.size) if f.t else (column.size, 1))
        if isinstance(f, mf.MSum):
            total = self.form(f.terms[0])
            for t in f.terms[1:]:
                total = pa.broadcast(total, self.form(t), lambda a, b: a + b)
            return total
        raise mf.unknown_form(f)

    def index(self, expr: IndexExpr) -> Tensor:
        """Evaluate an index form: one einsum per term, in plain loops."""
        total = pa.full(tuple(self.size(i.dim) for i in expr.free), 0.0)
        for plan in einsum_plan(expr):
            coeff = float(plan.coeff)
            for f in plan.dims:
                coeff *= power(float(self.size(f.name)), float(f.power))
            operands = [self._factor_array(f) for f in plan.operands]
            operands += [pa.full((self.size(i.dim),), 1.0) for i in plan.missing]
            term = pa.einsum(plan.spec, *operands) if operands else Tensor((), [1.0])
            scaled = Tensor(term.shape, [coeff * x for x in term.data])
            total = pa.broadcast(total, scaled, lambda a, b: a + b)
        return total

    def _factor_array(self, f: Factor) -> Tensor:
        match f.kind:
            case "delta":
                return pa.eye(self.size(f.indices[0].dim))
            case "fuse":
                whole, major, minor = (self.size(i.dim) for i in f.indices)
                arr = pa.full((whole, major, minor), 0.0)
                for a in range(major):
                    for b in range(minor):
                        arr.data[arr.index((a * minor + b, a, b))] = 1.0
                return arr
            case "dim":
                raise AssertionError(f"a named size {f.name} among einsum operands")
            case "tensor":
                pass
            case _:
                unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
        assert f.node is not None
        value = self.expr(f.node)
        if f.power == 1:
            return value
        p = float(f.power)
        return pa.apply(lambda x: power(x, p), value)


def _softmax(line: list[float]) -> list[float]:
    m = max(line)
    z = [SCALAR_MATH.exp(x - m) for x in line]
    s = sum(z)
    return [v / s for v in z]


def _logsumexp(t: Tensor, axis: int | None) -> Tensor:
    def one(line: list[float]) -> float:
        m = max(line)
        return m + SCALAR_MATH.log(sum(SCALAR_MATH.exp(x - m) for x in line))

    if axis is None:
        return Tensor((), [one(t.data)])
    axis %= t.ndim
    moved = pa.transpose(t, [k for k in range(t.ndim) if k != axis] + [axis])
    n = t.shape[axis]
    lines = [moved.data[k : k + n] for k in range(0, moved.size, n)]
    return Tensor(moved.shape[:-1], [one(line) for line in lines])


def _minimum(x: float, y: float) -> float:
    return -SCALAR_MATH.maximum(-x, -y)


def finite_or_raise(value: Tensor, arrays: Mapping[str, Tensor], what: str) -> Tensor:
    """``value``, or DomainError when finite inputs gave a non-finite entry (as the numpy
    backend's check)."""
    bad = next((k for k, v in enumerate(value.data) if not math.isfinite(v)), None)
    if bad is not None and all(math.isfinite(v) for t in arrays.values() for v in t.data):
        idx = next(i for k, i in enumerate(pa.entries(value.shape)) if k == bad)
        raise DomainError(
            f"{what} is not finite at this point: entry {idx} is {value.data[bad]}; the point is "
            "outside the domain or at a point where it is not differentiable"
        )
    return value


def _bound(variables: Any, arrays: Mapping[str, Any]) -> PureEvaluator:
    sizes = bind_sizes(variables, arrays, asarray=as_tensor)
    names = {v.name for v in variables}
    return PureEvaluator({k: v for k, v in arrays.items() if k in names}, sizes)


def evaluate_expression(e: nodes.Expr, arrays: Mapping[str, Any]) -> Tensor:
    """Evaluate an expression on arrays (nested lists or numbers) given by variable name."""
    ev = _bound(e.variables(), arrays)
    return finite_or_raise(ev.expr(e), ev.arrays, str(e))


def evaluate_derivative(d: DerivativeData, arrays: Mapping[str, Any], via: str) -> Any:
    """What :meth:`matderiv.Derivative.evaluate` returns, as nested lists, computed here."""
    ev = _bound(d.variables | {d.wrt}, arrays)
    shape = tuple(ev.size(i.dim) for i in d.index_expr.free)
    if via == "matrix" and d.form is None:
        raise NotSupportedError(f"{d!r} has no matrix form; evaluate it with via='index'")
    if d.form is not None and via != "index":
        tensor = _result(ev.form(d.form), shape)
    else:
        tensor = ev.index(d.index_expr)
    finite_or_raise(tensor, ev.arrays, f"the derivative d/d{d.wrt.name} of {d.of}")
    out_rank = len(d.out_shape)
    return arrange(tensor, out_rank, d.layout).tolist()


def _result(value: Tensor, shape: tuple[int, ...]) -> Tensor:
    """A two-dimensional form value as the result's shape (see ``evaluation.result_array``)."""
    if [n for n in value.shape if n != 1] == [n for n in shape if n != 1]:
        return pa.reshape(value, shape)
    if value.size == 1:
        return pa.full(shape, value.data[0])
    raise ShapeError(
        f"internal error: a matrix form evaluated to shape {value.shape}, but the result has "
        f"shape {shape}; please report this expression"
    )


def arrange(tensor: Tensor, out_rank: int, layout: str) -> Tensor:
    """A tensor-layout derivative arranged in a layout (``numeric.layout.arrange``)."""
    how = recipe(layout, out_rank, tensor.ndim - out_rank)
    if how == "T":
        return pa.transpose(tensor)
    if how in ("row", "col"):
        return pa.reshape(tensor, (1, tensor.size) if how == "row" else (tensor.size, 1))
    return tensor


def to_tensor(arranged: Tensor, out: tuple[int, ...], wrt: tuple[int, ...], layout: str) -> Tensor:
    """The inverse of :func:`arrange` (``numeric.layout.to_tensor``); a wrong shape raises."""
    how = recipe(layout, len(out), len(wrt))
    full = (*out, *wrt)
    want = full[::-1] if how == "T" else (1, math.prod(full)) if how == "row" else full
    want = (math.prod(full), 1) if how == "col" else want
    if arranged.shape != want:
        raise ShapeError(
            f"a derivative in the {layout} layout of output {out} by variable {wrt} has shape "
            f"{want}, got {arranged.shape}"
        )
    return pa.transpose(arranged) if how == "T" else pa.reshape(arranged, full)
