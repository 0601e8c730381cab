"""Last rewrites of a simplified form, each tried as a whole and kept only when it prints shorter.

Every rewrite is an identity for all arrays of the shapes involved:

- **sums of reductions merge** (linearity of ``sum`` and ``mean``):
  ``sum(A, axis=0) - sum(B, axis=0) = sum(A - B, axis=0)`` when A and B have one shape;
- **a column or row sum is a product with ones**: ``sum(A, axis=0) = Aᵀ 1`` and
  ``sum(A, axis=1) = A 1``; the form is then simplified again, so that a common factor can be
  pulled out: ``sum(X, axis=0) - Xᵀ (y ⊙ e) = Xᵀ (1 - y ⊙ e)``;
- **a ones vector (or the all-ones matrix ``1 1ᵀ``) in an elementwise sum is the number 1**, the
  sum's shape being that of another term: ``-log(p) - ones(n) = -log(p) - 1``;
- **a diagonal scaling is a Hadamard product**: ``diag(r) M = (r 1ᵀ) ⊙ M`` and
  ``M diag(c) = M ⊙ (1 cᵀ)``; the form is simplified again, so that a common Hadamard factor
  comes out: ``P ⊙ A - diag(r) P = P ⊙ (A - r 1ᵀ)``;
- **a leading minus moves into a difference**: ``-Wᵀ (V - W H) = Wᵀ (W H - V)``;
- (:func:`scalars_inside`, tried before the elementwise identities) **a scalar factor moves
  into the one elementwise factor of a product that mentions it**, scalars commuting with
  products: ``d Xᵀ (r / (d s)) = Xᵀ (d r / (d s))``, where the identities then cancel ``d``.

A candidate that changes the form's shape is never kept (the caller checks it as well).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..language import nodes
from . import matrixform as mf
from .algebra import Budget, simplify_algebra
from .formprint import form_length

__all__ = ["negate_expr", "scalars_inside", "tidy"]

_Rewrite = Callable[[mf.MForm], mf.MForm]


def tidy(form: mf.MForm, budget: Budget) -> mf.MForm:
    """``form`` with each rewrite of the module docstring applied where it shortens the print."""
    out = form
    for rewrite in (
        lambda f: _map(f, _merge_reductions, budget),
        lambda f: _as_products(f, budget),
        lambda f: _as_hadamard(f, budget),
        lambda f: _map(f, _ones_as_one, budget),
        _absorb_sign,
    ):
        candidate = rewrite(out)
        if candidate != out and _shorter(candidate, out):
            out = candidate
    return out


def _as_products(f: mf.MForm, budget: Budget) -> mf.MForm:
    """Column and row sums written as products with ones, simplified again; kept only when
    every ones vector so made disappears into a common factor (``sum(A, axis=1)`` reads better
    than ``A ones(n)``)."""
    mapped = _map(f, _column_sum, budget)
    if mapped == f:
        return f
    products = simplify_algebra(mapped, budget, eager=True)
    candidate = _map(products, _ones_as_one, budget)
    return candidate if _count_ones(candidate) <= _count_ones(f) else f


def _count_ones(f: mf.MForm) -> int:
    count = 0

    def visit(g: mf.MForm) -> mf.MForm:
        nonlocal count
        count += isinstance(g, mf.OnesVec)
        return g

    _map(f, visit, Budget(10**9))
    return count


def _shorter(a: mf.MForm, b: mf.MForm) -> bool:
    try:
        if mf.form_shape(a) != mf.form_shape(b):
            return False
    except mf.FormShapeError:
        return False
    return form_length(a) < form_length(b)


# walking a form -------------------------------------------------------------------------------


def _map(f: mf.MForm, fn: _Rewrite, budget: Budget) -> mf.MForm:
    """``fn`` applied bottom-up to every node of ``f``."""
    budget.spend()
    match f:
        case mf.MatPow():
            return fn(mf.MatPow(tuple(_map(i, fn, budget) for i in f.items)))
        case mf.Chain():
            return fn(mf.Chain(tuple(_map(i, fn, budget) for i in f.items)))
        case mf.Hadamard():
            return fn(mf.Hadamard(tuple(_map(i, fn, budget) for i in f.items)))
        case mf.MSum():
            return fn(mf.MSum(tuple(_map(t, fn, budget) for t in f.terms)))
        case mf.Scaled():
            scalars = tuple((_map(s, fn, budget), p) for s, p in f.scalars)
            body = None if f.body is None else _map(f.body, fn, budget)
            return fn(mf.Scaled(f.coeff, scalars, body))
        case mf.DiagOf():
            return fn(mf.DiagOf(_map(f.arg, fn, budget), f.vector, f.t))
        case mf.VecOf():
            return fn(mf.VecOf(_map(f.arg, fn, budget), f.t))
        case mf.ScalarOf() if f.arg is not None:
            return fn(mf.ScalarOf(f.op, _map(f.arg, fn, budget), f.name))
        case mf.KronOf():
            return fn(mf.KronOf(_map(f.left, fn, budget), _map(f.right, fn, budget)))
    return fn(f)


def _split(f: mf.MForm) -> tuple[Fraction, tuple[tuple[mf.MForm, Fraction], ...], mf.MForm | None]:
    if isinstance(f, mf.Scaled):
        return f.coeff, f.scalars, f.body
    return Fraction(1), (), f


def _make(c: Fraction, s: tuple[tuple[mf.MForm, Fraction], ...], b: mf.MForm | None) -> mf.MForm:
    return b if c == 1 and not s and b is not None else mf.Scaled(c, s, b)


# negation of an expression ----------------------------------------------------------------------


def negate_expr(e: nodes.Expr) -> nodes.Expr:
    """``-e``, written without a leading ``-1`` where possible: a sum has each term negated
    (terms with a plus sign first), ``-c a`` becomes ``c a``."""
    if isinstance(e, nodes.Add):
        args = [negate_expr(a) for a in e.args]
        args.sort(key=lambda a: _leading_minus(a))
        return nodes.Add(tuple(args))
    if isinstance(e, nodes.Const):
        return nodes.Const(-e.value)
    if isinstance(e, nodes.Mul) and isinstance(e.args[0], nodes.Const):
        c, rest = -e.args[0].value, e.args[1:]
        if c == 1:
            return rest[0] if len(rest) == 1 else nodes.Mul(rest)
        return nodes.Mul((nodes.Const(c), *rest))
    return nodes.Mul((nodes.Const(Fraction(-1)), e))


def _leading_minus(e: nodes.Expr) -> bool:
    if isinstance(e, nodes.Const):
        return e.value < 0
    return isinstance(e, nodes.Mul) and isinstance(e.args[0], nodes.Const) and e.args[0].value < 0


def _scaled_expr(c: Fraction, e: nodes.Expr) -> list[nodes.Expr]:
    """The terms of ``c e`` for a sum (a sum ``e`` spreads out)."""
    if c == 1:
        return list(e.args) if isinstance(e, nodes.Add) else [e]
    if c == -1:
        n = negate_expr(e)
        return list(n.args) if isinstance(n, nodes.Add) else [n]
    return [nodes.Mul((nodes.Const(c), e))]


# sums of reductions ------------------------------------------------------------------------------


def _reduction(f: mf.MForm) -> tuple[Fraction, nodes.Reduce, tuple[object, ...]] | None:
    """``(c, sum(A, axes), key)`` when the term ``f`` is ``c sum(A, axes)`` and nothing else (as a
    scalar factor or as the body); terms with one key can merge."""
    c, s, b = _split(f)
    if not s and isinstance(b, mf.Atom) and isinstance(b.expr, nodes.Reduce):
        e = b.expr
        return c, e, ("body", e.op, e.reduced, e.arg.shape, b.t)
    if b is None and len(s) == 1 and s[0][1] == 1 and isinstance(s[0][0], mf.Atom):
        atom = s[0][0]
        if isinstance(atom.expr, nodes.Reduce) and not atom.t:
            e = atom.expr
            return c, e, ("scalar", e.op, e.reduced, e.arg.shape)
    return None


def _merge_reductions(f: mf.MForm) -> mf.MForm:
    if not isinstance(f, mf.MSum):
        return f
    groups: dict[tuple[object, ...], list[int]] = {}
    found = [_reduction(t) for t in f.terms]
    for n, r in enumerate(found):
        if r is not None:
            groups.setdefault(r[2], []).append(n)
    merged = {ns[0]: ns for ns in groups.values() if len(ns) >= 2}
    if not merged:
        return f
    out: list[mf.MForm] = []
    skip = {n for ns in merged.values() for n in ns[1:]}
    for n, t in enumerate(f.terms):
        if n in skip:
            continue
        if n not in merged:
            out.append(t)
            continue
        parts = [found[k] for k in merged[n]]
        args: list[nodes.Expr] = []
        for r in parts:
            assert r is not None
            args.extend(_scaled_expr(r[0], r[1].arg))
        args.sort(key=_leading_minus)
        first = parts[0]
        assert first is not None
        red = nodes.Reduce(first[1].op, nodes.Add(tuple(args)), first[1].axes)
        if first[2][0] == "body":
            t0 = _split(f.terms[n])[2]
            assert isinstance(t0, mf.Atom)
            out.append(mf.Atom(red, t0.t))
        else:
            out.append(mf.Scaled(Fraction(1), ((mf.Atom(red), Fraction(1)),), None))
    return out[0] if len(out) == 1 else mf.MSum(tuple(out))


# column and row sums as products with ones --------------------------------------------------------


def _column_sum(f: mf.MForm) -> mf.MForm:
    """``sum(A, axis=0)`` as ``Aᵀ 1`` and ``sum(A, axis=1)`` as ``A 1`` (a matrix A)."""
    if not (isinstance(f, mf.Atom) and isinstance(f.expr, nodes.Reduce)):
        return f
    e = f.expr
    if e.op != "sum" or e.arg.ndim != 2 or len(e.reduced) != 1:
        return f
    axis = e.reduced[0]
    rows, cols = e.arg.shape
    chain = mf.Chain(
        (mf.Atom(e.arg, True), mf.OnesVec(rows))
        if axis == 0
        else (mf.Atom(e.arg, False), mf.OnesVec(cols))
    )
    return mf.transpose(chain) if f.t else chain


# ones in an elementwise sum ---------------------------------------------------------------------


def _ones_like(b: mf.MForm | None) -> bool:
    """A ones vector, or the all-ones matrix ``1 1ᵀ``."""
    if isinstance(b, mf.OnesVec):
        return True
    return (
        isinstance(b, mf.Chain)
        and not isinstance(b, mf.MatPow)
        and len(b.items) == 2
        and isinstance(b.items[0], mf.OnesVec)
        and isinstance(b.items[1], mf.OnesVec)
        and not b.items[0].t
        and b.items[1].t
    )


def _ones_as_one(f: mf.MForm) -> mf.MForm:
    if not isinstance(f, mf.MSum):
        return f
    try:
        shape = mf.form_shape(f)
        full = [
            t
            for t in f.terms
            if not _ones_like(_split(t)[2]) and mf.form_shape(t) == shape and shape != (1, 1)
        ]
    except mf.FormShapeError:
        return f
    if not full:
        return f
    terms = []
    for t in f.terms:
        c, s, b = _split(t)
        terms.append(mf.Scaled(c, s, None) if _ones_like(b) else t)
    return mf.MSum(tuple(terms))


# a leading minus -------------------------------------------------------------------------------


def _negated_part(b: mf.MForm) -> mf.MForm | None:
    """``-b`` where ``b`` is, or is a product with one factor that is, a difference."""
    match b:
        case mf.Atom() if isinstance(b.expr, nodes.Add):
            return mf.Atom(negate_expr(b.expr), b.t)
        case mf.MSum():
            terms = [_make(-c, s, body) for c, s, body in map(_split, b.terms)]
            terms.sort(key=lambda t: _split(t)[0] < 0)
            return mf.MSum(tuple(terms))
        case mf.Chain() if not isinstance(b, mf.MatPow):
            places = [n for n, i in enumerate(b.items) if _negated_part(i) is not None]
            if len(places) != 1:
                return None
            n = places[0]
            new = _negated_part(b.items[n])
            assert new is not None
            return mf.Chain((*b.items[:n], new, *b.items[n + 1 :]))
    return None


def _absorb_sign(f: mf.MForm) -> mf.MForm:
    c, s, b = _split(f)
    if c >= 0 or b is None:
        return f
    new = _negated_part(b)
    return f if new is None else _make(-c, s, new)


# a scalar into the elementwise factor that mentions it -------------------------------------------


def scalars_inside(form: mf.MForm, budget: Budget) -> mf.MForm:
    """``form`` with each scalar factor of a product moved into the one elementwise atom of the
    product whose expression contains that scalar (``form`` itself when there is none)."""
    return _map(form, _push_scalars, budget)


def _push_scalars(f: mf.MForm) -> mf.MForm:
    if not isinstance(f, mf.Scaled) or f.body is None or not f.scalars:
        return f
    items = f.body.items if isinstance(f.body, mf.Chain) else (f.body,)
    if isinstance(f.body, mf.MatPow):
        return f
    kept: list[tuple[mf.MForm, Fraction]] = []
    new_items = list(items)
    for s, p in f.scalars:
        if not (isinstance(s, mf.Atom) and s.expr.ndim == 0):
            kept.append((s, p))
            continue
        places = [
            n
            for n, i in enumerate(new_items)
            if isinstance(i, mf.Atom) and i.expr.ndim >= 1 and _mentions(i.expr, s.expr)
        ]
        if len(places) != 1:
            kept.append((s, p))
            continue
        atom = new_items[places[0]]
        assert isinstance(atom, mf.Atom)
        new_items[places[0]] = mf.Atom(nodes.Mul((mf.as_power(s.expr, p), atom.expr)), atom.t)
    if len(kept) == len(f.scalars):
        return f
    body = new_items[0] if len(new_items) == 1 else mf.Chain(tuple(new_items))
    return mf.Scaled(f.coeff, tuple(kept), body)


def _mentions(e: nodes.Expr, s: nodes.Expr) -> bool:
    return any(n == s for n in e.walk())


# a diagonal scaling as a Hadamard product ------------------------------------------------------


def _as_hadamard(f: mf.MForm, budget: Budget) -> mf.MForm:
    """Diagonal scalings written as Hadamard products, simplified again (the caller keeps the
    result only when it is shorter)."""
    candidate = _map(f, _diag_as_hadamard, budget)
    return f if candidate == f else simplify_algebra(candidate, budget, eager=True)


def _column(v: mf.MForm) -> mf.MForm:
    return v if mf.form_shape(v)[1] == 1 else mf.transpose(v)


def _diag_as_hadamard(f: mf.MForm) -> mf.MForm:
    """``diag(r) M`` as ``(r 1ᵀ) ⊙ M`` and ``M diag(c)`` as ``M ⊙ (1 cᵀ)``."""
    if not isinstance(f, mf.Chain) or isinstance(f, mf.MatPow) or len(f.items) < 2:
        return f
    first, last = f.items[0], f.items[-1]
    try:
        if isinstance(first, mf.DiagOf) and not first.vector:
            rest = f.items[1:]
            m = rest[0] if len(rest) == 1 else mf.Chain(rest)
            cols = mf.form_shape(m)[1]
            return mf.Hadamard((mf.Chain((_column(first.arg), mf.OnesVec(cols, True))), m))
        if isinstance(last, mf.DiagOf) and not last.vector:
            rest = f.items[:-1]
            m = rest[0] if len(rest) == 1 else mf.Chain(rest)
            rows = mf.form_shape(m)[0]
            row = mf.transpose(_column(last.arg))
            return mf.Hadamard((m, mf.Chain((mf.OnesVec(rows), row))))
    except mf.FormShapeError:
        return f
    return f
