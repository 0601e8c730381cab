"""The command line: ``matderiv derive …`` and ``matderiv check …`` (also ``python -m matderiv``).

Exit codes: 0 on success, 2 on a usage, parse, shape or layout error, 1 on a failed check.

Examples::

    matderiv derive "sum((X @ W - Y)**2)" --wrt W --shape X=B,N --shape W=N,M --shape Y=B,M
    matderiv derive "x @ A @ x" --wrt x --shape x=n --shape A=n,n --steps --check
    matderiv check "x @ A @ x" "2 * A @ x" --wrt x --shape x=3 --shape A=3,3
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .errors import MatderivError
from .printing import unicode_from_text
from .shapes import Dim

__all__ = ["main"]

LAYOUTS = ("tensor", "numerator", "denominator", "mixed", "mit")


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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="matderiv",
        description="Derive and verify vector, matrix and tensor derivatives, step by step.",
        epilog="Exit codes: 0 success, 2 usage or input error, 1 failed check.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="{derive,check}")
    common = argparse.ArgumentParser(add_help=False)
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
    common.add_argument("--json", action="store_true", help="print one JSON object")
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
    from .derivative import derive
    from .verification import Report

    d = derive(args.expr, args.wrt, shapes=shapes, layout=args.layout)
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
            "shape": list(d.shape),
            "matrix": d.matrix,
            "index": d.index,
            "einsum": d.einsum,
            "code": d.code,
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


def _check(args: argparse.Namespace, shapes: dict[str, Any]) -> int:
    from .verification import check_derivative

    try:
        report = check_derivative(
            args.f, args.df, wrt=args.wrt, shapes=shapes, layout=args.layout, method=args.method
        )
    except AssertionError as exc:
        if args.json:
            print(json.dumps({"passed": False, "message": str(exc)}, ensure_ascii=False))
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    shapes = dict(args.shape)
    try:
        return _derive(args, shapes) if args.command == "derive" else _check(args, shapes)
    except MatderivError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
