"""Printing matrix forms as text or LaTeX, the way the sources write them: ``2 X^T (X W - Y)``."""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from ..errors import unknown_kind
from ..language import nodes
from ..language.printing import ADD, ATOM, MATMUL, MUL, POSTFIX, UNARY, Printer, format_number
from .matrixform import (
    SCALAR_OPS,
    Atom,
    Chain,
    DiagOf,
    Hadamard,
    Identity,
    KronOf,
    MatPow,
    MForm,
    MSum,
    OnesVec,
    ScalarOf,
    Scaled,
    VecOf,
    unknown_form,
)

__all__ = ["form_latex", "form_length", "form_text", "printed_length"]

Text = Literal["text", "latex"]


class _FormPrinter:
    def __init__(self, style: Text) -> None:
        self.style = style
        self.ep = Printer(style)

    def paren(self, f: MForm, need: int) -> str:
        s, prec = self.p(f)
        if prec < need:
            return r"\left(" + s + r"\right)" if self.style == "latex" else f"({s})"
        return s

    def p(self, f: MForm) -> tuple[str, int]:
        latex = self.style == "latex"
        top = r"^{\top}" if latex else "^T"
        match f:
            case Atom():
                e = f.expr
                if not f.t:
                    return self.ep.p(e)
                if e.ndim == 2:
                    return self.ep.p_Transpose(nodes.Transpose(e))
                return self.ep.wrap(e, ATOM) + top, POSTFIX
            case Identity():
                return "I", ATOM
            case OnesVec():
                one = r"\mathbf{1}" if latex else f"ones({f.dim})"
                return (one + top, POSTFIX) if f.t else (one, ATOM)
            case MatPow():
                return self._power(f)
            case Chain():
                sep = r"\, " if latex else " "
                return sep.join(self.paren(i, MATMUL + 1) for i in f.items), MATMUL
            case Hadamard():
                sep = r" \odot " if latex else " * "
                return sep.join(self.paren(i, MUL + 1) for i in f.items), MUL
            case DiagOf() | VecOf():
                name = "diag" if isinstance(f, DiagOf) else "vec"
                text = self._call(rf"\operatorname{{{name}}}" if latex else name, self.p(f.arg)[0])
                return (text + top, POSTFIX) if f.t else (text, ATOM)
            case KronOf():
                if latex:
                    left, right = self.paren(f.left, MATMUL + 1), self.paren(f.right, MATMUL + 1)
                    return f"{left} \\otimes {right}", MUL
                return f"kron({self.p(f.left)[0]}, {self.p(f.right)[0]})", ATOM
            case ScalarOf():
                return self._scalar_of(f)
            case Scaled():
                return self._scaled(f)
            case MSum():
                parts: list[str] = []
                for n, t in enumerate(f.terms):
                    if isinstance(t, Scaled) and t.coeff < 0:
                        s = self.paren(Scaled(-t.coeff, t.scalars, t.body), ADD + 1)
                        parts.append(("-" if n == 0 else " - ") + s)
                    else:
                        parts.append((" + " if n else "") + self.paren(t, ADD + 1))
                return "".join(parts), ADD
        raise unknown_form(f)

    def _scalar_of(self, f: ScalarOf) -> tuple[str, int]:
        match f.op:
            case "dim":
                return f.name, ATOM
            case "tr" | "sum":
                assert f.arg is not None
                name = rf"\operatorname{{{f.op}}}" if self.style == "latex" else f.op
                return self._call(name, self.p(f.arg)[0]), ATOM
            case _:
                unknown_kind(f.op, "scalar of a form", SCALAR_OPS)

    def _call(self, name: str, arg: str) -> str:
        if self.style == "latex":
            return name + r"\left(" + arg + r"\right)"
        return f"{name}({arg})"

    def _scalar(self, f: MForm, power: Fraction) -> str:
        need = MATMUL + 1 if isinstance(f, Atom | ScalarOf) else ATOM
        base = self.paren(f, need if power == 1 else POSTFIX + 1)
        if power == 1:
            return base
        p = format_number(power, self.style)
        return f"{base}^{{{p}}}" if self.style == "latex" or len(p) > 1 else f"{base}^{p}"

    def _scaled(self, f: Scaled) -> tuple[str, int]:
        if f.coeff == 1 and not f.scalars and f.body is not None:  # 1 A is A: no parentheses
            return self.p(f.body)
        latex = self.style == "latex"
        sep = r"\, " if latex else " "
        num = [self._scalar(s, p) for s, p in f.scalars if p > 0]
        den = [self._scalar(s, -p) for s, p in f.scalars if p < 0]
        c = abs(f.coeff)
        sign = "-" if f.coeff < 0 else ""
        alone = not num and c == 1 and bool(den)  # g * x / s needs no parentheses
        body = None if f.body is None else self.paren(f.body, MUL if alone else MATMUL)
        if latex and (den or c.denominator != 1):
            top = sep.join(([str(c.numerator)] if c.numerator != 1 or not num else []) + num) or "1"
            bottom = sep.join(([str(c.denominator)] if c.denominator != 1 else []) + den)
            lead = rf"\frac{{{top}}}{{{bottom}}}"
            s = sep.join([lead] + ([body] if body else []))
            return sign + s, (UNARY if sign else MUL)
        # sums such as sum(y) read best after the vector they scale: softmax(z) sum(y)
        after = [self._scalar(s, p) for s, p in f.scalars if p > 0 and _trails(s)] if body else []
        num = [n for n in num if n not in after]
        pieces: list[str] = []
        if c != 1 or (not num and body is None):
            pieces.append(format_number(c, self.style))
        pieces.extend(num)
        if body is not None:
            pieces.append(body)
        pieces.extend(after)
        s = sep.join(pieces)
        if den:
            s += " / " + (den[0] if len(den) == 1 else "(" + " ".join(den) + ")")
        if not sign and len(pieces) == 1 and not den and body is not None:
            return s, self.p(f.body)[1] if f.body is not None else ATOM
        return sign + s, (UNARY if sign else MUL)

    def _power(self, f: MatPow) -> tuple[str, int]:
        """``X^15``, ``(X^T)^15``; a power of an inverse as ``S^{-2}``."""
        k, base = str(f.k), f.base
        if isinstance(base, Atom) and isinstance(base.expr, nodes.Inv) and not base.t:
            return f"{self.ep.wrap(base.expr.arg, ATOM)}^{{-{k}}}", POSTFIX
        b = self.paren(base, POSTFIX + 1)
        return (f"{b}^{{{k}}}" if self.style == "latex" else f"{b}^{k}"), POSTFIX


