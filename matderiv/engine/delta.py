"""Contracting Kronecker deltas and collecting equal terms.

The sifting property Σ_a γ_a δ_ab = γ_b removes every δ with a summed index: the summed
index is replaced by the other one everywhere in the term. A δ between two free indices
stays (it is an identity matrix, or the structure that flattening compresses). δ_aa over a
summed index is the size of its range. No piecewise guards are needed: every index runs over
a known range.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ..errors import unknown_kind
from ..language.expression import Add, Const, Expr, Mul
from ..language.functions import KeepDims, Ones, Reduce, Unary
from ..language.matfun import TRACED
from .index import FACTOR_KINDS, Factor, Idx, IndexExpr, Term, canonical_key, normalize_term
from .lowering import dim_term

__all__ = ["collect", "contract", "contract_term"]


def _carried(factors: Sequence[Factor]) -> set[Idx]:
    return {i for f in factors for i in f.indices}


def _rewrite(term: Term, pos: int, freeset: set[Idx]) -> tuple[Term, Idx | None] | None:
    """One sifting rewrite of factor ``pos``: the new term and the index the rewrite consumed
    (summed over by the rule itself), or None when the factor stays."""
    f = term.factors[pos]
    rest = term.factors[:pos] + term.factors[pos + 1 :]
    match f.kind:
        case "delta":
            a, b = f.indices
            if a in freeset and b in freeset and a != b:
                return None
            keep, gone = (b, a) if a not in freeset else (a, b)
            return Term(term.coeff, rest).subs({gone: keep}), (gone if gone != keep else None)
        case "fuse":
            return _rewrite_fuse(term, f, rest, freeset)
        case "tensor":
            if type(f.node) in TRACED:
                return _traced_frechet(term, pos, freeset)
            if not isinstance(f.node, Ones):
                return None
            simpler = _sift_ones(f, rest, freeset)
            if simpler is None:
                return None
            return Term(term.coeff * simpler.coeff, rest + simpler.factors), None
        case "dim":
            return None
        case _:
            unknown_kind(f.kind, "factor kind", FACTOR_KINDS)


def _traced_frechet(term: Term, pos: int, freeset: set[Idx]) -> tuple[Term, Idx | None] | None:
    """Σ_k L_f(X)[k, k, a, b] = f′(X)_ba: the trace of a Fréchet derivative (tr L_f(X, E) =
    tr(f′(X) E) for a primary matrix function; Higham 2008, §3.2), when k is summed and no
    other factor carries it."""
    f = term.factors[pos]
    k, k2, a, b = f.indices
    rest = term.factors[:pos] + term.factors[pos + 1 :]
    if k != k2 or k in freeset or f.power != 1 or any(k in g.indices for g in rest):
        return None
    assert isinstance(f.node, Unary)
    coeff, prime = TRACED[type(f.node)]
    new = Factor("tensor", (b, a), prime(f.node.arg))
    return Term(term.coeff * coeff, (*rest, new)), k


def _rewrite_fuse(
    term: Term, f: Factor, rest: tuple[Factor, ...], freeset: set[Idx]
) -> tuple[Term, Idx | None] | None:
    """Σ_I F[I; a, b] = 1, and F[I; a, b] F[I; c, d] summed over I is δ_ac δ_bd."""
    whole, major, minor = f.indices
    if whole in freeset:
        return None
    others = [g for g in rest if whole in g.indices]
    if not others:  # Σ_I F[I; a, b] = 1 for every (a, b)
        return Term(term.coeff, rest), whole
    if len(others) == 1 and others[0].kind == "fuse" and others[0].indices[0] == whole:
        g = others[0]
        _, major2, minor2 = g.indices
        if major.dim == major2.dim and minor.dim == minor2.dim:  # same split of the axis
            remaining = tuple(h for h in rest if h is not g)
            deltas = (Factor("delta", (major, major2)), Factor("delta", (minor, minor2)))
            return Term(term.coeff, remaining + deltas), whole
    return None


def contract_term(term: Term, free: Sequence[Idx]) -> Term | None:
    """Return the term with every δ (and 0/1 fuse factor) over a summed index sifted away.

    A summed index that a rewrite removes from every factor, other than the one the rule
    itself sums over, contributes the size of its range.
    """
    freeset = set(free)
    changed = True
    while changed:
        changed = False
        for pos in range(len(term.factors)):
            step = _rewrite(term, pos, freeset)
            if step is None:
                continue
            # in order of appearance, not set order: the sizes print in this order
            before = [i for i in term.indices() if i not in freeset]
            term, consumed = step
            after = _carried(term.factors)
            for i in (i for i in before if i not in after and i != consumed):
                scale = dim_term(i.dim, 1)
                term = Term(term.coeff * scale.coeff, term.factors + scale.factors)
            changed = True
            break
        normal = normalize_term(term)
        if normal is None:
            return None
        term = normal
    return term


def _sift_ones(f: Factor, rest: tuple[Factor, ...], freeset: set[Idx]) -> Term | None:
    """A ones-array factor only carries its indices: keep the free ones no other factor has.

    The ranges of summed indices it drops are counted by :func:`contract_term`.
    """
    elsewhere = {i for g in rest for i in g.indices}
    keep = [i for i in dict.fromkeys(f.indices) if i in freeset and i not in elsewhere]
    if len(keep) == len(f.indices):
        return None
    if not keep:
        return Term(Fraction(1))

    node = Ones(tuple(i.dim for i in keep))
    return Term(Fraction(1), (Factor("tensor", tuple(keep), node),))


def contract(expr: IndexExpr) -> IndexExpr:
    """Sift every δ over a summed index, in every term; drop the terms that sum a centred
    array over its centring axes (see :func:`centred_sum`)."""
    terms = [contract_term(t, expr.free) for t in expr.terms]
    return IndexExpr(
        tuple(t for t in terms if t is not None and not centred_sum(t, expr.free)), expr.free
    )


def _centred_axes(e: Expr) -> tuple[int, ...] | None:
    """The axes along which ``e`` has mean zero by construction: ``x - mean(x, axes,
    keepdims=True)`` (or ``x - mean(x)``), else None."""
    if not (isinstance(e, Add) and len(e.args) == 2):
        return None
    x, neg = e.args
    if not (isinstance(neg, Mul) and len(neg.args) == 2 and neg.args[0] == Const(Fraction(-1))):
        return None
    m = neg.args[1]
    kept = isinstance(m, KeepDims)
    if isinstance(m, KeepDims):
        m = m.arg
    if not (isinstance(m, Reduce) and m.op == "mean" and m.arg == x):
        return None
    # without keepdims the mean lines up with x's trailing axes: centred only when the
    # reduced axes are the leading ones (x - mean(x, axis=0), x - mean(x))
    leading = m.reduced == tuple(range(len(m.reduced)))
    return m.reduced if kept or leading else None


def centred_sum(term: Term, free: Sequence[Idx]) -> bool:
    """Whether the term sums a centred array over the axes it is centred on, so that it is 0.

    Σ_a (x_a − mean(x)) = 0 is an identity of the structure of the expression: it holds
    whatever the values, which keeps the rewrite correct (it is how the derivative of
    ``var(x)`` loses its second term). It applies only when each of those indices is summed,
    appears once in the factor and in no other factor.
    """
    freeset = set(free)
    for n, f in enumerate(term.factors):
        if f.kind != "tensor" or f.power != 1 or f.node is None:
            continue
        axes = _centred_axes(f.node)
        if axes is None:
            continue
        summed = [f.indices[a] for a in axes]
        others = {i for g in term.factors[:n] + term.factors[n + 1 :] for i in g.indices}
        if all(i not in freeset and i not in others and f.indices.count(i) == 1 for i in summed):
            return True
    return False


def collect(expr: IndexExpr) -> IndexExpr:
    """Add terms equal up to summed-index names and factor order: ``A x + A x = 2 A x``."""
    order: list[tuple[object, ...]] = []
    total: dict[tuple[object, ...], tuple[Fraction, Term]] = {}
    for t in expr.terms:
        key = canonical_key(Term(Fraction(1), t.factors), expr.free)
        if key in total:
            c, first = total[key]
            total[key] = (c + t.coeff, first)
        else:
            total[key] = (t.coeff, t)
            order.append(key)
    out = [Term(total[k][0], total[k][1].factors) for k in order if total[k][0] != 0]
    return IndexExpr(tuple(out), expr.free)
