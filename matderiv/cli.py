"""The command line: ``matderiv derive …`` and ``matderiv check …`` (also ``python -m matderiv``).

Exit codes: 0 on success, 2 on a usage, parse, shape or layout error, 1 on a failed check.

With ``--json`` everything printed on stdout is one JSON object, errors too:
``{"error": "ShapeError", "message": "..."}`` (``"UsageError"`` for a bad command line). The
``einsum`` field of ``derive --json`` is one Python expression of plain numpy that computes the
derivative in the chosen layout: ``eval(field, {"np": numpy, "X": X, ...})``. Named sizes are
read off the arrays (``X.shape[0]``); a named size that no variable carries is written by its
name, to be bound to an int as well.

Examples::

    matderiv derive "sum((X @ W - Y)**2)" --wrt W --shape X=B,N --shape W=N,M --shape Y=B,M
    matderiv derive "x @ A @ x" --wrt x --shape x=n --shape A=n,n --steps --check
    matderiv check "x @ A @ x" "2 * A @ x" --wrt x --shape x=3 --shape A=3,3
    matderiv derive "logdet(S)" --wrt S --shape S=n,n --structure S=symmetric --symmetric free

A square variable may be declared symmetric or diagonal with ``--structure NAME=KIND``; the
derivative by a symmetric one needs ``--symmetric frobenius`` (the gradient on the symmetric
matrices, (G + Gᵀ)/2) or ``--symmetric free`` (the partial derivatives by the free entries,
G + Gᵀ − G∘I, as in the Matrix Cookbook §2.8.2): there is no default.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

from .checks.finite import Report, check_derivative
from .derivative import Derivative, derive
from .engine.index import FACTOR_KINDS, IndexExpr
from .engine.notation import einsum_plan
from .errors import MatderivError, NotSupportedError, ShapeError, unknown_kind
from .language import nodes
from .language.functions import Einsum, LogSumExp, Softmax
from .language.printing import unicode_from_text
from .language.shapes import Dim
from .language.structure import CONVENTIONS as SYMMETRIC_CONVENTIONS
from .language.structure import STRUCTURES, Structure, check_structure, structured
from .numeric.codegen import ATOM, Program
from .numeric.layout import CONVENTIONS, recipe

__all__ = ["main"]

LAYOUTS = CONVENTIONS


def _shape(text: str) -> tuple[str, tuple[Dim, ...]]:
    name, eq, dims = text.partition("=")
    if not eq or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(
            f"expected NAME=DIMS such as X=B,N or x=3 (or t= for a scalar), got {text!r}"
        )
    parts = [d.strip() for d in dims.split(",")] if dims.strip() else []
    out: list[Dim] = []
    for d in parts:
        if not d:
            raise argparse.ArgumentTypeError(f"empty dimension in {text!r}")
        out.append(int(d) if d.isdigit() else d)
    return name.strip(), tuple(out)


def _structure(text: str) -> tuple[str, Structure]:
    name, eq, kind = (part.strip() for part in text.partition("="))
    if not eq or not name.isidentifier() or kind not in STRUCTURES:
        raise argparse.ArgumentTypeError(
            f"expected NAME=KIND with KIND one of {', '.join(STRUCTURES)}, such as S=symmetric, "
            f"got {text!r}"
        )
    return name, kind


def _structured_shapes(
    shapes: dict[str, Any], structures: Sequence[tuple[str, Structure]]
) -> dict[str, Any]:
    """The shapes with each ``--structure`` applied (a UsageError-style MatderivError when the
    variable has no ``--shape`` or is declared twice)."""
    out = dict(shapes)
    seen: set[str] = set()
    for name, kind in structures:
        if name in seen:
            raise ShapeError(f"--structure {name}=... is given twice")
        seen.add(name)
        if name not in shapes:
            raise ShapeError(
                f"--structure {name}={kind}: {name!r} has no shape; give it with "
                f"--shape {name}=DIMS, such as --shape {name}=n,n"
            )
        check_structure(kind, shapes[name], name)
        out[name] = structured(shapes[name], kind)
    return out


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error under ``--json`` is a JSON object on stdout (still exit 2)."""

    json_errors = False

    def error(self, message: str) -> NoReturn:
        if self.json_errors:
            _print_json({"error": "UsageError", "message": message, "usage": self.format_usage()})
            self.exit(2)
        super().error(message)


def _wants_json(argv: Sequence[str]) -> bool:
    # before parsing, so that a usage error can already be JSON; "--js" abbreviates "--json"
    return any(len(a) > 3 and "--json".startswith(a) for a in argv if a.startswith("--j"))


