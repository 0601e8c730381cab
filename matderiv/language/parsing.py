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
from . import nodes
from .expression import declared_variable, negate
from .shapes import Dim, dim_product, dimension_owners, name_clash
from .structure import Structured
from .syntax import describe_syntax, snippet, syntax_hint
from .vocabulary import FUNCTIONS, MATRIX_FUNCTIONS, NAMED

__all__ = ["FUNCTIONS", "MATRIX_FUNCTIONS", "MAX_DEPTH", "MAX_LENGTH", "parse"]

#: Longest expression text accepted, in characters.
MAX_LENGTH = 10_000
#: Deepest nesting of the syntax tree accepted.
MAX_DEPTH = 60


class _Parser:
    def __init__(
        self, text: str, shapes: Mapping[str, nodes.Expr | Structured | tuple[Dim, ...]]
    ) -> None:
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

    def parse(self) -> nodes.Expr:
        try:
            with warnings.catch_warnings():  # "invalid decimal literal" and the like: errors,
                warnings.simplefilter("error", SyntaxWarning)  # never noise on the console
                warnings.simplefilter("error", DeprecationWarning)
                tree = ast.parse(self.text.strip(), mode="eval")
        except (SyntaxError, SyntaxWarning, DeprecationWarning) as exc:
            col = getattr(exc, "offset", None) or 0
            hint = syntax_hint(self.text)
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
    def node(self, n: ast.AST) -> nodes.Expr:
        try:
            return self._node(n)
        except (ShapeError, NotSupportedError) as exc:
            if "column" in str(exc) or not hasattr(n, "col_offset"):
                raise
            frag = ast.get_source_segment(self.text, n) or self.text
            raise type(exc)(f"{exc} (in {frag!r} at column {n.col_offset + 1})") from None

    def _node(self, n: ast.AST) -> nodes.Expr:
        if isinstance(n, ast.BinOp):
            return self.binop(n)
        if isinstance(n, ast.UnaryOp):
            if isinstance(n.op, ast.USub):
                return negate(self.node(n.operand))
            if isinstance(n.op, ast.UAdd):
                return self.node(n.operand)
            raise self.fail(
                n, f"operator {snippet(self.text, n)!r} is not supported", "use + - * / ** @"
            )
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool) or not isinstance(n.value, int | float):
                raise self.fail(
                    n, f"unexpected constant {n.value!r}", "only numbers may appear here"
                )
            if isinstance(n.value, float) and (n.value != n.value or abs(n.value) == float("inf")):
                raise self.fail(n, f"the number {n.value!r} is not finite")
            return nodes.Const(
                Fraction(str(n.value)) if isinstance(n.value, float) else Fraction(n.value)
            )
        if isinstance(n, ast.Name):
            if n.id in self.dims:  # a named dimension stands for its size: B * ones(M)
                return nodes.Size(n.id)
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
        if isinstance(n, ast.Subscript):
            return self.subscript(n)
        what = type(n).__name__
        raise self.fail(
            n,
            f"{describe_syntax(what)} {snippet(self.text, n)!r} is not part of the "
            "expression language",
        )

    def binop(self, n: ast.BinOp) -> nodes.Expr:
        left, right = self.node(n.left), self.node(n.right)
        op = n.op
        if isinstance(op, ast.Add):
            return nodes.Add((left, right))
        if isinstance(op, ast.Sub):
            return nodes.Add((left, negate(right)))
        if isinstance(op, ast.Mult):
            return nodes.Mul((left, right))
        if isinstance(op, ast.Div):
            if isinstance(right, nodes.Const):
                if right.value == 0:
                    raise self.fail(n, "division by zero")
                return (
                    nodes.Mul((nodes.Const(1 / right.value), left))
                    if not isinstance(left, nodes.Const)
                    else nodes.Const(left.value / right.value)
                )
            return nodes.Mul((left, nodes.Pow(right, nodes.Const(Fraction(-1)))))
        if isinstance(op, ast.Pow):
            if (
                isinstance(left, nodes.Const)
                and isinstance(right, nodes.Const)
                and right.value.denominator == 1
                and abs(right.value) < 64
            ):
                if left.value == 0 and right.value < 0:
                    raise self.fail(n, "division by zero")
                return nodes.Const(left.value ** int(right.value))
            return nodes.Pow(left, right)
        if isinstance(op, ast.MatMult):
            return nodes.MatMul(left, right)
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

    def name(self, n: ast.Name) -> nodes.Expr:
        ident = n.id
        if ident == "pi":
            return nodes.Pi()
        if ident in self.shapes:
            given = self.shapes[ident]
            if isinstance(given, nodes.Expr):
                return given
            return declared_variable(ident, given)
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

    def subscript(self, n: ast.Subscript) -> nodes.Expr:
        """Basic indexing with literal ints and slices: ``X[:, 0]``, ``x[1:3]``, ``X[..., -1]``."""
        inner = self.node(n.value)
        key: list[object] = []
        for elt in n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]:
            parts = (elt.lower, elt.upper, elt.step) if isinstance(elt, ast.Slice) else (elt,)
            ints = [None if p is None else _int_literal(p) for p in parts]
            bad = [p for p, k in zip(parts, ints, strict=True) if p is not None and k is None]
            if isinstance(elt, ast.Constant) and elt.value is Ellipsis:
                key.append(Ellipsis)
            elif bad:
                what = f"index {snippet(self.text, bad[0])!r} is not a literal int or slice"
                raise self.fail(bad[0], what, _INDEX_HINT, cls=NotSupportedError)
            else:
                key.append(slice(*ints) if isinstance(elt, ast.Slice) else ints[0])
        return inner[tuple(key)]

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
            n, f"expected a size (an int or a dimension name), got {snippet(self.text, n)!r}"
        )

    def call(self, n: ast.Call) -> nodes.Expr:
        if not isinstance(n.func, ast.Name):
            raise self.fail(
                n,
                f"cannot call {snippet(self.text, n.func)!r}",
                "only the functions of the language can be called, such as tr(X)",
            )
        fn = n.func.id
        if fn in MATRIX_FUNCTIONS and fn not in self.shapes:
            raise self.matrix_function(n.func, fn)
        declared = NAMED.get(fn)
        if declared is None:
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
        allowed = declared.keywords
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
        lo, hi = declared.arity
        args = list(n.args)
        if any(isinstance(a, ast.Starred) for a in args):
            raise self.fail(n, f"{fn}(): '*' unpacking is not supported")
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise self.fail(
                n, f"{fn}() takes {want} argument{'s' if hi > 1 else ''}, got {len(args)}"
            )
        return declared.build(_Call(self, fn, n, args, kwargs))


