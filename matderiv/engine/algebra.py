"""Matrix-level rewrites of a reassembled form: like terms, powers, symmetry, common factors.

Every rewrite is an identity of matrix algebra, true for all matrices of the shapes involved:

- scalars commute with matrix products, Hadamard products, ``diag``, ``vec``, ``tr``, ``sum``
  and Kronecker factors, so they move to the front of a term (``X^T (2 a) = 2 X^T a``);
- a product is associative and ``I`` is its unit (``(A B) C = A B C``, ``A I = A``);
- terms with equal matrix parts add their coefficients; a term whose coefficient is 0 vanishes
  (``4 X^T X^T + 12 X^T X^T = 16 X^T X^T``);
- equal neighbours of a product form a power (``X^T X^T = (X^T)^2``), printed only;
- a structurally symmetric matrix (:mod:`matderiv.engine.symmetry`) is its own transpose
  (``(X^T X)^{-T} = (X^T X)^{-1}``);
- distributivity: ``A B + A C = A (B + C)``, ``B A + C A = (B + C) A``,
  ``H ⊙ A + H ⊙ B = H ⊙ (A + B)`` and common scalar factors, applied only when the printed
  result is shorter.

Each pass visits a node a bounded number of times; the whole costs about one visit per node
per pass, and :class:`Budget` counts the visits so that a huge form stops the simplifier
rather than the derivation.
"""

from __future__ import annotations

from fractions import Fraction

from ..language import nodes
from . import matrixform as mf
from .formprint import form_length, form_text
from .symmetry import is_symmetric_expr

__all__ = ["Budget", "BudgetExhaustedError", "simplify_algebra"]

_Scalars = tuple[tuple[mf.MForm, Fraction], ...]
_NO_SCALARS: _Scalars = ()


class BudgetExhaustedError(Exception):
    """The simplifier ran out of its budget (an internal signal: the caller keeps the form)."""