def _parser(json_errors: bool = False) -> argparse.ArgumentParser:
    class Parser(_Parser):  # subcommands' parsers are made from the same class
        pass

    Parser.json_errors = json_errors
    p = Parser(
        prog="matderiv",
        description="Derive and verify vector, matrix and tensor derivatives, step by step.",
        epilog="Exit codes: 0 success, 2 usage or input error, 1 failed check. With --json, "
        'errors are JSON too: {"error": <class name, or UsageError>, "message": ...}.',
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="{derive,check}")
    common = Parser(add_help=False)
    common.add_argument("--wrt", required=True, help="the variable to differentiate by")
    common.add_argument(
        "--shape",
        action="append",
        type=_shape,
        default=[],
        metavar="NAME=DIMS",
        help="a variable's shape, e.g. X=B,N or x=3; 't=' is a scalar (repeat for each variable)",
    )
    common.add_argument("--layout", choices=LAYOUTS, default="tensor", help="layout convention")
    common.add_argument(
        "--structure",
        action="append",
        type=_structure,
        default=[],
        metavar="NAME=KIND",
        help="declare a square variable symmetric or diagonal, e.g. S=symmetric (with its "
        "--shape; repeat for each variable)",
    )
    common.add_argument(
        "--symmetric",
        choices=SYMMETRIC_CONVENTIONS,
        default=None,
        help="the convention of a derivative by a symmetric variable (required for one): "
        "frobenius, the gradient on the symmetric matrices (G + G^T)/2; free, the partial "
        "derivatives by the free entries G + G^T - G*I (Matrix Cookbook 2.8.2)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (errors too); its 'einsum' field is a numpy expression: "
        "eval(field, {'np': numpy, 'X': X, ...}) gives the derivative in the chosen layout",
    )
    d = sub.add_parser("derive", parents=[common], help="derive an expression")
    d.add_argument("expr", help='the expression, e.g. "sum((X @ W - Y)**2)"')
    d.add_argument("--steps", action="store_true", help="print the derivation step by step")
    d.add_argument("--latex", action="store_true", help="print LaTeX instead of Unicode text")
    d.add_argument("--check", action="store_true", help="check numerically (exit 1 on failure)")
    c = sub.add_parser("check", parents=[common], help="check a claimed derivative")
    c.add_argument("f", help="the function")
    c.add_argument("df", help="the claimed derivative, in the chosen layout")
    c.add_argument("--method", choices=("auto", "directional", "full", "exact"), default="auto")
    return p


def _derive(args: argparse.Namespace, shapes: dict[str, Any]) -> int:

    d = derive(args.expr, args.wrt, shapes=shapes, layout=args.layout, symmetric=args.symmetric)
    report: Report | None = None
    failure = ""
    if args.check:
        try:
            report = d.check()
        except AssertionError as exc:
            failure = str(exc)
    if args.json:
        out: dict[str, Any] = {
            "expression": args.expr,
            "wrt": args.wrt,
            "layout": d.layout,
            "symmetric": d.symmetric,
            "shape": list(d.shape),
            "matrix": d.matrix,
            "index": d.index,
            "einsum": numpy_einsum(d),
            "code": _code(d),
            "latex": d.latex(),
        }
        if args.steps:
            out["steps"] = [
                {"name": s.name, "title": s.title, "text": s.text, "latex": s.latex}
                for s in d.steps
            ]
        if args.check:
            out["check"] = {"passed": not failure, "report": str(report) if report else failure}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        show = (lambda t: t) if args.latex else unicode_from_text
        if args.steps:
            for n, s in enumerate(d.steps, 1):
                print(f"{n}. {s.title}")
                body = s.latex if args.latex else show(s.text)
                print("   " + body.replace("\n", "\n   "))
            print()
        if args.latex:
            print(d.latex())
        else:
            result = d.matrix if d.matrix is not None else d.index
            print(f"∂f/∂{d.wrt.name} = {show(result)}")
            if d.matrix is not None:
                print(f"index form: {d.index}")
            print(f"shape: {'×'.join(map(str, d.shape)) or 'scalar'} ({d.layout} layout)")
        if args.check:
            print(f"check: {report}" if report else f"check FAILED: {failure}")
    return 1 if failure else 0


def _code(d: Derivative) -> str | None:
    try:
        return d.code
    except NotSupportedError:  # a form the language cannot write yet, such as a named size
        return None


