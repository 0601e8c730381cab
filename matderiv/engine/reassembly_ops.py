"""Sums over one axis of a matrix form, written the way a textbook writes them.

Reassembly meets ``Σ_k M[k, j]`` (a sum over one axis of a matrix-valued form) and
``Σ_k A[j, k] B[k, j]`` (the diagonal of a product, whose off-diagonal entries are never
needed). Both are written as ``sum(M, axis=0)``: ``diag(A B)`` becomes
``sum(A^T * B, axis=0)``, the column sum of a Hadamard product, which parses back, costs one
pass over the entries and is what a backpropagation text prints for a bias gradient.

The sum is an :class:`~matderiv.engine.matrixform.Atom` of a ``sum(…, axis=…)`` expression
built with :func:`~matderiv.engine.matrixform.form_expr`, so every printer, evaluator and
simplifier already reads it. When the inner form has no expression of the language (a column
times a matrix), the callers keep their previous form (``M^T ones`` or ``diag(A B)``).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from ..errors import NotSupportedError
from ..language.expression import Transpose, Var
from ..language.functions import Reduce
from . import matrixform as mf

__all__ = [
    "axis_sum",
    "best_axis_sum",
    "factor_common",
    "factor_left",
    "hadamard_axis_sum",
    "readability",
]


def axis_sum(form: mf.MForm, axis: int) -> mf.MForm | None:
    """``sum(form, axis=axis)`` as a column (None when ``form`` has no 2-D expression).

    A product gives its sum to its end factor: ``sum(A B, axis=0) = B^T sum(A, axis=0)``
    (``1^T A B``) and ``sum(A B, axis=1) = A sum(B, axis=1)`` (``A B 1``), so the sum is taken
    over the fewest entries and the matrix stays outside, as in ``S^{-1} sum(X - mu, axis=0)``.
    """
    if isinstance(form, mf.Chain):
        end = form.items[0] if axis == 0 else form.items[-1]
        inner = _atom_sum(end, axis)
        if inner is not None:
            if axis == 0:
                rest = [mf.transpose(i) for i in reversed(form.items[1:])]
                return mf.Chain((*rest, inner))
            return mf.Chain((*form.items[:-1], inner))
    return _atom_sum(form, axis)


def best_axis_sum(form: mf.MForm) -> mf.MForm | None:
    """``Σ_k form[k, j]`` as a column over j, written ``sum(form, axis=0)`` or, when that
    prints fewer transposes, ``sum(form^T, axis=1)``."""
    best: mf.MForm | None = None
    for got in (axis_sum(form, 0), axis_sum(mf.transpose(form), 1)):
        if got is not None and (best is None or readability(got) < readability(best)):
            best = got
    return best


def _atom_sum(form: mf.MForm, axis: int) -> mf.Atom | None:
    try:
        e = mf.form_expr(form)
    except NotSupportedError:
        return None
    if e.ndim != 2:
        return None
    return mf.Atom(Reduce("sum", e, axis))


def hadamard_axis_sum(
    a_k_first: mf.MForm, b_k_first: mf.MForm, a_j_first: mf.MForm, b_j_first: mf.MForm
) -> mf.MForm | None:
    """``Σ_k A[k, j] B[k, j]`` as a column over j: ``sum(A * B, axis=0)``.

    Both operands are given in both orientations (k as rows, then j as rows); the orientation
    that prints fewer transposes wins (the first on a tie). None when neither has an
    expression form.
    """
    best: mf.MForm | None = None
    for a, b, axis in ((a_k_first, b_k_first, 0), (a_j_first, b_j_first, 1)):
        got = axis_sum(mf.Hadamard(_flat(a, b)), axis)
        if got is not None and (best is None or readability(got) < readability(best)):
            best = got
    return best


def readability(f: mf.MForm) -> tuple[int, int]:
    """A cost to compare equal forms: transposes (a transposed compound expression such as
    ``tanh'(Z)^T`` counts twice, a textbook transposes variables), then the number of nodes.
    Counted on the tree, without printing."""
    cost = [0, 0]
    _count_cost(f, cost)
    return cost[0], cost[1]


def _count_cost(f: object, cost: list[int]) -> None:
    if isinstance(f, mf.Atom):
        for e in f.expr.walk():
            cost[1] += 1
            if isinstance(e, Transpose):
                cost[0] += 1 if isinstance(e.arg, Var) else 2
        if f.t and f.expr.ndim:
            cost[0] += 1 if isinstance(f.expr, Var) else 2
    elif isinstance(f, mf.MForm):
        cost[1] += 1
        if getattr(f, "t", False):
            cost[0] += 1
        for field in dataclasses.fields(f):
            _count_cost(getattr(f, field.name), cost)
    elif isinstance(f, tuple):
        for item in f:
            _count_cost(item, cost)


def _flat(a: mf.MForm, b: mf.MForm) -> tuple[mf.MForm, ...]:
    out: list[mf.MForm] = []
    for f in (a, b):
        out.extend(f.items if isinstance(f, mf.Hadamard) else (f,))
    return tuple(out)


# grouping terms -------------------------------------------------------------------------

_GroupKey = tuple[Fraction, tuple[tuple[mf.MForm, Fraction], ...], tuple[mf.MForm, ...]]


def factor_common(terms: list[mf.MForm]) -> list[mf.MForm]:
    """Group ``c M1 v + c M2 v`` into ``c (M1 + M2) v`` when each Mk is one matrix."""
    for side in ("suffix", "prefix", "suffix"):
        groups: dict[_GroupKey, list[tuple[int, mf.MForm]]] = {}
        for n, t in enumerate(terms):
            if not (
                isinstance(t, mf.Scaled) and isinstance(t.body, mf.Chain) and len(t.body.items) >= 2
            ):
                continue
            items = t.body.items
            head, tail = (items[0], items[1:]) if side == "suffix" else (items[-1], items[:-1])
            if _is_matrix(head):
                groups.setdefault((t.coeff, t.scalars, tail), []).append((n, head))
        for (coeff, scalars, tail), members in groups.items():
            if len(members) < 2:
                continue
            inner = mf.MSum(tuple(head for _, head in members))
            items2 = (inner, *tail) if side == "suffix" else (*tail, inner)
            first = members[0][0]
            gone = {n for n, _ in members[1:]}
            terms = [
                mf.Scaled(coeff, scalars, mf.Chain(items2)) if n == first else t
                for n, t in enumerate(terms)
                if n not in gone
            ]
            break
    return terms


def factor_left(terms: list[mf.MForm]) -> list[mf.MForm]:
    """For a vector result, group ``c1 M a + c2 M b`` into ``M (c1 a + c2 b)`` (a common
    coefficient moves outside): one product instead of two, and the form a person writes."""
    groups: dict[mf.MForm, list[int]] = {}
    for n, t in enumerate(terms):
        if not (isinstance(t, mf.Scaled) and isinstance(t.body, mf.Chain)):
            continue
        items = t.body.items
        if len(items) >= 2 and _is_matrix(items[0]):
            groups.setdefault(items[0], []).append(n)
    for head, members in groups.items():
        if len(members) < 2:
            continue
        parts = [terms[n] for n in members]
        coeffs = {p.coeff for p in parts if isinstance(p, mf.Scaled)}
        common = coeffs.pop() if len(coeffs) == 1 else Fraction(1)
        inner: list[mf.MForm] = []
        for p in parts:
            assert isinstance(p, mf.Scaled)
            assert isinstance(p.body, mf.Chain)
            rest = p.body.items[1:]
            body = rest[0] if len(rest) == 1 else mf.Chain(rest)
            inner.append(mf.Scaled(p.coeff / common, p.scalars, body))
        inner.sort(key=lambda f: isinstance(f, mf.Scaled) and f.coeff < 0)
        grouped = mf.Scaled(common, (), mf.Chain((head, mf.MSum(tuple(inner)))))
        first = members[0]
        terms = [
            grouped if n == first else t
            for n, t in enumerate(terms)
            if n == first or n not in members
        ]
        return factor_left(terms)
    return terms


def _is_matrix(f: mf.MForm) -> bool:
    if isinstance(f, mf.Atom):
        return f.expr.ndim == 2
    return isinstance(f, mf.Identity | mf.DiagOf) and not getattr(f, "vector", False)
