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

from .index import Factor, Idx, IndexExpr, Term, canonical_key, normalize_term
from .lowering import dim_term

__all__ = ["collect", "contract", "contract_term"]


def contract_term(term: Term, free: Sequence[Idx]) -> Term | None:
    """Return the term with every δ that has a summed index sifted away."""
    freeset = set(free)
    changed = True
    while changed:
        changed = False
        for pos, f in enumerate(term.factors):
            rest = term.factors[:pos] + term.factors[pos + 1 :]
            if f.kind == "delta":
                a, b = f.indices
                if a in freeset and b in freeset and a != b:
                    continue
                keep, gone = (b, a) if a not in freeset else (a, b)
                term = Term(term.coeff, rest).subs({gone: keep})
                # Σ over the surviving index of a term that no longer carries it is its range
                if keep not in freeset and all(keep not in g.indices for g in term.factors):
                    scale = dim_term(keep.dim, 1)
                    term = Term(term.coeff * scale.coeff, term.factors + scale.factors)
                changed = True
                break
            if f.kind == "tensor" and f.node is not None and type(f.node).__name__ == "Ones":
                simpler = _sift_ones(f, rest, freeset)
                if simpler is not None:
                    term = Term(term.coeff * simpler.coeff, rest + simpler.factors)
                    changed = True
                    break
        normal = normalize_term(term)
        if normal is None:
            return None
        term = normal
    return term


def _sift_ones(f: Factor, rest: tuple[Factor, ...], freeset: set[Idx]) -> Term | None:
    """A ones-array factor contributes nothing but its range: drop what others carry."""
    elsewhere = {i for g in rest for i in g.indices}
    keep = [i for i in f.indices if i in freeset and i not in elsewhere]
    summed_alone = [i for i in dict.fromkeys(f.indices) if i not in freeset and i not in elsewhere]
    if len(keep) == len(f.indices) and not summed_alone:
        return None
    out = Term(Fraction(1))
    for i in summed_alone:
        d = dim_term(i.dim, 1)
        out = Term(out.coeff * d.coeff, out.factors + d.factors)
    if keep:
        from .expression import Ones

        node = Ones(tuple(i.dim for i in keep))
        out = Term(out.coeff, (*out.factors, Factor("tensor", tuple(keep), node)))
    return out


def contract(expr: IndexExpr) -> IndexExpr:
    """Sift every δ over a summed index, in every term."""
    terms = [contract_term(t, expr.free) for t in expr.terms]
    return IndexExpr(tuple(t for t in terms if t is not None), expr.free)


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