def _check(args: argparse.Namespace, shapes: dict[str, Any]) -> int:

    try:
        report = check_derivative(
            args.f,
            args.df,
            wrt=args.wrt,
            shapes=shapes,
            layout=args.layout,
            method=args.method,
            symmetric=args.symmetric,
        )
    except AssertionError as exc:
        if args.json:
            failed = {"passed": False, "error": "AssertionError", "message": str(exc)}
            print(json.dumps(failed, ensure_ascii=False))
        else:
            print(f"check FAILED: {exc}")
        return 1
    if args.json:
        out = {
            "passed": True,
            "method": report.method,
            "max_abs_error": report.max_abs_error,
            "max_rel_error": report.max_rel_error,
            "report": str(report),
        }
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"check passed: {report}")
    return 0


def _print_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False))


_LIBRARY_CONVENTION = re.compile(r"""symmetric=['"](frobenius|free)['"]""")
_LIBRARY_SHAPE = re.compile(r"""shapes=\{(['"])(\w+)\1: \(([^()]*)\)\}""")


def _cli_dims(text: str) -> str:
    dims = [d.strip().strip("'\"") for d in text.split(",")]
    return ",".join(d for d in dims if d)


def cli_message(exc: MatderivError) -> str:
    """The error's message, with hints in the command line's syntax: ``--shape w=3`` where the
    library would say ``shapes={'w': (3,)}``."""
    message = str(exc)
    name = exc.missing_shape
    if name is not None and exc.hint and message.endswith(exc.hint):
        message = (
            message[: -len(exc.hint)] + f"give its shape with --shape {name}=DIMS, such as "
            f"--shape {name}=3 (a vector), {name}=B,N (a matrix) or {name}= (a scalar)"
        )
    message = _LIBRARY_CONVENTION.sub(lambda m: f"--symmetric {m.group(1)}", message)
    return _LIBRARY_SHAPE.sub(
        lambda m: f"--shape {m.group(2)}={_cli_dims(m.group(3)).replace('...', 'DIMS')}", message
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = _wants_json(argv)
    args = _parser(as_json).parse_args(argv)
    try:
        shapes = _structured_shapes(dict(args.shape), args.structure)
        return _derive(args, shapes) if args.command == "derive" else _check(args, shapes)
    except MatderivError as exc:
        if as_json:
            _print_json({"error": type(exc).__name__, "message": cli_message(exc)})
        else:
            print(f"error: {type(exc).__name__}: {cli_message(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # stdout closed early (| head): quietly, as Python's own tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if not as_json:
            raise
        # a bug in matderiv: still one JSON object on stdout, the traceback on stderr, and the
        # exit code of an uncaught exception
        traceback.print_exc()
        _print_json({"error": type(exc).__name__, "message": str(exc), "internal": True})
        return 1


# the einsum field: one expression of plain numpy ------------------------------------------


def numpy_einsum(d: Derivative) -> str | None:
    """One Python expression of plain numpy (``np`` and the variables' arrays, nothing else)
    that computes ``d`` in its layout: one ``np.einsum`` per term of the index form. None when
    the index form needs a function that has no one-expression numpy spelling here.

    >>> import numpy as np, matderiv as md
    >>> shapes = {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}
    >>> d = md.derive("sum((X @ W - Y)**2)", "W", shapes=shapes)
    >>> text = numpy_einsum(d)
    >>> text
    "2 * np.einsum('aq,ap->pq', (X @ W) - Y, X)"
    >>> arrays = {"X": np.ones((4, 3)), "W": np.ones((3, 2)), "Y": np.zeros((4, 2))}
    >>> eval(text, {"np": np, **arrays})
    array([[24., 24.],
           [24., 24.],
           [24., 24.]])
    """

    try:
        text = _NumpyText(sorted(d.variables | {d.wrt}, key=lambda v: v.name)).index(d.index_expr)
    except NotSupportedError:
        return None
    how = recipe(d.layout, len(d.out_shape), d.wrt.ndim)
    if how == "T":
        return f"np.transpose({text})"
    if how in ("row", "col"):
        return f"np.reshape({text}, {'(1, -1)' if how == 'row' else '(-1, 1)'})"
    return text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


class _NumpyText(Program):
    """Generated-code printing, inlined into one expression: no temporaries, no helper
    functions, named sizes read off the arrays (``X.shape[0]``)."""

    def dim(self, d: Dim) -> str:
        if isinstance(d, int):
            return str(d)
        parts = []
        for part in d.split("*"):
            found = [
                f"{v.name}.shape[{v.shape.index(part)}]" for v in self.variables if part in v.shape
            ]
            parts.append(part if part.isdigit() or not found else found[0])
        return " * ".join(parts)

    def code(self, e: nodes.Expr, need: int = ATOM) -> str:
        bracket = bool(need)  # always bracketed where any binding is needed: safe, if verbose
        if e in self.names:
            return self.names[e]
        if isinstance(e, nodes.Var):
            return e.name
        if isinstance(e, nodes.Const):
            text = repr(float(e.value))
            return f"({text})" if e.value < 0 and bracket else text
        if isinstance(e, nodes.Pi):
            return "np.pi"
        text, _ = self._code(e)
        if self.uses[e] > 1:  # computed once, bound by a lambda around the whole expression
            name = f"_t{len(self.names)}"
            self.bound.append((name, text))
            self.names[e] = name
            return name
        return f"({text})" if bracket else text

    def _code(self, e: nodes.Expr) -> tuple[str, int]:
        c = self.code
        if isinstance(e, nodes.Func) and e.spec.inline is not None:  # one expression, no helpers
            return e.spec.inline.format(np="np", x=c(e.arg, False)), ATOM
        if isinstance(e, Softmax | LogSumExp):  # shifted by the maximum, as numpy users do
            k, a = e.axis, f"axis={e.axis!r}, keepdims=True"
            if isinstance(e, Softmax):
                body = f"np.exp(x - np.max(x, {a})) / np.sum(np.exp(x - np.max(x, {a})), {a})"
            else:
                body = (
                    f"np.max(x, axis={k!r}) "
                    f"+ np.log(np.sum(np.exp(x - np.max(x, {a})), axis={k!r}))"
                )
            return f"(lambda x: {body})({c(e.arg, False)})", ATOM
        if isinstance(e, Einsum):
            best = ", optimize=True" if len(e.args) > 2 else ""
            return f"np.einsum({e.spec!r}, {', '.join(c(a) for a in e.args)}{best})", ATOM
        text, prec = super()._code(e)
        if self.helpers:
            raise NotSupportedError(f"no one-expression numpy spelling of {sorted(self.helpers)}")
        return text, prec

    def index(self, expr: IndexExpr) -> str:
        self.bound: list[tuple[str, str]] = []
        for t in expr.terms:
            for f in t.factors:
                if f.node is not None:
                    self.count(f.node)
        text = self._sum(expr)
        for name, value in reversed(self.bound):
            text = f"(lambda {name}: {text})({value})"
        return text

    def _sum(self, expr: IndexExpr) -> str:
        parts: list[str] = []
        for plan in einsum_plan(expr):
            c = abs(plan.coeff)
            scale = [] if c == 1 else [str(c.numerator) if c.denominator == 1 else repr(float(c))]
            for f in plan.dims:
                size = self.dim(f.name)
                size = size if f.power == 1 or " " not in size else f"({size})"
                scale.append(size if f.power == 1 else f"{size} ** {float(f.power)!r}")
            ops: list[str] = []
            for f in plan.operands:
                match f.kind:
                    case "delta":
                        ops.append(f"np.eye({self.dim(f.indices[0].dim)})")
                    case "fuse":  # fuse[a*minor + b, a, b] = 1
                        whole, major, minor = (self.dim(i.dim) for i in f.indices)
                        ops.append(f"np.eye({whole}).reshape({whole}, {major}, {minor})")
                    case "tensor":
                        assert f.node is not None
                        if f.power == 1:  # an argument between commas needs no brackets
                            ops.append(self.code(f.node, need=0))
                        else:
                            ops.append(f"{self.code(f.node)} ** {float(f.power)!r}")
                    case "dim":  # einsum_plan keeps named sizes out of the operands
                        raise AssertionError(f"a named size {f.name} among einsum operands")
                    case _:
                        unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
            ops += [f"np.ones({self.dim(i.dim)})" for i in plan.missing]
            shape = ", ".join(self.dim(i.dim) for i in expr.free)
            if ops:
                best = ", optimize=True" if len(ops) > 2 else ""  # a good contraction order
                call = f"np.einsum({plan.spec!r}, {', '.join(ops)}{best})"
            else:
                call = f"np.ones(({shape},))" if shape else "1.0"
            sign = "-" if plan.coeff < 0 else "+"
            parts.append(f"{sign} {' * '.join([*scale, call])}")
        if not parts:
            shape = ", ".join(self.dim(i.dim) for i in expr.free)
            return f"np.zeros(({shape},))" if shape else "0.0"
        text = " ".join(parts)
        return text[2:] if text.startswith("+ ") else "-" + text[2:]
