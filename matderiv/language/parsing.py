"""Parsing the expression language into an expression tree.

The text is read with Python's :mod:`ast` parser and only a whitelist of node types and names is
accepted; nothing is ever evaluated. Errors quote the offending fragment and its column:

>>> import matderiv as md
>>> parse("sum(trace2(X))", {"X": (2, 2)})
Traceback (most recent call last):
...
matderiv.errors.ParseError: unknown function 'trace2' at column 5: ... did you mean 'trace'?
"""

from __future__ import annotations

import ast
import difflib
import warnings
from collections.abc import Mapping
from fractions import Fraction

from ..errors import MatderivError, NotSupportedError, ParseError, ShapeError
from .expression import (
    Add,
    Const,
    Expr,
    MatMul,
    Mul,
    Pi,
    Pow,
    Size,
    Var,
    negate,
)
from .functions import (
    Einsum,
    Eye,
    LogSumExp,
    Norm,
    Ones,
    Reduce,
    Softmax,
    as_reduce_op,
    keepdims,
    matrix_power,
    variance,
)
from .shapes import Dim, dimension_owners, name_clash, normalize_shape
from .vocabulary import ARITY, BUILDERS, FUNCTIONS, KEYWORDS, MATRIX_FUNCTIONS

__all__ = ["FUNCTIONS", "MATRIX_FUNCTIONS", "MAX_DEPTH", "MAX_LENGTH", "parse"]

#: Longest expression text accepted, in characters.
MAX_LENGTH = 10_000
#: Deepest nesting of the syntax tree accepted.
MAX_DEPTH = 60