class _Call:
    """A parsed call as the declarations of :mod:`~matderiv.language.vocabulary` read it
    (implements :class:`~matderiv.language.vocabulary.Call`)."""

    def __init__(
        self, parser: _Parser, name: str, n: ast.Call, args: list[ast.expr], kw: dict[str, ast.AST]
    ) -> None:
        self.parser, self.name, self.n, self.args, self.kw = parser, name, n, args, kw

    def arg(self, i: int) -> nodes.Expr:
        return self.parser.node(self.args[i])

    def count(self) -> int:
        return len(self.args)

    def text(self, i: int) -> str:
        return snippet(self.parser.text, self.args[i])

    def fail(
        self,
        i: int | None,
        message: str,
        hint: str = "",
        cls: type[MatderivError] = ParseError,
    ) -> MatderivError:
        return self.parser.fail(self.n if i is None else self.args[i], message, hint, cls)

    def axis(self, default: int | None, tuples: bool = False) -> int | tuple[int, ...] | None:
        if "axis" not in self.kw:
            return default
        return self._axis(self.kw["axis"], tuples)

    def _axis(self, n: ast.AST, tuples: bool) -> int | tuple[int, ...] | None:
        fn, fail = self.name, self.parser.fail
        if isinstance(n, ast.Constant) and n.value is None:
            return None
        value = _int_literal(n)
        if value is not None:
            return value
        if isinstance(n, ast.Tuple) and tuples:
            out: list[int] = []
            for elt in n.elts:
                a = _int_literal(elt)
                if a is None:
                    raise fail(elt, f"{fn}: axis entries must be ints")
                out.append(a)
            return tuple(out)
        raise fail(
            n,
            f"{fn}: axis must be an int{' or a tuple of ints' if tuples else ''} "
            f"or None, got {snippet(self.parser.text, n)!r}",
        )

    def keepdims(self) -> bool:
        n = self.kw.get("keepdims")
        if n is None:
            return False
        if isinstance(n, ast.Constant) and isinstance(n.value, bool):
            return n.value
        raise self.parser.fail(
            n, f"{self.name}: keepdims must be True or False, got {snippet(self.parser.text, n)!r}"
        )

    def size(self, i: int) -> Dim:
        return self.parser.dim(self.args[i])

    def sizes(self, i: int) -> tuple[Dim, ...]:
        target = self.args[i]
        if isinstance(target, ast.Tuple):
            return tuple(self.parser.dim(e) for e in target.elts)
        return (self.parser.dim(target),)

    def items(self, i: int) -> tuple[nodes.Expr, ...]:
        target = self.args[i]
        if not isinstance(target, ast.List | ast.Tuple):
            raise self.fail(i, f"{self.name} takes a list of arrays, such as {self.name}([A, B])")
        return tuple(self.parser.node(e) for e in target.elts)

    def shape(self, i: int) -> tuple[Dim, ...]:
        target = self.args[i]
        elts = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
        return tuple(-1 if _int_literal(e) == -1 else self._product(e) for e in elts)

    def _product(self, n: ast.AST) -> Dim:
        """A size, or a product of sizes as printed (``2*N``)."""
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
            return dim_product((self._product(n.left), self._product(n.right)))
        return self.parser.dim(n)

    def literal(self, i: int) -> object:
        n = self.args[i]
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            return n.value
        return _int_literal(n)


_INDEX_HINT = (
    "matderiv takes numpy's basic indexing with literal ints and slices, such as X[:, 0], "
    "x[1:3] or X[-1]; index arrays, masks, names and None (newaxis) are not supported"
)


def _int_literal(n: ast.AST) -> int | None:
    """An int literal, with its sign (``-1``); None for anything else (True is no int)."""
    neg = isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub)
    value = n.operand if isinstance(n, ast.UnaryOp) and neg else n
    if (
        isinstance(value, ast.Constant)
        and isinstance(value.value, int)
        and not isinstance(value.value, bool)
    ):
        return -value.value if neg else value.value
    return None


def _depth(node: ast.AST) -> int:
    best, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        if d > MAX_DEPTH:
            return d
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(n))
    return best


def parse(
    text: str, shapes: Mapping[str, nodes.Expr | Structured | tuple[Dim, ...]] | None = None
) -> nodes.Expr:
    """Parse expression text into a typed expression tree.

    Parameters
    ----------
    text : str
        The expression, in the numpy-like language of the documentation.
    shapes : dict
        ``{name: shape}`` for every variable; a value may also be an expression from
        :func:`matderiv.var`, or a shape with a structure, ``md.structured(("n", "n"),
        "symmetric")`` (:mod:`matderiv.language.structure`).

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
