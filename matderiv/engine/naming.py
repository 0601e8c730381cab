"""Named intermediates: a matrix form with its repeated sub-expressions given short names.

``(softmax(Q K^T) * G V^T) K - diag(sum(G * softmax(Q K^T) V, axis=1)) softmax(Q K^T) K`` reads
better as ``(P * G V^T) K - diag(sum(G * P V, axis=1)) P K where P = softmax(Q K^T)``.
:func:`abbreviate` finds the sub-expressions that occur at least twice in a form (counting the
definitions already made), names the longest first, and repeats up to :data:`MAX_NAMES`
times. A name says what the sub-expression is where it can: ``P`` a softmax, ``R`` a residual
(a sum with a subtracted term), ``H`` an elementwise function (an activation), ``Z`` any other
sum (a pre-activation), ``E`` anything else; lower case for a vector. A name never equals a
variable, a size or another name of the form (``P1``, ``P2``, … when ``P`` is taken).

The full form stays what :attr:`matderiv.Derivative.matrix` prints (it parses back); the named
version is for reading: substituting each definition back gives the full form.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..language import nodes
from ..language.printing import to_latex, to_text
from . import matrixform as mf
from .formprint import form_latex, form_text

__all__ = ["MAX_NAMES", "MIN_LENGTH", "Abbreviated", "abbreviate"]

#: At most this many names per form.
MAX_NAMES = 4
#: A sub-expression printed shorter than this is not worth a name (``X w`` stays).
MIN_LENGTH = 8


@dataclass(frozen=True)
class Abbreviated:
    """A form whose repeated sub-expressions are variables, with their definitions (innermost
    first: a later definition may use an earlier name)."""

    form: mf.MForm
    names: tuple[tuple[nodes.Var, nodes.Expr], ...]

    def text(self) -> str:
        """``(P * G V^T) K where P = softmax(Q K^T)`` (the bare form when nothing is named)."""
        body = form_text(self.form)
        if not self.names:
            return body
        return body + " where " + ", ".join(f"{v.name} = {to_text(e)}" for v, e in self.names)

    def latex(self) -> str:
        r"""The same in LaTeX, the definitions after ``\quad\text{where}``."""
        body = form_latex(self.form)
        if not self.names:
            return body
        defs = r",\; ".join(f"{to_latex(v)} = {to_latex(e)}" for v, e in self.names)
        return body + r" \quad\text{where}\quad " + defs


def abbreviate(form: mf.MForm, avoid: set[str]) -> Abbreviated:
    """Name the repeated sub-expressions of ``form``; ``avoid``: names already in use (the
    variables and sizes of the expression)."""
    taken = set(avoid) | _names_in(form)
    defs: list[tuple[nodes.Var, nodes.Expr]] = []
    for _ in range(MAX_NAMES):
        counts: Counter[nodes.Expr] = Counter(_occurrences(form))
        for _, e in defs:
            counts.update(e.walk())
        chosen = [e for e, c in counts.items() if c >= 2 and _worth_a_name(e)]
        if not chosen:
            break
        target = max(chosen, key=lambda e: (len(to_text(e)), to_text(e)))
        name = nodes.Var(_pick_name(target, taken), target.shape)
        taken.add(name.name)
        form = _subst(form, target, name)
        defs = [(v, _subst(e, target, name)) for v, e in defs]
        defs.append((name, target))
    return _numbered(Abbreviated(form, tuple(reversed(defs))), taken)


def _numbered(a: Abbreviated, taken: set[str]) -> Abbreviated:
    """Names of one letter numbered in reading order: ``Z1 = X W1 + b1, Z2 = tanh(Z1) W2``."""
    letters = Counter(v.name.rstrip("0123456789") for v, _ in a.names)
    form, names = a.form, list(a.names)
    for n, (v, _) in enumerate(list(names)):
        letter = v.name.rstrip("0123456789")
        if letters[letter] < 2:
            continue
        k = 1 + sum(1 for w, _ in names[:n] if w.name.rstrip("0123456789") == letter)
        want = f"{letter}{k}"
        if want == v.name or want in taken:
            continue
        new = nodes.Var(want, v.shape)
        taken.add(want)
        form = _subst(form, v, new)
        names = [(new if w == v else w, _subst(e, v, new)) for w, e in names]
    return Abbreviated(form, tuple(names))


def _occurrences(f: Any) -> Iterator[nodes.Expr]:
    if isinstance(f, nodes.Expr):
        yield from f.walk()
    elif isinstance(f, mf.MForm):
        for field in dataclasses.fields(f):
            yield from _occurrences(getattr(f, field.name))
    elif isinstance(f, tuple):
        for item in f:
            yield from _occurrences(item)


def _names_in(form: mf.MForm) -> set[str]:
    out: set[str] = set()
    for e in _occurrences(form):
        if isinstance(e, nodes.Var | nodes.Size):
            out.add(e.name)
    return out


def _worth_a_name(e: nodes.Expr) -> bool:
    if isinstance(e, nodes.Var | nodes.Const | nodes.Size | nodes.Pi | nodes.Eye | nodes.Ones):
        return False
    if isinstance(e, nodes.Transpose) and isinstance(e.arg, nodes.Var):
        return False
    return len(to_text(e)) >= MIN_LENGTH


def _kind_letter(e: nodes.Expr) -> str:
    if isinstance(e, nodes.Softmax):
        return "P"
    if isinstance(e, nodes.Add):
        negative = any(
            isinstance(a, nodes.Mul)
            and any(isinstance(c, nodes.Const) and c.value < 0 for c in a.args)
            for a in e.args
        )
        return "R" if negative else "Z"
    if isinstance(e, nodes.Func):
        return "H"
    return "E"


def _subtracted(a: nodes.Expr) -> bool:
    return isinstance(a, nodes.Mul) and any(
        isinstance(c, nodes.Const) and c.value < 0 for c in a.args
    )


def _pick_name(e: nodes.Expr, taken: set[str]) -> str:
    letter = _kind_letter(e)
    letter = letter.lower() if e.ndim == 1 else letter
    if letter not in taken:
        return letter
    n = 1
    while f"{letter}{n}" in taken:
        n += 1
    return f"{letter}{n}"


def _subst(f: Any, target: nodes.Expr, name: nodes.Var) -> Any:
    """``f`` (an expression, a form, or a tuple of them) with ``target`` replaced by ``name``."""
    if isinstance(f, nodes.Expr):
        if f == target:
            return name
        changes = {}
        for field in dataclasses.fields(f):
            if not field.init:
                continue
            old = getattr(f, field.name)
            new = _subst(old, target, name)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(f, **changes) if changes else f
    if isinstance(f, mf.MForm):
        changes = {}
        for field in dataclasses.fields(f):
            old = getattr(f, field.name)
            new = _subst(old, target, name)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(f, **changes) if changes else f
    if isinstance(f, tuple):
        items = tuple(_subst(i, target, name) for i in f)
        return items if any(a is not b for a, b in zip(items, f, strict=True)) else f
    return f