class _Parser:
    def __init__(self, text: str, shapes: Mapping[str, Expr | tuple[Dim, ...]]) -> None:
        self.text = text
        self.shapes = shapes
        if "pi" in shapes:
            raise ShapeError(
                "shapes names a variable 'pi', but pi is the constant π in the expression "
                "language; name the variable differently, e.g. 'p'"
            )
        self.dims = dimension_owners(shapes)
        for name, owners in self.dims.items():
            if name in shapes:
                raise name_clash(name, owners)

    def fail(
        self,
        node: ast.AST | None,
        message: str,
        hint: str = "",
        cls: type[MatderivError] = ParseError,
    ) -> MatderivError:
        col = getattr(node, "col_offset", None)
        where = f" at column {col + 1}" if col is not None else ""
        frag = self.text
        return cls(f"{message}{where}: {frag}" + (f" — {hint}" if hint else ""))

    def matrix_function(self, node: ast.AST, fn: str) -> MatderivError:
        what, hint = MATRIX_FUNCTIONS[fn]
        return self.fail(
            node,
            f"{fn!r} ({what}) is a matrix function that matderiv does not support yet",
            hint,
            cls=NotSupportedError,
        )

    def parse(self) -> Expr:
        try:
            with warnings.catch_warnings():  # "invalid decimal literal" and the like: errors,
                warnings.simplefilter("error", SyntaxWarning)  # never noise on the console
                warnings.simplefilter("error", DeprecationWarning)
                tree = ast.parse(self.text.strip(), mode="eval")
        except (SyntaxError, SyntaxWarning, DeprecationWarning) as exc:
            col = getattr(exc, "offset", None) or 0
            hint = _syntax_hint(self.text)
            raise ParseError(
                f"invalid syntax at column {col}: {self.text.strip()!r}"
                + (f" ({hint})" if hint else "")
            ) from None
        except (RecursionError, MemoryError, ValueError):
            raise ParseError(
                f"the expression is nested too deeply to parse (limit {MAX_DEPTH} levels)"
            ) from None
        self.text = self.text.strip()
        depth = _depth(tree.body)
        if depth > MAX_DEPTH:
            raise ParseError(
                f"the expression is nested {depth} levels deep; the limit is {MAX_DEPTH}"
            )
        return self.node(tree.body)

    # nodes -------------------------------------------------------------
    def node(self, n: ast.AST) -> Expr:
        try:
            return self._node(n)
        except (ShapeError, NotSupportedError) as exc:
            if "column" in str(exc) or not hasattr(n, "col_offset"):
                raise
            frag = ast.get_source_segment(self.text, n) or self.text
            raise type(exc)(f"{exc} (in {frag!r} at column {n.col_offset + 1})") from None

    def _node(self, n: ast.AST) -> Expr:
        if isinstance(n, ast.BinOp):
            return self.binop(n)
        if isinstance(n, ast.UnaryOp):
            if isinstance(n.op, ast.USub):
                return negate(self.node(n.operand))
            if isinstance(n.op, ast.UAdd):
                return self.node(n.operand)
            raise self.fail(
                n, f"operator {_snippet(self.text, n)!r} is not supported", "use + - * / ** @"
            )
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool) or not isinstance(n.value, int | float):
                raise self.fail(
                    n, f"unexpected constant {n.value!r}", "only numbers may appear here"
                )
            if isinstance(n.value, float) and (n.value != n.value or abs(n.value) == float("inf")):
                raise self.fail(n, f"the number {n.value!r} is not finite")
            return Const(
                Fraction(str(n.value)) if isinstance(n.value, float) else Fraction(n.value)
            )
        if isinstance(n, ast.Name):
            if n.id in self.dims:  # a named dimension stands for its size: B * ones(M)
                return Size(n.id)
            return self.name(n)
        if isinstance(n, ast.Attribute):
            if n.attr != "T":
                raise self.fail(
                    n, f"unknown attribute '.{n.attr}'", "only '.T' (transpose) is supported"
                )
            inner = self.node(n.value)
            return inner.T
        if isinstance(n, ast.Call):
            return self.call(n)
        what = type(n).__name__
        raise self.fail(
            n,
            f"{_describe_syntax(what)} {_snippet(self.text, n)!r} is not part of the "
            "expression language",
        )

    def binop(self, n: ast.BinOp) -> Expr:
        left, right = self.node(n.left), self.node(n.right)
        op = n.op
        if isinstance(op, ast.Add):
            return Add((left, right))
        if isinstance(op, ast.Sub):
            return Add((left, negate(right)))
        if isinstance(op, ast.Mult):
            return Mul((left, right))
        if isinstance(op, ast.Div):
            if isinstance(right, Const):
                if right.value == 0:
                    raise self.fail(n, "division by zero")
                return (
                    Mul((Const(1 / right.value), left))
                    if not isinstance(left, Const)
                    else Const(left.value / right.value)
                )
            return Mul((left, Pow(right, Const(Fraction(-1)))))
        if isinstance(op, ast.Pow):
            if (
                isinstance(left, Const)
                and isinstance(right, Const)
                and right.value.denominator == 1
                and abs(right.value) < 64
            ):
                if left.value == 0 and right.value < 0:
                    raise self.fail(n, "division by zero")
                return Const(left.value ** int(right.value))
            return Pow(left, right)
        if isinstance(op, ast.MatMult):
            return MatMul(left, right)
        sym = {
            ast.FloorDiv: "//",
            ast.Mod: "%",
            ast.LShift: "<<",
            ast.RShift: ">>",
            ast.BitAnd: "&",
            ast.BitOr: "|",
            ast.BitXor: "^",
        }.get(type(op), type(op).__name__)
        hint = "use ** for powers" if sym == "^" else "use + - * / ** @"
        raise self.fail(n, f"operator {sym!r} is not supported", hint)

    def name(self, n: ast.Name) -> Expr:
        ident = n.id
        if ident == "pi":
            return Pi()
        if ident in self.shapes:
            given = self.shapes[ident]
            if isinstance(given, Expr):
                return given
            return Var(ident, normalize_shape(given, ident))
        if ident in FUNCTIONS:
            raise self.fail(
                n, f"function {ident!r} is used without arguments", f"write {ident}(...)"
            )
        if ident in MATRIX_FUNCTIONS:
            raise self.matrix_function(n, ident)
        known = sorted(self.shapes)
        close = difflib.get_close_matches(ident, known, n=1)
        if close:
            raise self.fail(n, f"unknown name {ident!r}", f"did you mean {close[0]!r}?")
        hint = f"give its shape in shapes={{{ident!r}: (...)}}"
        err = self.fail(n, f"unknown name {ident!r}", hint)
        err.missing_shape, err.hint = ident, hint  # the command line words its own hint
        raise err

    def dim(self, n: ast.AST) -> Dim:
        if (
            isinstance(n, ast.Constant)
            and isinstance(n.value, int)
            and not isinstance(n.value, bool)
        ):
            if n.value < 1:
                raise self.fail(n, f"size {n.value} must be a positive int", cls=ShapeError)
            return n.value
        if isinstance(n, ast.Name) and n.id not in self.shapes:
            return n.id
        raise self.fail(
            n, f"expected a size (an int or a dimension name), got {_snippet(self.text, n)!r}"
        )

    def axis(self, n: ast.AST, fn: str) -> int | tuple[int, ...] | None:
        if isinstance(n, ast.Constant) and n.value is None:
            return None
        if (
            isinstance(n, ast.UnaryOp)
            and isinstance(n.op, ast.USub)
            and isinstance(n.operand, ast.Constant)
        ):
            v = n.operand.value
            if isinstance(v, int) and not isinstance(v, bool):
                return -v
        if (
            isinstance(n, ast.Constant)
            and isinstance(n.value, int)
            and not isinstance(n.value, bool)
        ):
            return n.value
        if isinstance(n, ast.Tuple) and fn in ("sum", "mean", "var", "std"):
            out: list[int] = []
            for elt in n.elts:
                a = self.axis(elt, fn)
                if not isinstance(a, int):
                    raise self.fail(elt, f"{fn}: axis entries must be ints")
                out.append(a)
            return tuple(out)
        raise self.fail(
            n,
            f"{fn}: axis must be an int{' or a tuple of ints' if fn in ('sum', 'mean') else ''} "
            f"or None, got {_snippet(self.text, n)!r}",
        )

    def flag(self, n: ast.AST, fn: str) -> bool:
        if isinstance(n, ast.Constant) and isinstance(n.value, bool):
            return n.value
        raise self.fail(n, f"{fn}: keepdims must be True or False, got {_snippet(self.text, n)!r}")

    def call(self, n: ast.Call) -> Expr:
        if not isinstance(n.func, ast.Name):
            raise self.fail(
                n,
                f"cannot call {_snippet(self.text, n.func)!r}",
                "only the functions of the language can be called, such as tr(X)",
            )
        fn = n.func.id
        if fn in MATRIX_FUNCTIONS and fn not in self.shapes:
            raise self.matrix_function(n.func, fn)
        if fn not in FUNCTIONS:
            close = difflib.get_close_matches(fn, sorted(FUNCTIONS), n=1, cutoff=0.6)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else "see the expression language in the documentation"
            )
            if fn in self.shapes:
                raise self.fail(
                    n.func, f"{fn!r} is a variable, not a function", "write '*' or '@' for products"
                )
            raise self.fail(n.func, f"unknown function {fn!r}", hint)
        allowed = KEYWORDS.get(fn, set())
        kwargs: dict[str, ast.AST] = {}
        for kw in n.keywords:
            if kw.arg is None or kw.arg not in allowed:
                name = "**" if kw.arg is None else kw.arg
                expect = (
                    f"it accepts {', '.join(sorted(allowed))}"
                    if allowed
                    else "it takes no keywords"
                )
                raise self.fail(kw.value, f"{fn}() got an unexpected keyword {name!r}", expect)
            kwargs[kw.arg] = kw.value
        lo, hi = ARITY[fn]
        args = list(n.args)
        if any(isinstance(a, ast.Starred) for a in args):
            raise self.fail(n, f"{fn}(): '*' unpacking is not supported")
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise self.fail(
                n, f"{fn}() takes {want} argument{'s' if hi > 1 else ''}, got {len(args)}"
            )
        keep = self.flag(kwargs["keepdims"], fn) if "keepdims" in kwargs else False
        if fn in ("sum", "mean", "var", "std") and len(args) == 1:
            axis = self.axis(kwargs["axis"], fn) if "axis" in kwargs else None
            if fn in ("var", "std"):
                return variance(self.node(args[0]), axis, keep, std=fn == "std")
            reduced = Reduce(as_reduce_op(fn), self.node(args[0]), axis)
            return keepdims(reduced) if keep else reduced
        if fn in ("softmax", "logsumexp"):
            default = -1 if fn == "softmax" else None
            axis1 = self.axis(kwargs["axis"], fn) if "axis" in kwargs else default
            assert not isinstance(axis1, tuple)
            arg = self.node(args[0])
            if fn == "softmax":  # keeps every axis anyway: keepdims changes nothing
                return Softmax(arg, axis1)
            lse = LogSumExp(arg, axis1)
            return keepdims(lse) if keep else lse
        if fn == "eye":
            return Eye(self.dim(args[0]))
        if fn == "ones":
            target = args[0]
            dims = (
                tuple(self.dim(e) for e in target.elts)
                if isinstance(target, ast.Tuple)
                else (self.dim(target),)
            )
            return Ones(dims)
        if fn == "einsum":
            spec = args[0]
            if not (isinstance(spec, ast.Constant) and isinstance(spec.value, str)):
                raise self.fail(
                    spec, "einsum's first argument must be a subscripts string such as 'ij,jk->ik'"
                )
            return Einsum(spec.value, tuple(self.node(a) for a in args[1:]))
        if fn == "matrix_power":
            k = args[1]
            neg = isinstance(k, ast.UnaryOp) and isinstance(k.op, ast.USub)
            kval = k.operand if isinstance(k, ast.UnaryOp) and neg else k
            if not (
                isinstance(kval, ast.Constant)
                and isinstance(kval.value, int)
                and not isinstance(kval.value, bool)
            ):
                raise self.fail(
                    k, "matrix_power needs an integer literal exponent", cls=NotSupportedError
                )
            power = -kval.value if neg else kval.value
            if abs(power) > 64:
                raise self.fail(
                    k,
                    f"matrix_power exponent {power} is too large (limit 64)",
                    cls=NotSupportedError,
                )
            return matrix_power(self.node(args[0]), power)
        if fn == "norm":
            if len(args) == 2:
                o = args[1]
                if not (isinstance(o, ast.Constant) and o.value in ("fro", 2)):
                    raise self.fail(
                        o,
                        f"norm order {_snippet(self.text, o)} is not supported",
                        "use norm(x) or norm(X, 'fro')",
                        cls=NotSupportedError,
                    )
                inner = self.node(args[0])
                if o.value == "fro" and inner.ndim != 2:
                    raise self.fail(o, "norm(x, 'fro') needs a matrix", cls=ShapeError)
                if o.value == 2 and inner.ndim != 1:
                    raise self.fail(
                        o,
                        "norm(X, 2) of a matrix (the spectral norm) is not supported",
                        "use norm(X, 'fro')",
                        cls=NotSupportedError,
                    )
                return Norm(inner)
            return Norm(self.node(args[0]))
        ops = [self.node(a) for a in args]
        return BUILDERS[fn](*ops)