class Budget:
    """A number of node visits and rule applications the simplifier may still make."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise BudgetExhaustedError


def simplify_algebra(form: mf.MForm, budget: Budget, eager: bool = False) -> mf.MForm:
    """The form with like terms collected, symmetric transposes dropped, common factors pulled
    out where that is shorter (``eager``: also where it is as long, for a caller that compares
    the whole result afterwards), and repeated factors written as powers."""
    out = _Normal(budget).form(form)
    if _split(out)[0] == 0:
        return mf.Scaled(Fraction(0), (), None)
    out = _Factor(budget, eager).form(out)
    return _powers(out, budget)


# terms: coefficient × scalars × body -------------------------------------------------------


def _split(f: mf.MForm) -> tuple[Fraction, _Scalars, mf.MForm | None]:
    if isinstance(f, mf.Scaled):
        return f.coeff, f.scalars, f.body
    return Fraction(1), (), f


def _make(c: Fraction, s: _Scalars, body: mf.MForm | None) -> mf.MForm:
    if c == 1 and not s and body is not None:
        return body
    return mf.Scaled(c, s, body)


def _merge_scalars(*groups: _Scalars) -> _Scalars:
    """Scalars multiplied together: equal bases add their powers, a power 0 vanishes."""
    powers: dict[mf.MForm, Fraction] = {}
    for g in groups:
        for f, p in g:
            powers[f] = powers.get(f, Fraction(0)) + p
    return tuple((f, p) for f, p in powers.items() if p != 0)


def _key(s: _Scalars, body: mf.MForm | None) -> tuple[frozenset[tuple[mf.MForm, Fraction]], object]:
    return frozenset(s), body


# normal form ----------------------------------------------------------------------------------


class _Normal:
    """Bottom-up: flatten, move scalars to the front, drop symmetric transposes, collect."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def form(self, f: mf.MForm) -> mf.MForm:
        self.budget.spend()
        match f:
            case mf.Atom():
                return self.atom(f)
            case mf.Chain():
                return self.chain(f.items)
            case mf.Hadamard():
                return self.hadamard(f.items)
            case mf.MSum():
                return self.msum(f.terms)
            case mf.Scaled():
                return self.scaled(f)
            case mf.DiagOf():
                c, s, b = self.pull(f.arg)
                return _make(c, s, mf.DiagOf(b, f.vector, f.t)) if b is not None else f
            case mf.VecOf():
                c, s, b = self.pull(f.arg)
                return _make(c, s, mf.VecOf(b, f.t)) if b is not None else f
            case mf.ScalarOf() if f.arg is not None:
                c, s, b = self.pull(f.arg)
                return _make(c, s, mf.ScalarOf(f.op, b)) if b is not None else f
            case mf.KronOf():
                c1, s1, b1 = self.pull(f.left)
                c2, s2, b2 = self.pull(f.right)
                if b1 is None or b2 is None:
                    return f
                return _make(c1 * c2, _merge_scalars(s1, s2), mf.KronOf(b1, b2))
        return f

    def pull(self, f: mf.MForm) -> tuple[Fraction, _Scalars, mf.MForm | None]:
        return _split(self.form(f))

    def atom(self, f: mf.Atom) -> mf.MForm:
        e, t = f.expr, f.t
        if e.ndim != 2:
            return f
        while isinstance(e, nodes.Transpose):  # Atom(A^T) transposed or not: one flag
            e, t = e.arg, not t
        if t and is_symmetric_expr(e):  # M^T = M for a symmetric M
            t = False
        return f if (e is f.expr and t == f.t) else mf.Atom(e, t)

    def scaled(self, f: mf.Scaled) -> mf.MForm:
        scalars = _merge_scalars(tuple((self.form(s), p) for s, p in f.scalars))
        if f.body is None:
            return _make(f.coeff, scalars, None)
        c, s, b = self.pull(f.body)
        return _make(f.coeff * c, _merge_scalars(scalars, s), b)

    def chain(self, items: tuple[mf.MForm, ...]) -> mf.MForm:
        coeff, scalars, out = Fraction(1), _NO_SCALARS, list[mf.MForm]()
        for item in items:
            c, s, b = self.pull(item)
            coeff, scalars = coeff * c, _merge_scalars(scalars, s)
            if b is None:  # a 1×1 factor between a column and a row: a scalar
                continue
            if isinstance(b, mf.Atom) and b.expr.ndim == 0:
                scalars = _merge_scalars(scalars, ((b, Fraction(1)),))
                continue
            out.extend(b.items if isinstance(b, mf.Chain) else (b,))
        kept = [i for i in out if not isinstance(i, mf.Identity)] or out[:1]
        if not kept:
            return _make(coeff, scalars, None)
        body = kept[0] if len(kept) == 1 else mf.Chain(tuple(kept))
        return _make(coeff, scalars, body)

    def hadamard(self, items: tuple[mf.MForm, ...]) -> mf.MForm:
        coeff, scalars, out = Fraction(1), _NO_SCALARS, list[mf.MForm]()
        for item in items:
            c, s, b = self.pull(item)
            coeff, scalars = coeff * c, _merge_scalars(scalars, s)
            if b is None:
                continue
            out.extend(b.items if isinstance(b, mf.Hadamard) else (b,))
        if not out:
            return _make(coeff, scalars, None)
        return _make(coeff, scalars, out[0] if len(out) == 1 else mf.Hadamard(tuple(out)))

    def msum(self, terms: tuple[mf.MForm, ...]) -> mf.MForm:
        acc: dict[object, tuple[Fraction, _Scalars, mf.MForm | None]] = {}

        def add(c: Fraction, s: _Scalars, b: mf.MForm | None) -> None:
            self.budget.spend()
            if isinstance(b, mf.MSum):  # c (A + B) = c A + c B
                for u in b.terms:
                    c2, s2, b2 = _split(u)
                    add(c * c2, _merge_scalars(s, s2), b2)
                return
            k = _key(s, b)
            old = acc.get(k)
            acc[k] = (c if old is None else old[0] + c, s, b)

        for t in terms:
            add(*self.pull(t))
        kept = [(c, s, b) for c, s, b in acc.values() if c != 0]
        if not kept:  # every term cancelled: zero, with the shape of the first term
            first = _split(terms[0])[2] if terms else None
            return mf.Scaled(Fraction(0), (), first)
        kept.sort(key=lambda t: t[0] < 0)
        parts = tuple(_make(*t) for t in kept)
        return parts[0] if len(parts) == 1 else mf.MSum(parts)