def _trails(s: MForm) -> bool:
    return (isinstance(s, Atom) and isinstance(s.expr, nodes.Reduce)) or (
        isinstance(s, ScalarOf) and s.op == "sum"
    )


def form_text(f: MForm) -> str:
    """Return a form as plain text, e.g. ``2 X^T (X W - Y)``."""
    return _FormPrinter("text").p(f)[0]


def form_latex(f: MForm) -> str:
    """Return a form as LaTeX."""
    return _FormPrinter("latex").p(f)[0]


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*'*|\d+(?:\.\d+)?(?:e[-+]?\d+)?|\*\*|\S")


def printed_length(text: str) -> int:
    """The number of tokens of a printed form: a name such as ``sigmoid`` or ``X`` counts one, a
    number counts one, ``**`` counts one, and every other character that is not a space (an
    operator, a bracket, a comma, ``^``) counts one.

    >>> printed_length("X^T (sigmoid(X w) - y)")
    12
    """
    return len(_TOKEN.findall(text))


@lru_cache(maxsize=4096)
def form_length(f: MForm) -> tuple[int, int]:
    """How long a form reads: its printed tokens (:func:`printed_length`), then its characters
    (the tie-break). The simplifier keeps a rewrite only when this gets smaller."""
    text = form_text(f)
    return printed_length(text), len(text)