def _describe_syntax(what: str) -> str:
    return {
        "Compare": "comparison",
        "BoolOp": "boolean operator",
        "Lambda": "lambda",
        "Subscript": "indexing",
        "List": "list",
        "Tuple": "tuple",
        "Dict": "dict",
        "Set": "set",
        "IfExp": "conditional expression",
        "NamedExpr": "assignment",
        "ListComp": "comprehension",
        "GeneratorExp": "generator",
        "JoinedStr": "f-string",
        "Await": "await",
        "Starred": "unpacking",
        "Slice": "slice",
    }.get(what, what)


def _snippet(text: str, n: ast.AST) -> str:
    seg = ast.get_source_segment(text, n)
    return seg if seg is not None else type(n).__name__


def _syntax_hint(text: str) -> str:
    if text.count("(") > text.count(")"):
        return "was a closing bracket forgotten?"
    if text.count(")") > text.count("("):
        return "there is a ')' without a matching '('"
    if "^" in text:
        return "use ** for powers"
    if not text.strip():
        return "the expression is empty"
    return ""


def _depth(node: ast.AST) -> int:
    best, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        if d > MAX_DEPTH:
            return d
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(n))
    return best


def parse(text: str, shapes: Mapping[str, Expr | tuple[Dim, ...]] | None = None) -> Expr:
    """Parse expression text into a typed expression tree.

    Parameters
    ----------
    text : str
        The expression, in the numpy-like language of the documentation.
    shapes : dict
        ``{name: shape}`` for every variable; a value may also be an expression from
        :func:`matderiv.var`.

    Returns
    -------
    Expr
        The expression, with its shape inferred.

    Examples
    --------
    >>> e = parse("sum((X @ W - Y)**2)", {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")})
    >>> print(e)
    sum((X W - Y)**2)
    >>> e.shape
    ()
    """
    if not isinstance(text, str):
        raise ParseError(
            f"expected the expression as a string, got {type(text).__name__}: {text!r:.80}"
        )
    if not text.strip():
        raise ParseError("the expression is empty: expected text such as 'sum(x**2)'")
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}"
        )
    if "\x00" in text:
        raise ParseError("the expression contains a NUL character")
    return _Parser(text, shapes or {}).parse()
