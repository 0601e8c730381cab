"""Compiling results to plain numpy code: :meth:`Derivative.to_source`, :meth:`Derivative.compile`
and :func:`value_and_grad`.

Matrix forms become ``@`` and ``.T``; index forms become ``np.einsum`` calls whose contraction
path is computed once per shape and cached; every sub-expression used more than once (across the
value and the gradient, too) is computed once, into a temporary. The generated source only ever
contains identifiers that passed the parser's checks, numbers and numpy calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from .errors import NotSupportedError
from .expression import Add, Const, Expr, Func, MatMul, Mul, Pi, Pow, Size, Transpose, Var
from .functions import (
    Det,
    Diag,
    Einsum,
    Eye,
    Inv,
    KeepDims,
    Kron,
    LogDet,
    LogSumExp,
    Norm,
    Ones,
    Outer,
    Reduce,
    Softmax,
    Trace,
    Vec,
)
from .index import IndexExpr
from .notation import einsum_plan
from .shapes import Dim

__all__ = ["Program", "compile_source", "generate", "value_and_grad"]

_HELPERS = {
    "_sigmoid": "def _sigmoid(x):\n    return np.exp(-np.logaddexp(0.0, -x))\n",
    "_sigmoid_prime": ("def _sigmoid_prime(x):\n    s = _sigmoid(x)\n    return s * (1.0 - s)\n"),
    "_softmax": (
        "def _softmax(x, axis):\n"
        "    z = np.exp(x - np.max(x, axis=axis, keepdims=True))\n"
        "    return z / np.sum(z, axis=axis, keepdims=True)\n"
    ),
    "_logsumexp": (
        "def _logsumexp(x, axis):\n"
        "    m = np.max(x, axis=axis, keepdims=True)\n"
        "    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(x - m), axis=axis))\n"
    ),
    "_fuse": (
        "def _fuse(whole, major, minor):\n"
        "    f = np.zeros((whole, major, minor))\n"
        "    a, b = np.meshgrid(np.arange(major), np.arange(minor), indexing='ij')\n"
        "    f[a * minor + b, a, b] = 1.0\n"
        "    return f\n"
    ),
}

_UNARY = {
    "exp": "np.exp({})",
    "log": "np.log({})",
    "sin": "np.sin({})",
    "cos": "np.cos({})",
    "tanh": "np.tanh({})",
    "sqrt": "np.sqrt({})",
    "abs": "np.abs({})",
    "sign": "np.sign({})",
    "relu": "np.maximum({}, 0.0)",
    "softplus": "np.logaddexp(0.0, {})",
    "step": "({} > 0).astype(np.float64)",
    "tanh'": "(1.0 - np.tanh({}) ** 2)",
    "sigmoid": "_sigmoid({})",
}


class Program:
    """Statements of a generated function, with common sub-expressions named once."""

    def __init__(self, variables: Sequence[Var]) -> None:
        self.variables = sorted(variables, key=lambda v: v.name)
        self.lines: list[str] = []
        self.names: dict[Expr, str] = {}
        self.uses: Counter[Expr] = Counter()
        self.helpers: set[str] = set()
        self.dims: dict[str, str] = {}

    # sizes of named dimensions, read off the arguments -------------------------------------
    def dim(self, d: Dim) -> str:
        if isinstance(d, int):
            return str(d)
        parts = []
        for part in d.split("*"):
            if part.isdigit():
                parts.append(part)
                continue
            if part not in self.dims:
                for v in self.variables:
                    if part in v.shape:
                        name = f"_n_{part}"
                        self.lines.append(f"{name} = {v.name}.shape[{v.shape.index(part)}]")
                        self.dims[part] = name
                        break
                else:
                    raise NotSupportedError(f"the size {part!r} cannot be read off any argument")
            parts.append(self.dims[part])
        return " * ".join(parts)

    # common sub-expressions ----------------------------------------------------------------
    def count(self, e: Expr) -> None:
        self.uses[e] += 1
        if self.uses[e] == 1:
            for child in e.children():
                self.count(child)

    def code(self, e: Expr) -> str:
        if e in self.names:
            return self.names[e]
        text = self._code(e)
        if self.uses[e] > 1 and not isinstance(e, Var | Const | Pi):
            name = f"_t{len(self.names)}"
            self.lines.append(f"{name} = {text}")
            self.names[e] = name
            return name
        return f"({text})" if not isinstance(e, Var | Const) else text

    def _code(self, e: Expr) -> str:
        c = self.code
        if isinstance(e, Var):
            return e.name
        if isinstance(e, Const):
            return repr(float(e.value))
        if isinstance(e, Pi):
            return "np.pi"
        if isinstance(e, Size):
            return self.dim(e.name)
        if isinstance(e, Add):
            out = c(e.args[0])
            for a in e.args[1:]:
                neg = isinstance(a, Mul) and isinstance(a.args[0], Const) and a.args[0].value == -1
                if neg:
                    assert isinstance(a, Mul)
                    rest = a.args[1] if len(a.args) == 2 else Mul(a.args[1:])
                    out += f" - {c(rest)}"
                else:
                    out += f" + {c(a)}"
            return out
        if isinstance(e, Mul):
            return " * ".join(c(a) for a in e.args)
        if isinstance(e, Pow):
            if isinstance(e.exponent, Const) and e.exponent.value.denominator == 1:
                return f"{c(e.base)} ** {int(e.exponent.value)}"
            return f"{c(e.base)} ** {c(e.exponent)}"
        if isinstance(e, MatMul):  # diag(v) @ M and M @ diag(v) scale rows or columns
            if isinstance(e.left, Diag) and e.left.arg.ndim == 1 and e.right.ndim == 2:
                return f"{c(e.left.arg)}[:, None] * {c(e.right)}"
            if isinstance(e.right, Diag) and e.right.arg.ndim == 1 and e.left.ndim == 2:
                return f"{c(e.left)} * {c(e.right.arg)}[None, :]"
            if (
                isinstance(e.left, Add)
                and e.right.ndim == 1
                and all(a.ndim == 2 for a in e.left.args)
            ):
                # (A + B) @ x as A @ x + B @ x: matrix-vector products, no n×n temporary
                return " + ".join(f"{c(a)} @ {c(e.right)}" for a in e.left.args)
            return f"{c(e.left)} @ {c(e.right)}"
        if isinstance(e, Transpose):
            return f"{c(e.arg)}.T"
        if isinstance(e, Func):
            if e.name == "sigmoid'":
                self.helpers.update({"_sigmoid", "_sigmoid_prime"})
                return f"_sigmoid_prime({c(e.arg)})"
            if e.name == "sigmoid":
                self.helpers.add("_sigmoid")
            return _UNARY[e.name].format(c(e.arg))
        if isinstance(e, Reduce):
            fn = "np.sum" if e.op == "sum" else "np.mean"
            return f"{fn}({c(e.arg)}, axis={e.axes!r})"
        if isinstance(e, KeepDims):
            return f"np.expand_dims({c(e.arg)}, {e.axes!r})"
        if isinstance(e, Trace):
            return f"np.trace({c(e.arg)})"
        if isinstance(e, Det):
            return f"np.linalg.det({c(e.arg)})"
        if isinstance(e, LogDet):
            return f"np.linalg.slogdet({c(e.arg)})[1]"
        if isinstance(e, Inv):
            return f"np.linalg.inv({c(e.arg)})"
        if isinstance(e, Softmax):
            self.helpers.add("_softmax")
            return f"_softmax({c(e.arg)}, {e.axis!r})"
        if isinstance(e, LogSumExp):
            self.helpers.add("_logsumexp")
            return f"_logsumexp({c(e.arg)}, {e.axis!r})"
        if isinstance(e, Diag):
            return f"np.diag({c(e.arg)})"
        if isinstance(e, Norm):
            return f"np.linalg.norm({c(e.arg)})"
        if isinstance(e, Outer):
            return f"np.outer({c(e.left)}, {c(e.right)})"
        if isinstance(e, Kron):
            return f"np.kron({c(e.left)}, {c(e.right)})"
        if isinstance(e, Vec):
            return f"{c(e.arg)}.reshape(-1, order='F')"
        if isinstance(e, Eye):
            return f"np.eye({self.dim(e.n)})"
        if isinstance(e, Ones):
            return f"np.ones(({', '.join(self.dim(d) for d in e.shape)},))"
        if isinstance(e, Einsum):
            args = ", ".join(c(a) for a in e.args)
            return f"_contract({e.spec!r}, {args})"
        raise NotSupportedError(f"cannot generate code for a {type(e).__name__} node")

    def index(self, expr: IndexExpr) -> str:
        """An index form as a sum of cached-path einsum calls."""
        parts: list[str] = []
        for plan in einsum_plan(expr):
            scale = [repr(float(plan.coeff))]
            scale += [f"{self.dim(f.name)} ** {float(f.power)!r}" for f in plan.dims]
            ops: list[str] = []
            for f in plan.operands:
                if f.kind == "delta":
                    ops.append(f"np.eye({self.dim(f.indices[0].dim)})")
                elif f.kind == "fuse":
                    self.helpers.add("_fuse")
                    ops.append(f"_fuse({', '.join(self.dim(i.dim) for i in f.indices)})")
                else:
                    assert f.node is not None
                    value = self.code(f.node)
                    ops.append(value if f.power == 1 else f"{value} ** {float(f.power)!r}")
            ops += [f"np.ones({self.dim(i.dim)})" for i in plan.missing]
            if ops:
                parts.append(f"{' * '.join(scale)} * _contract({plan.spec!r}, {', '.join(ops)})")
            else:
                shape = ", ".join(self.dim(i.dim) for i in expr.free)
                parts.append(f"{' * '.join(scale)} * np.ones(({shape},))")
        if not parts:
            return f"np.zeros(({', '.join(self.dim(i.dim) for i in expr.free)},))"
        return " + ".join(parts)


def generate(
    name: str,
    variables: Sequence[Var],
    outputs: Sequence[Expr | IndexExpr],
    shapes: Sequence[str | None] = (),
) -> str:
    """Source of ``def name(<variables>)`` returning the outputs (a tuple when several).

    ``shapes`` may give, per output, a reshape/transpose suffix such as ``.T``.
    """
    prog = Program(variables)
    for out in outputs:
        if isinstance(out, Expr):
            prog.count(out)
        else:
            for t in out.terms:
                for f in t.factors:
                    if f.node is not None:
                        prog.count(f.node)
    results = []
    for n, out in enumerate(outputs):
        text = prog.code(out) if isinstance(out, Expr) else prog.index(out)
        suffix = shapes[n] if n < len(shapes) and shapes[n] else ""
        var = f"_out{n}"
        prog.lines.append(f"{var} = np.asarray({text}, dtype=np.float64){suffix}")
        results.append(var)
    args = ", ".join(v.name for v in prog.variables)
    helpers = "".join(_HELPERS[h] + "\n\n" for h in sorted(prog.helpers))
    body = "\n".join("    " + line for line in prog.lines)
    ret = results[0] if len(results) == 1 else "(" + ", ".join(results) + ")"
    return (
        "import numpy as np\n"
        "from matderiv.evaluation import contract as _contract\n\n\n"
        f"{helpers}def {name}({args}):\n{body}\n    return {ret}\n"
    )


def compile_source(source: str, name: str) -> Callable[..., Any]:
    """Turn generated source into a function (the source is matderiv's own output, never user
    text: identifiers were validated by the parser, and everything else is numpy calls)."""
    namespace: dict[str, Any] = {}
    code = compile(source, f"<matderiv:{name}>", "exec")
    exec(code, namespace)  # noqa: S102
    fn: Callable[..., Any] = namespace[name]
    fn.__matderiv_source__ = source  # type: ignore[attr-defined]
    return fn


def value_and_grad(expr: Expr | str, wrt: Var | str, shapes: Any = None) -> Callable[..., Any]:
    """A plain numpy function returning ``(value, gradient)`` that computes the shared parts once
    (for ``sum((X @ W - Y)**2)``, the residual ``X @ W - Y``).

    Arguments are the variables in alphabetical order, by position or by name; the gradient is in
    the tensor layout.

    >>> import numpy as np, matderiv as md
    >>> shapes = {"X": (4, 3), "W": (3, 2), "Y": (4, 2)}
    >>> f = md.value_and_grad("sum((X @ W - Y)**2)", "W", shapes=shapes)
    >>> value, grad = f(W=np.ones((3, 2)), X=np.ones((4, 3)), Y=np.zeros((4, 2)))
    >>> float(value), grad.shape
    (72.0, (3, 2))
    """
    from .derivative import _resolve, derive

    e = _resolve(expr, shapes)
    d = derive(e, wrt, shapes)
    variables = sorted(d.variables | {d.wrt}, key=lambda v: v.name)
    return compile_source(generate("value_and_grad", variables, [e, d.program()]), "value_and_grad")
