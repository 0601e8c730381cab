"""Compiling results to plain numpy code: :meth:`Derivative.to_source`, :meth:`Derivative.compile`
and :func:`value_and_grad`.

Matrix forms become ``@`` and ``.T``; index forms become ``np.einsum`` calls whose contraction
path is computed once per shape and cached; every sub-expression used more than once (across the
value and the gradient, too) is computed once, into a temporary. Operators are parenthesised by
Python's precedence and exponents print exactly (``c ** (-5/3)``).

A generated function takes keyword-only arguments named after the variables (``args=`` fixes a
positional order instead), converts them to float arrays and checks their shapes against the
declared ones, raising :class:`~matderiv.errors.ShapeError` that names the argument. A named
size that no argument's shape gives (the ``n`` of ``ones(n)``) is a keyword argument of its own.
Every result has its full shape, a constant (such as a zero derivative) too. Internal names
start with a prefix that no variable starts with, so a variable named ``np`` or ``_t0`` shadows
nothing. The generated source only ever contains identifiers that passed the parser's checks,
numbers and numpy calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from keyword import iskeyword
from typing import Any

from ..engine.index import FACTOR_KINDS, IndexExpr
from ..engine.notation import einsum_plan
from ..errors import NotSupportedError, ParseError, unknown_kind
from ..language import nodes
from ..language.arrays import key_text
from ..language.expression import shape_text
from ..language.functions import REDUCE_OPS, ReduceOp
from ..language.printing import power_code
from ..language.shapes import Dim
from ..language.specs import CODE_HELPERS

__all__ = [
    "Program",
    "argument_order",
    "compile_source",
    "generate",
]

_HELPERS = {
    **CODE_HELPERS,
    "softmax": (
        "def {P}softmax(x, axis):\n"
        "    z = {np}.exp(x - {np}.max(x, axis=axis, keepdims=True))\n"
        "    return z / {np}.sum(z, axis=axis, keepdims=True)\n"
    ),
    "logsumexp": (
        "def {P}logsumexp(x, axis, keepdims=False):\n"
        "    m = {np}.max(x, axis=axis, keepdims=True)\n"
        "    s = {np}.log({np}.sum({np}.exp(x - m), axis=axis, keepdims=True)) + m\n"
        "    return s if keepdims else {np}.squeeze(s, axis=axis)\n"
    ),
    "kernels": "import matderiv.language.kernels as {P}mk\n",
    "fuse": (
        "def {P}fuse(whole, major, minor):\n"
        "    f = {np}.zeros((whole, major, minor))\n"
        "    a, b = {np}.meshgrid({np}.arange(major), {np}.arange(minor), indexing='ij')\n"
        "    f[a * minor + b, a, b] = 1.0\n"
        "    return f\n"
    ),
}


ADD, MUL, UNARY, POW, ATOM = 10, 20, 25, 30, 100  # Python's operator precedence


def argument_order(variables: Iterable[nodes.Var], args: Sequence[str] | None) -> list[nodes.Var]:
    """The variables in the order of ``args`` (every variable named exactly once), or sorted by
    name when ``args`` is None."""
    by_name = {v.name: v for v in variables}
    if args is None:
        return [by_name[n] for n in sorted(by_name)]
    names = ", ".join(sorted(by_name))
    if isinstance(args, str) or not all(isinstance(a, str) for a in args):
        raise ParseError(
            f"args must be a tuple of variable names such as {tuple(sorted(by_name))!r}, "
            f"got {args!r:.80}"
        )
    seen: set[str] = set()
    for a in args:
        if a not in by_name:
            raise ParseError(f"args names {a!r}, which is not a variable (variables: {names})")
        if a in seen:
            raise ParseError(f"args names {a!r} twice; name every variable exactly once")
        seen.add(a)
    missing = [n for n in sorted(by_name) if n not in seen]
    if missing:
        raise ParseError(
            f"args does not name {', '.join(map(repr, missing))}; name every variable exactly "
            f"once (variables: {names})"
        )
    return [by_name[a] for a in args]


class Program:
    """Statements of a generated function, with common sub-expressions named once.

    Internal names start with a prefix no variable (or the function) starts with, and numpy is
    ``np`` unless a variable is named so: the user's names can never shadow them.
    """

    def __init__(self, variables: Sequence[nodes.Var], name: str = "f") -> None:
        self.variables = list(variables)
        taken = {v.name for v in self.variables} | {name}
        prefix = "_"
        while any(t.startswith(prefix) for t in taken):
            prefix += "_"
        self.P = prefix
        self.np = "np" if "np" not in taken else prefix + "np"
        self.lines: list[str] = []
        self.names: dict[nodes.Expr, str] = {}
        self.uses: Counter[nodes.Expr] = Counter()
        self.helpers: set[str] = set()
        self.read = {d for v in self.variables for d in v.shape if isinstance(d, str)}
        self.read = {p for d in self.read for p in d.split("*") if not p.isdigit()}
        self.size_params: list[str] = []
        self.taken = taken
        self.take = False  # whether the code indexes along a named size (numeric.evaluation.take)

    # sizes of named dimensions: read off the arguments, or given by name ---------------------
    def dim(self, d: Dim) -> str:
        if isinstance(d, int):
            return str(d)
        parts = []
        for part in d.split("*"):
            if part.isdigit():
                parts.append(part)
                continue
            if part not in self.read and part not in self.size_params:
                if part in self.taken or not part.isidentifier() or iskeyword(part):
                    raise NotSupportedError(
                        f"the size of dimension {part!r} cannot be a parameter of the generated "
                        "function: a variable or the function has that name"
                    )
                self.size_params.append(part)
            parts.append(f"{self.P}n[{part!r}]")
        return " * ".join(parts)

    def shape(self, shape: Sequence[Dim]) -> str:
        """A shape as a tuple literal: ``()``, ``(3,)``, ``(_n['B'], 3)``."""
        return "(" + "".join(f"{self.dim(d)}, " for d in shape).rstrip(" ") + ")"

    def f(self, template: str, **values: str) -> str:
        return template.format(np=self.np, P=self.P, **values)

    # common sub-expressions ----------------------------------------------------------------
    def count(self, e: nodes.Expr) -> None:
        self.uses[e] += 1
        if self.uses[e] == 1:
            for child in e.children():
                self.count(child)

    def code(self, e: nodes.Expr, need: int = ATOM) -> str:
        """Code for ``e`` as an operand that binds at least as tightly as ``need`` (Python's
        precedence: ``+`` < ``*``/``@`` < unary ``-`` < ``**`` < calls and attributes),
        parenthesised where it does not."""
        if e in self.names:
            return self.names[e]
        text, prec = self._code(e)
        if self.uses[e] > 1 and not isinstance(e, nodes.Var | nodes.Const | nodes.Pi):
            name = f"{self.P}t{len(self.names)}"
            self.lines.append(f"{name} = {text}")
            self.names[e] = name
            return name
        return text if prec >= need else f"({text})"

    def _code(self, e: nodes.Expr) -> tuple[str, int]:
        c, f = self.code, self.f
        if isinstance(e, nodes.Var):
            return e.name, ATOM
        if isinstance(e, nodes.Const):
            return repr(float(e.value)), (ATOM if e.value >= 0 else UNARY)
        if isinstance(e, nodes.Pi):
            return f("{np}.pi"), ATOM
        if isinstance(e, nodes.Size):
            return self.dim(e.name), ATOM
        if isinstance(e, nodes.Add):
            out = c(e.args[0], ADD)
            for a in e.args[1:]:
                neg = (
                    isinstance(a, nodes.Mul)
                    and isinstance(a.args[0], nodes.Const)
                    and a.args[0].value == -1
                )
                if neg:
                    assert isinstance(a, nodes.Mul)
                    rest = a.args[1] if len(a.args) == 2 else nodes.Mul(a.args[1:])
                    out += f" - {c(rest, ADD + 1)}"
                else:
                    out += f" + {c(a, ADD + 1)}"
            return out, ADD
        if isinstance(e, nodes.Mul):
            return " * ".join(c(a, MUL if n == 0 else MUL + 1) for n, a in enumerate(e.args)), MUL
        if isinstance(e, nodes.Pow):
            if isinstance(e.exponent, nodes.Const):
                return f"{c(e.base)} ** {power_code(e.exponent.value)}", POW
            return f"{c(e.base)} ** {c(e.exponent, UNARY)}", POW
        if isinstance(e, nodes.MatMul):  # diag(v) @ M and M @ diag(v) scale rows or columns
            if isinstance(e.left, nodes.Diag) and e.left.arg.ndim == 1 and e.right.ndim == 2:
                return f"{c(e.left.arg)}[:, None] * {c(e.right, MUL + 1)}", MUL
            if isinstance(e.right, nodes.Diag) and e.right.arg.ndim == 1 and e.left.ndim == 2:
                return f"{c(e.left, MUL)} * {c(e.right.arg)}[None, :]", MUL
            if (
                isinstance(e.left, nodes.Add)
                and e.right.ndim == 1
                and all(a.ndim == 2 for a in e.left.args)
            ):
                # (A + B) @ x as A @ x + B @ x: matrix-vector products, no n×n temporary
                right = c(e.right, MUL + 1)
                return " + ".join(f"{c(a, MUL)} @ {right}" for a in e.left.args), ADD
            return f"{c(e.left, MUL)} @ {c(e.right, MUL + 1)}", MUL
        if isinstance(e, nodes.Transpose):
            return f"{c(e.arg)}.T", ATOM
        if isinstance(e, nodes.Func):
            self.helpers.update(e.spec.helpers)
            return f(e.spec.code, x=c(e.arg, 0)), ATOM
        if isinstance(e, nodes.Reduce):
            x = c(e.arg, 0)
            fn = _reduction_name(e.op)
            return f("{np}.{fn}({x}, axis={a})", fn=fn, x=x, a=repr(e.axes)), ATOM
        if isinstance(e, nodes.KeepDims):
            x = c(e.arg, 0)
            return f("{np}.expand_dims({x}, {a})", x=x, a=repr(e.axes)), ATOM
        if isinstance(e, nodes.Softmax):
            self.helpers.add("softmax")
            return f("{P}softmax({x}, {axis})", x=c(e.arg, 0), axis=repr(e.axis)), ATOM
        if isinstance(e, nodes.LogSumExp):
            self.helpers.add("logsumexp")
            x = c(e.arg, 0)
            return f("{P}logsumexp({x}, {axis})", x=x, axis=repr(e.axis)), ATOM
        if isinstance(e, nodes.Outer | nodes.Kron):
            name = "outer" if isinstance(e, nodes.Outer) else "kron"
            return f("{np}.{fn}({x}, {y})", fn=name, x=c(e.left, 0), y=c(e.right, 0)), ATOM
        if isinstance(e, nodes.Eye):
            return f("{np}.eye({n})", n=self.dim(e.n)), ATOM
        if isinstance(e, nodes.Ones):
            return f("{np}.ones({shape})", shape=self.shape(e.shape)), ATOM
        if isinstance(e, nodes.Einsum):
            args = ", ".join(c(a, 0) for a in e.args)
            return f("{P}contract({spec}, {args})", spec=repr(e.spec), args=args), ATOM
        if isinstance(e, nodes.Unary):
            self.helpers.update(e.helpers)
            return f(e.code, x=c(e.arg, 0)), ATOM
        if isinstance(e, nodes.FrechetApply):
            self.helpers.add("kernels")
            x, d = c(e.arg, 0), c(e.direction, 0)
            return f("{P}mk.frechet_apply({fn}, {x}, {d})", fn=repr(e.function), x=x, d=d), ATOM
        if isinstance(e, nodes.Subscript | nodes.Reshape | nodes.Join | nodes.Extremum):
            return self.rearranged(e), ATOM
        raise NotSupportedError(f"cannot generate code for a {type(e).__name__} node")

    def rearranged(self, e: nodes.Expr) -> str:
        """Code for indexing, reshape, concatenate, stack, maximum and minimum (issue 14)."""
        c, f = self.code, self.f
        if isinstance(e, nodes.Subscript):
            named = [
                d
                for d, it in zip(e.arg.shape, e.key, strict=True)
                if isinstance(d, str) and not (isinstance(it, nodes.Span) and it.full)
            ]
            if not named:  # every size is known: the key was checked when the node was built
                return f"{c(e.arg)}[{key_text(e.key)}]"
            self.take = True  # a named size: checked when the function runs
            key = "(" + "".join(f"{k!r}, " for k in e.numpy_key()) + ")"
            return f(
                "{P}take({x}, {k}, {s}, {w})",
                x=c(e.arg, 0),
                k=key,
                s=self.shape(e.shape),
                w=repr(str(e)),
            )
        if isinstance(e, nodes.Reshape):
            return f("{np}.reshape({x}, {s})", x=c(e.arg, 0), s=self.shape(e.shape))
        if isinstance(e, nodes.Join):
            arrays = ", ".join(c(a, 0) for a in e.args)
            return f("{np}.{fn}([{a}], axis={ax})", fn=e.kind, a=arrays, ax=str(e.axis))
        assert isinstance(e, nodes.Extremum)
        return f("{np}.{fn}({a}, {b})", fn=e.op, a=c(e.left, 0), b=c(e.right, 0))

    def index(self, expr: IndexExpr) -> str:
        """An index form as a sum of cached-path einsum calls."""
        parts: list[str] = []
        for plan in einsum_plan(expr):
            scale = [repr(float(plan.coeff))]
            for fd in plan.dims:
                size = self.dim(fd.name)
                size = size if size.isidentifier() or "*" not in size else f"({size})"
                scale.append(size if fd.power == 1 else f"{size} ** {power_code(fd.power)}")
            ops: list[str] = []
            for fo in plan.operands:
                match fo.kind:
                    case "delta":
                        ops.append(self.f("{np}.eye({n})", n=self.dim(fo.indices[0].dim)))
                    case "fuse":
                        self.helpers.add("fuse")
                        dims = ", ".join(self.dim(i.dim) for i in fo.indices)
                        ops.append(self.f("{P}fuse({dims})", dims=dims))
                    case "tensor":
                        assert fo.node is not None
                        value = self.code(fo.node, 0 if fo.power == 1 else ATOM)
                        power = f"{value} ** {power_code(fo.power)}"
                        ops.append(value if fo.power == 1 else power)
                    case "dim":  # einsum_plan keeps named sizes out of the operands
                        raise AssertionError(f"a named size {fo.name} among einsum operands")
                    case _:
                        unknown_kind(fo.kind, "factor kind", FACTOR_KINDS)
            ops += [self.f("{np}.ones({n})", n=self.dim(i.dim)) for i in plan.missing]
            if ops:
                call = self.f(
                    "{P}contract({spec}, {ops})", spec=repr(plan.spec), ops=", ".join(ops)
                )
                parts.append(f"{' * '.join(scale)} * {call}")
            else:
                parts.append(" * ".join(scale))
        if not parts:
            return self.f("{np}.zeros({shape})", shape=self.shape([i.dim for i in expr.free]))
        return " + ".join(parts)

    def output(self, out: nodes.Expr | IndexExpr, shape: Sequence[Dim]) -> str:
        """Code for one result as a float array of exactly ``shape`` (a constant such as a
        zero derivative fills every entry; a form with other size-1 axes is reshaped)."""
        text = self.code(out, 0) if isinstance(out, nodes.Expr) else self.index(out)
        have = tuple(out.shape) if isinstance(out, nodes.Expr) else tuple(i.dim for i in out.free)
        want = tuple(shape)
        if have == want:
            return self.f("{np}.asarray({x}, dtype={np}.float64)", x=text)
        if not have:
            return self.f("{np}.full({s}, {x}, dtype={np}.float64)", s=self.shape(want), x=text)
        if [d for d in have if d != 1] == [d for d in want if d != 1]:
            x = self.f("{np}.asarray({x}, dtype={np}.float64)", x=text)
            return f"{x}.reshape({self.shape(want)})"
        raise NotSupportedError(
            f"internal error: generated code of shape {shape_text(have)} for a result of shape "
            f"{shape_text(want)}; please report this expression"
        )


def generate(
    name: str,
    variables: Sequence[nodes.Var],
    outputs: Sequence[tuple[nodes.Expr | IndexExpr, Sequence[Dim], str]],
    positional: bool = False,
) -> str:
    """Source of ``def name(*, <variables>)`` returning the outputs (a tuple when several).

    Each output is ``(what, shape, suffix)``: the expression or index form, the shape of the
    result (a constant fills it), and a suffix such as ``.T`` that arranges it in a layout.
    Arguments are keyword-only, in the order given, unless ``positional``. Named sizes that no
    argument's shape gives become keyword-only parameters of their own.
    """
    if not name.isidentifier() or iskeyword(name):
        raise ParseError(f"function name {name!r} is not a valid identifier")
    prog = Program(variables, name)
    for out, _, _ in outputs:
        if isinstance(out, nodes.Expr):
            prog.count(out)
        else:
            for t in out.terms:
                for fa in t.factors:
                    if fa.node is not None:
                        prog.count(fa.node)
    results = []
    for n, (out, shape, suffix) in enumerate(outputs):
        var = f"{prog.P}out{n}"
        prog.lines.append(f"{var} = {prog.output(out, shape)}{suffix}")
        results.append(var)
    P = prog.P
    names = [v.name for v in prog.variables]
    arg_list = ", ".join(names)
    params = list(names) if positional or not names else ["*", *names]
    if prog.size_params:
        if positional or not names:
            params.append("*")
        params += [f"{s}=None" for s in prog.size_params]
    params_text = ", ".join(params)
    given = "{" + ", ".join(f"{s!r}: {s}" for s in prog.size_params) + "}"
    declared = repr(
        tuple(
            (v.name, v.shape) if v.structure == "general" else (v.name, v.shape, v.structure)
            for v in prog.variables
        )
    )
    unpack = f"({arg_list},)" if len(names) == 1 else f"({arg_list})"
    check = f"{unpack}, {P}n = {P}check({P}DECLARED, {unpack}, {given})"
    helpers = "".join(prog.f(_HELPERS[h]) + "\n\n" for h in sorted(prog.helpers))
    body = "\n".join("    " + line for line in [check, *prog.lines])
    ret = results[0] if len(results) == 1 else "(" + ", ".join(results) + ")"
    take = f"from matderiv.numeric.evaluation import take as {P}take\n" if prog.take else ""
    return (
        f"import numpy as {prog.np}\n"
        f"from matderiv.numeric.evaluation import check_arguments as {P}check\n"
        f"from matderiv.numeric.evaluation import contract as {P}contract\n{take}\n"
        f"{P}DECLARED = {declared}\n\n\n"
        f"{helpers}def {name}({params_text}):\n{body}\n    return {ret}\n"
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


def _reduction_name(op: ReduceOp) -> str:
    """The numpy function that computes a reduction; an unknown one raises."""
    match op:
        case "sum":
            return "sum"
        case "mean":
            return "mean"
        case _:
            unknown_kind(op, "reduction", REDUCE_OPS)