# common factors -------------------------------------------------------------------------------


def _items(b: mf.MForm | None) -> tuple[mf.MForm, ...]:
    if b is None:
        return ()
    return b.items if isinstance(b, mf.Chain) else (b,)


def _product(items: tuple[mf.MForm, ...] | list[mf.MForm]) -> mf.MForm:
    return items[0] if len(items) == 1 else mf.Chain(tuple(items))


class _Factor:
    """``A B + A C → A (B + C)`` (either side), ``H * A + H * B → H * (A + B)`` and
    ``2 A + 2 B → 2 (A + B)``, bottom-up,
    each accepted only when the printed sum gets shorter."""

    def __init__(self, budget: Budget, eager: bool = False) -> None:
        self.budget = budget
        self.eager = eager

    def form(self, f: mf.MForm) -> mf.MForm:
        self.budget.spend()
        match f:
            case mf.MSum():
                terms = [self.form(t) for t in f.terms]
                return self.msum(terms, tie=self.eager)
            case mf.Scaled() if f.body is not None:
                return mf.Scaled(f.coeff, f.scalars, self.form(f.body))
            case mf.Chain() if not isinstance(f, mf.MatPow):
                return mf.Chain(tuple(self.form(i) for i in f.items))
        return f

    def msum(self, terms: list[mf.MForm], tie: bool = False) -> mf.MForm:
        """Group the terms while that shortens the sum (``tie``: also when it does not
        lengthen it, for a sum about to become one factor of a product)."""
        length = _sum_length(terms, tie)
        for _ in range(len(terms)):
            best = self.best_group(terms)
            if best is None:
                break
            candidate = self.grouped(terms, *best)
            self.budget.spend(len(terms))
            new_len = _sum_length(candidate, tie)
            if new_len > length or (new_len == length and not tie):
                break
            terms, length = candidate, new_len
        out = _sum(terms)
        return self.common_scalar(out) if isinstance(out, mf.MSum) else out

    def best_group(self, terms: list[mf.MForm]) -> tuple[str, mf.MForm, list[int]] | None:
        """The factor shared by most terms' products on one side (ties: the longer factor)."""
        best: tuple[int, str, mf.MForm, list[int]] | None = None
        for side in ("left", "right", "hadamard"):
            groups: dict[mf.MForm, list[int]] = {}
            for n, t in enumerate(terms):
                body = _split(t)[2]
                if side == "hadamard":
                    if isinstance(body, mf.Hadamard):
                        for item in dict.fromkeys(body.items):
                            groups.setdefault(item, []).append(n)
                    continue
                items = _items(body)
                if len(items) >= 2:
                    groups.setdefault(items[0] if side == "left" else items[-1], []).append(n)
            for factor, members in groups.items():
                if len(members) >= 2:
                    gain = (len(members) - 1) * len(form_text(factor))
                    if best is None or gain > best[0]:
                        best = (gain, side, factor, members)
        return None if best is None else best[1:]

    def grouped(
        self, terms: list[mf.MForm], side: str, factor: mf.MForm, members: list[int]
    ) -> list[mf.MForm]:
        inner: list[mf.MForm] = []
        for n in members:
            c, s, b = _split(terms[n])
            if side == "hadamard":  # H * A + H * B = H * (A + B)
                assert isinstance(b, mf.Hadamard)
                others = list(b.items)
                others.remove(factor)
                one = others[0] if len(others) == 1 else mf.Hadamard(tuple(others))
                inner.append(_make(c, s, one))
                continue
            items = _items(b)
            rest = items[1:] if side == "left" else items[:-1]
            inner.append(_make(c, s, _product(rest)))
        body = self.msum(inner, tie=True)
        if isinstance(body, mf.MSum):  # the coefficient moves outside the product
            body = self.common_scalar(body, force=True)
        c, s, b = _split(body)
        assert b is not None
        if side == "hadamard":
            grouped = _make(c, s, mf.Hadamard((factor, b)))
        else:
            parts = (factor, *_items_or_sum(b)) if side == "left" else (*_items_or_sum(b), factor)
            grouped = _make(c, s, mf.Chain(parts))
        first = members[0]
        return [grouped if n == first else t for n, t in enumerate(terms) if n not in members[1:]]

    def common_scalar(self, f: mf.MSum, force: bool = False) -> mf.MForm:
        """Pull out a coefficient and scalars that every term shares, if that is shorter (or,
        with ``force``, whenever there is one)."""
        split = [_split(t) for t in f.terms]
        coeffs = {abs(c) for c, _, _ in split}
        common_c = coeffs.pop() if len(coeffs) == 1 else Fraction(1)
        if all(c < 0 for c, _, _ in split):  # -A - B = -(A + B)
            common_c = -common_c
        shared = set(split[0][1])
        for _, s, _ in split[1:]:
            shared &= set(s)
        if common_c == 1 and not shared:
            return f
        common_s = tuple(p for p in split[0][1] if p in shared)
        inner = tuple(
            _make(c / common_c, tuple(p for p in s if p not in shared), b) for c, s, b in split
        )
        if any(isinstance(t, mf.Scaled) and t.body is None for t in inner):
            return f
        candidate = mf.Scaled(common_c, common_s, mf.MSum(inner))
        self.budget.spend(len(inner))
        if force:
            return candidate
        return candidate if form_length(candidate) < form_length(f) else f


