"""Printing expressions as plain text, Unicode, LaTeX and parseable code.

Four styles share one walk over the tree:

- ``text``: ASCII matrix notation as in the sources, ``2 X^T (X W - Y)`` (``*`` is Hadamard);
- ``unicode``: the same with ``ᵀ``, ``⁻¹`` and ``∘``, for terminals.
- ``latex``: for notebooks and the book.
- ``code``: the language itself, ``2 * X.T @ (X @ W - Y)``, which ``parse`` reads back equal.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Literal

from ..errors import NotSupportedError
from . import nodes
from .arrays import key_text
from .expression import install_printers

__all__ = [
    "Style",
    "format_number",
    "latex_name",
    "power_code",
    "to_code",
    "to_latex",
    "to_text",
    "to_unicode",
    "unicode_from_text",
]

Style = Literal["text", "latex", "code"]

ADD, MUL, UNARY, MATMUL, POW, POSTFIX, ATOM = 10, 20, 25, 30, 40, 50, 100

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}  # fmt: skip


def format_number(value: Fraction, style: Style = "text") -> str:
    """Return a rational number as an integer, a terminating decimal or a fraction.

    >>> format_number(Fraction(1, 2)), format_number(Fraction(1, 3)), format_number(Fraction(-4))
    ('0.5', '1/3', '-4')
    >>> format_number(Fraction(1, 3), "latex")
    '\\\\frac{1}{3}'
    """
    if value.denominator == 1:
        return str(value.numerator)
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        return repr(float(value)) if abs(float(value)) >= 1e-4 else str(float(value))
    if style == "latex":
        sign = "-" if value < 0 else ""
        return rf"{sign}\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    return f"{value.numerator}/{value.denominator}"


def power_code(value: Fraction) -> str:
    """An exponent as Python reads it after ``**``, exactly: ``2``, ``0.5``, ``(-2)``,
    ``(1/3)``, ``(-5/3)`` (``c ** -5/3`` would be ``(c ** -5) / 3``).

    >>> power_code(Fraction(-5, 3)), power_code(Fraction(2)), power_code(Fraction(1, 2))
    ('(-5/3)', '2', '0.5')
    """
    text = format_number(Fraction(value))
    return text if value >= 0 and "/" not in text else f"({text})"


def latex_name(name: str) -> str:
    """Return a variable name in LaTeX: ``W2`` → ``W_{2}``, ``theta`` → ``\\theta``.

    >>> latex_name("W2"), latex_name("theta"), latex_name("X"), latex_name("loss")
    ('W_{2}', '\\\\theta', 'X', '\\\\mathrm{loss}')
    """
    m = re.fullmatch(r"([A-Za-z]+?)_?(\d+)", name)
    if m:
        return f"{latex_name(m.group(1))}_{{{m.group(2)}}}"
    if name in _GREEK:
        return "\\" + name
    if len(name) == 1:
        return name
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


class Printer:
    def __init__(self, style: Style) -> None:
        self.style = style

    # helpers -----------------------------------------------------------
    def wrap(self, e: nodes.Expr, need: int) -> str:
        s, prec = self.p(e)
        if prec < need:
            return r"\left(" + s + r"\right)" if self.style == "latex" else f"({s})"
        return s

    def call(self, name: str, *args: str) -> str:
        if self.style == "latex":
            return name + r"\left(" + ", ".join(args) + r"\right)"
        return f"{name}({', '.join(args)})"

    def fn(self, text_name: str, latex: str) -> str:
        return latex if self.style == "latex" else text_name

    # dispatch ----------------------------------------------------------
    def p(self, e: nodes.Expr) -> tuple[str, int]:
        """Print ``e``: the method ``p_<class>`` of its class or, failing that, of the nearest
        base class (``p_Unary`` prints every declared named function)."""
        for cls in type(e).__mro__:
            method = getattr(self, "p_" + cls.__name__, None)
            if method is not None:
                result: tuple[str, int] = method(e)
                return result
        raise NotSupportedError(f"cannot print a {type(e).__name__} node")

    def p_Var(self, e: nodes.Var) -> tuple[str, int]:
        return (latex_name(e.name) if self.style == "latex" else e.name), ATOM

    def p_Const(self, e: nodes.Const) -> tuple[str, int]:
        s = format_number(e.value, self.style)
        if e.value < 0:
            return s, UNARY
        return s, (ATOM if e.value.denominator == 1 or "." in s else MUL)

    def p_Pi(self, e: nodes.Pi) -> tuple[str, int]:
        return (r"\pi" if self.style == "latex" else "pi"), ATOM

    def p_Size(self, e: nodes.Size) -> tuple[str, int]:
        return (latex_name(e.name) if self.style == "latex" else e.name), ATOM

    def p_Add(self, e: nodes.Add) -> tuple[str, int]:
        parts: list[str] = []
        for i, arg in enumerate(e.args):
            arg = _flat_mul(arg) if isinstance(arg, nodes.Mul) else arg
            neg = _negated(arg)
            if neg is not None and i > 0:
                parts.append(" - " + self.wrap(neg, ADD + 1))
            else:
                parts.append((" + " if i else "") + self.wrap(arg, ADD + (1 if i else 0)))
        return "".join(parts), ADD

    def p_Mul(self, e: nodes.Mul) -> tuple[str, int]:
        flat = _flat_mul(e)
        if flat is not e:
            return self.p(flat)
        neg = _negated(e)
        if neg is not None:
            return "-" + self.wrap(neg, MUL), UNARY
        num = [a for a in e.args if _denominator(a) is None]
        den = [d for d in map(_denominator, e.args) if d is not None]
        if den and self.style != "code":
            top = (
                self.p(nodes.Mul(tuple(num)))
                if len(num) > 1
                else (self.p(num[0]) if num else ("1", ATOM))
            )
            if self.style == "latex":
                bottom = self.p(nodes.Mul(tuple(den)))[0] if len(den) > 1 else self.p(den[0])[0]
                return rf"\frac{{{top[0]}}}{{{bottom}}}", POW  # a base of ^ gets parentheses
            topstr = top[0] if top[1] >= MUL else f"({top[0]})"
            bottom_e = nodes.Mul(tuple(den)) if len(den) > 1 else den[0]
            bottom = self.wrap(bottom_e, MUL + 1)
            if bottom.startswith("-"):  # 1 / (-a a), never 1 / -a a
                bottom = f"({bottom})"
            return f"{topstr} / {bottom}", MUL
        if self.style == "code":
            out = self.wrap(e.args[0], MUL)
            for arg in e.args[1:]:
                out += " * " + self.wrap(arg, MUL + 1)
            return out, MUL
        scalars = [a for a in e.args if a.ndim == 0]
        arrays = [a for a in e.args if a.ndim > 0]
        pieces = [self.wrap(a, MUL + 1 if a is not e.args[0] else MUL) for a in scalars]
        # juxtaposed, a factor that starts with a minus would read as a subtraction
        for n, piece in enumerate(pieces):
            if n and piece.startswith("-"):
                pieces[n] = rf"\left({piece}\right)" if self.style == "latex" else f"({piece})"
        if arrays:
            sep = r" \odot " if self.style == "latex" else " * "
            had = sep.join(self.wrap(a, MATMUL if len(arrays) == 1 else MUL + 1) for a in arrays)
            pieces.append(had)
        sep = r"\, " if self.style == "latex" else " "
        return sep.join(pieces), MUL

    def p_Pow(self, e: nodes.Pow) -> tuple[str, int]:
        if self.style == "code":
            return f"{self.wrap(e.base, POW + 1)} ** {self.wrap(e.exponent, POW)}", POW
        if (
            isinstance(e.exponent, nodes.Const)
            and e.exponent.value == Fraction(1, 2)
            and self.style == "latex"
        ):
            return rf"\sqrt{{{self.p(e.base)[0]}}}", ATOM
        exp_s = self.p(e.exponent)[0]
        base = self.wrap(e.base, POSTFIX)
        if self.style == "latex":
            mark = r"\circ " if e.base.ndim else ""
            return f"{base}^{{{mark}{exp_s}}}", POW
        if e.base.ndim:
            return f"{base}**{self.wrap(e.exponent, ATOM)}", POW
        return (
            f"{base}^{self.wrap(e.exponent, ATOM) if len(exp_s) == 1 else '{' + exp_s + '}'}",
            POW,
        )

    def p_MatMul(self, e: nodes.MatMul) -> tuple[str, int]:
        if self.style == "code":
            return f"{self.wrap(e.left, MUL)} @ {self.wrap(e.right, MUL + 1)}", MUL
        items = _chain(e)
        out: list[str] = []
        for i, (item, k) in enumerate(_runs(items)):
            if i == 0 and item.ndim == 1 and len(items) > 1:
                out.append(self.p_Transpose(nodes.Transpose(item), force=True)[0])
            elif k > 1:  # X X X as X^3, as the sources write a matrix power
                out.append(self._matrix_power(item, k))
            elif isinstance(item, nodes.Outer):  # A (u v^T) is A u v^T
                out.append(self.p(item)[0])
            else:
                out.append(self.wrap(item, MATMUL + 1))
        sep = r"\, " if self.style == "latex" else " "
        return sep.join(out), (POSTFIX if len(out) == 1 else MATMUL)  # X^7 alone is a power

    def _matrix_power(self, base: nodes.Expr, k: int) -> str:
        """``X^k`` (text and LaTeX), ``S^{-k}`` for a power of an inverse."""
        if isinstance(base, nodes.Inv):
            return f"{self.wrap(base.arg, ATOM)}^{{-{k}}}"
        b = self.wrap(base, POSTFIX + 1)
        return f"{b}^{{{k}}}" if self.style == "latex" else f"{b}^{k}"

    def p_Transpose(self, e: nodes.Transpose, force: bool = False) -> tuple[str, int]:
        if self.style == "code":
            return f"{self.wrap(e.arg, ATOM)}.T", ATOM
        mark = r"\top" if self.style == "latex" else "T"
        if isinstance(e.arg, nodes.Inv):
            inner = self.wrap(e.arg.arg, ATOM)
            return f"{inner}^{{-{mark}}}", POSTFIX
        return (
            f"{self.wrap(e.arg, ATOM)}^{{{mark}}}"
            if self.style == "latex"
            else f"{self.wrap(e.arg, ATOM)}^T",
            POSTFIX,
        )

    def p_Func(self, e: nodes.Func) -> tuple[str, int]:
        spec = e.spec
        if self.style == "code" and spec.spelled is not None:  # in functions users can write
            spelled = spec.spelled(e.arg)
            assert isinstance(spelled, nodes.Expr)
            return self.p(spelled)
        if self.style == "latex":
            if "{x}" in spec.latex:
                return spec.latex.format(x=self.p(e.arg)[0]), ATOM
            return self.call(spec.latex, self.p(e.arg)[0]), ATOM
        return self.call(e.name, self.p(e.arg)[0]), ATOM

    def p_Reduce(self, e: nodes.Reduce, keep: bool = False) -> tuple[str, int]:
        args = [self.p(e.arg)[0]]
        if e.axes is not None:
            axes = e.reduced
            ax = str(axes[0]) if len(axes) == 1 else "(" + ", ".join(map(str, axes)) + ")"
            args.append(f"axis={ax}")
        if keep and self.style != "latex":
            args.append("keepdims=True")
        return self.call(self.fn(e.op, rf"\operatorname{{{e.op}}}"), *args), ATOM

    def p_KeepDims(self, e: nodes.KeepDims) -> tuple[str, int]:
        if isinstance(e.arg, nodes.Reduce):
            return self.p_Reduce(e.arg, keep=True)
        assert isinstance(e.arg, nodes.LogSumExp)
        return self.p_LogSumExp(e.arg, keep=True)

    def _unary(self, name: str, latex: str, arg: nodes.Expr) -> tuple[str, int]:
        return self.call(self.fn(name, latex), self.p(arg)[0]), ATOM

    def p_Unary(self, e: nodes.Unary) -> tuple[str, int]:
        if self.style == "latex" and "{x}" in e.latex:
            return e.latex.format(x=self.p(e.arg)[0]), ATOM
        if self.style != "latex" and e.spelled is not None:
            return e.spelled.format(x=self.p(e.arg)[0]), ATOM
        if self.style == "code" and not e.user:
            raise NotSupportedError(
                f"{e.name}({to_text(e.arg)}) is a factor of a derivative that the expression "
                "language cannot spell; evaluate or compile the derivative instead"
            )
        return self._unary(e.name, e.latex, e.arg)

    def p_Inv(self, e: nodes.Inv) -> tuple[str, int]:
        if self.style == "code":
            return self._unary("inv", "", e.arg)
        return f"{self.wrap(e.arg, ATOM)}^{{-1}}", POSTFIX

    def p_Softmax(self, e: nodes.Softmax) -> tuple[str, int]:
        args = [self.p(e.arg)[0]]
        # a vector has one axis: over all entries is along it, so axis=None is not printed
        if e.axis != e.arg.ndim - 1 and not (e.axis is None and e.arg.ndim == 1):
            args.append(f"axis={e.axis}")
        return self.call(self.fn("softmax", r"\operatorname{softmax}"), *args), ATOM

    def p_LogSumExp(self, e: nodes.LogSumExp, keep: bool = False) -> tuple[str, int]:
        args = [self.p(e.arg)[0]] + ([] if e.axis is None else [f"axis={e.axis}"])
        if keep and self.style != "latex":
            args.append("keepdims=True")
        return self.call(self.fn("logsumexp", r"\operatorname{logsumexp}"), *args), ATOM

    def p_Norm(self, e: nodes.Norm) -> tuple[str, int]:
        if self.style == "latex":
            sub = "_F" if e.arg.ndim == 2 else ""
            return rf"\left\lVert {self.p(e.arg)[0]} \right\rVert{sub}", ATOM
        return self._unary("norm", "", e.arg)

    def p_Outer(self, e: nodes.Outer) -> tuple[str, int]:
        if self.style != "code":  # u v^T, as the sources write an outer product
            left = self.wrap(e.left, MATMUL + 1)
            right = self.p_Transpose(nodes.Transpose(e.right))[0]
            return (r"\, " if self.style == "latex" else " ").join((left, right)), MATMUL
        name = self.fn("outer", r"\operatorname{outer}")
        return self.call(name, self.p(e.left)[0], self.p(e.right)[0]), ATOM

    def p_Kron(self, e: nodes.Kron) -> tuple[str, int]:
        if self.style == "latex":
            return f"{self.wrap(e.left, MATMUL + 1)} \\otimes {self.wrap(e.right, MATMUL + 1)}", MUL
        return self.call("kron", self.p(e.left)[0], self.p(e.right)[0]), ATOM

    def p_Eye(self, e: nodes.Eye) -> tuple[str, int]:
        if self.style == "code":
            return f"eye({e.n})", ATOM
        return "I", ATOM

    def p_Ones(self, e: nodes.Ones) -> tuple[str, int]:
        if self.style == "latex":
            return r"\mathbf{1}", ATOM
        shape = ", ".join(map(str, e.shape))
        return (f"ones(({shape}))" if len(e.shape) != 1 else f"ones({shape})"), ATOM

    def p_Einsum(self, e: nodes.Einsum) -> tuple[str, int]:
        args = [self.p(a)[0] for a in e.args]
        spec = (
            repr(e.spec)
            if self.style != "latex"
            else r"\texttt{" + e.spec.replace(">", r"{>}") + "}"
        )
        return self.call(self.fn("einsum", r"\operatorname{einsum}"), spec, *args), ATOM

    # rearranging arrays (issue 14) ------------------------------------------------------------
    def p_Subscript(self, e: nodes.Subscript) -> tuple[str, int]:
        key = key_text(e.key)
        if isinstance(e.arg, nodes.Eye) and isinstance(e.key[0], int) and self.style != "code":
            # a row of the identity: the unit vector e_k (counted from 0, as numpy does)
            k, n = e.key[0], e.arg.n
            sub = str(k) if k >= 0 else (f"{n}{k}" if isinstance(n, str) else str(n + k))
            return (f"e_{{{sub}}}" if self.style == "latex" or len(sub) > 1 else f"e_{sub}"), ATOM
        if self.style == "latex":
            return f"{self.wrap(e.arg, ATOM)}_{{[{key.replace(' ', '')}]}}", ATOM
        return f"{self.wrap(e.arg, ATOM)}[{key}]", ATOM

    def p_Reshape(self, e: nodes.Reshape) -> tuple[str, int]:
        shape = (
            "(" + ", ".join(map(str, e.new_shape)) + ("," if len(e.new_shape) == 1 else "") + ")"
        )
        return self.call(
            self.fn("reshape", r"\operatorname{reshape}"), self.p(e.arg)[0], shape
        ), ATOM

    def p_Join(self, e: nodes.Join) -> tuple[str, int]:
        parts = [self.p(a)[0] for a in e.args]
        if self.style == "latex":
            if e.kind == "concatenate" and e.axis <= 1 and e.args[0].ndim <= 2:
                sep = r" \\ " if e.axis == 0 else " & "
                return r"\begin{bmatrix} " + sep.join(parts) + r" \end{bmatrix}", ATOM
            listed = r"\left[" + ", ".join(parts) + r"\right]"
            return self.call(rf"\operatorname{{{e.kind}}}", listed, f"{e.axis}"), ATOM
        args = ["[" + ", ".join(parts) + "]"] + ([f"axis={e.axis}"] if e.axis else [])
        return self.call(e.kind, *args), ATOM

    def p_FrechetApply(self, e: nodes.FrechetApply) -> tuple[str, int]:
        latex = rf"L_{{\operatorname{{{e.function}}}}}"
        return self.call(self.fn(e.name, latex), self.p(e.arg)[0], self.p(e.direction)[0]), ATOM

    def p_Extremum(self, e: nodes.Extremum) -> tuple[str, int]:
        name = self.fn(e.op, r"\max" if e.op == "maximum" else r"\min")
        return self.call(name, self.p(e.left)[0], self.p(e.right)[0]), ATOM


def _runs(items: list[nodes.Expr]) -> list[tuple[nodes.Expr, int]]:
    """Runs of equal square matrices in a product, each with its length."""
    runs: list[tuple[nodes.Expr, int]] = []
    for item in items:
        if runs and runs[-1][0] == item and item.ndim == 2:
            runs[-1] = (item, runs[-1][1] + 1)
        else:
            runs.append((item, 1))
    return runs


def _chain(e: nodes.Expr) -> list[nodes.Expr]:
    if isinstance(e, nodes.MatMul):
        return _chain(e.left) + _chain(e.right)
    return [e]


def _flat_mul(e: nodes.Mul) -> nodes.Expr:
    """``e`` with nested products flattened and its constants multiplied into one leading
    constant (``a * (-2)`` as ``-2 a``, ``(a / b) * c`` as ``a c / b``); ``e`` itself when
    there is nothing to change."""
    args: list[nodes.Expr] = []
    stack = list(reversed(e.args))
    while stack:
        a = stack.pop()
        if isinstance(a, nodes.Mul):
            stack.extend(reversed(a.args))
        else:
            args.append(a)
    coeff = Fraction(1)
    for a in args:
        if isinstance(a, nodes.Const):
            coeff *= a.value
    rest = [a for a in args if not isinstance(a, nodes.Const)]
    keep = coeff != 1 or not rest or all(_is_reciprocal(a) for a in rest)
    flat = ([nodes.Const(coeff)] if keep else []) + rest
    if tuple(flat) == e.args:
        return e
    return flat[0] if len(flat) == 1 else nodes.Mul(tuple(flat))


def _negated(e: nodes.Expr) -> nodes.Expr | None:
    """If ``e`` is ``-c * rest`` with ``c > 0`` return ``c * rest``, else None."""
    if isinstance(e, nodes.Const) and e.value < 0:
        return nodes.Const(-e.value)
    if isinstance(e, nodes.Mul) and isinstance(e.args[0], nodes.Const) and e.args[0].value < 0:
        c = -e.args[0].value
        rest = e.args[1:]
        if c == 1:
            return rest[0] if len(rest) == 1 else nodes.Mul(rest)
        return nodes.Mul((nodes.Const(c), *rest))
    return None


def _denominator(e: nodes.Expr) -> nodes.Expr | None:
    """What a factor ``b ** (-k)`` (k > 0) puts under a fraction bar (``b ** k``), else None."""
    k = e.exponent if isinstance(e, nodes.Pow) else None
    if not isinstance(e, nodes.Pow) or not isinstance(k, nodes.Const) or k.value >= 0:
        return None
    return e.base if k.value == -1 else nodes.Pow(e.base, nodes.Const(-k.value))


def _is_reciprocal(e: nodes.Expr) -> bool:
    return isinstance(e, nodes.Pow) and _denominator(e) is e.base


def to_text(e: nodes.Expr) -> str:
    """Return matrix notation in ASCII: ``2 X^T (X W - Y)``."""
    return Printer("text").p(e)[0]


def to_latex(e: nodes.Expr) -> str:
    """Return LaTeX for an expression (without surrounding ``$``)."""
    return Printer("latex").p(e)[0]


def to_code(e: nodes.Expr) -> str:
    """Return the expression in the expression language, which parses back to it."""
    return Printer("code").p(e)[0]


_UNICODE = [
    ("^{-T}", "⁻ᵀ"),
    ("^{-1}", "⁻¹"),
    ("^T", "ᵀ"),
    (" * ", " ∘ "),
    ("^2", "²"),
    ("**2", "²"),
]


def unicode_from_text(text: str) -> str:
    """Return plain-text matrix notation with Unicode marks (``Xᵀ``, ``X⁻¹``, ``∘``).

    >>> unicode_from_text("2 X^T (X W - Y) + A^{-T} * B")
    '2 Xᵀ (X W - Y) + A⁻ᵀ ∘ B'
    """
    for old, new in _UNICODE:
        text = text.replace(old, new)
    return text


def to_unicode(e: nodes.Expr) -> str:
    """Return matrix notation with Unicode marks, for terminals."""
    return unicode_from_text(to_text(e))


install_printers(text=to_text, code=to_code, latex=to_latex)