def _sum_length(terms: list[mf.MForm], factor: bool) -> tuple[int, int]:
    """The printed length of a sum; as a ``factor`` of a product, a sum also pays for the
    parentheses it needs there (a product does not: ``A (B - C) D``)."""
    tokens, chars = form_length(_sum(terms))
    return (tokens + 2, chars + 2) if factor and len(terms) > 1 else (tokens, chars)


def _items_or_sum(b: mf.MForm) -> tuple[mf.MForm, ...]:
    """A grouped inner part as chain items: a sum stays one item, a product spreads out."""
    return b.items if isinstance(b, mf.Chain) and not isinstance(b, mf.MatPow) else (b,)


def _sum(terms: list[mf.MForm]) -> mf.MForm:
    return terms[0] if len(terms) == 1 else mf.MSum(tuple(terms))


# powers ---------------------------------------------------------------------------------------


def _powers(f: mf.MForm, budget: Budget) -> mf.MForm:
    """Runs of equal neighbours in a product written as powers (``X X X = X^3``)."""
    budget.spend()
    match f:
        case mf.Chain():
            items = [_powers(i, budget) for i in f.items]
            runs: list[tuple[mf.MForm, int]] = []
            for i in items:
                if runs and runs[-1][0] == i:
                    runs[-1] = (i, runs[-1][1] + 1)
                else:
                    runs.append((i, 1))
            out = tuple(mf.mat_pow(i, k) for i, k in runs)
            return out[0] if len(out) == 1 else mf.Chain(out)
        case mf.MSum():
            return mf.MSum(tuple(_powers(t, budget) for t in f.terms))
        case mf.Hadamard():
            return mf.Hadamard(tuple(_powers(t, budget) for t in f.items))
        case mf.Scaled():
            body = None if f.body is None else _powers(f.body, budget)
            return mf.Scaled(f.coeff, f.scalars, body)
        case mf.DiagOf():
            return mf.DiagOf(_powers(f.arg, budget), f.vector, f.t)
        case mf.VecOf():
            return mf.VecOf(_powers(f.arg, budget), f.t)
        case mf.ScalarOf() if f.arg is not None:
            return mf.ScalarOf(f.op, _powers(f.arg, budget))
        case mf.KronOf():
            return mf.KronOf(_powers(f.left, budget), _powers(f.right, budget))
    return f
