"""Structured variables in index notation: the Kronecker deltas of ∂S_ab/∂S_pq for a symmetric
or diagonal S, and the one simplification that a declared symmetry allows.

With S = Sᵀ, the entries S_ab and S_ba are one number; differentiating by it gives, in each
convention of :mod:`matderiv.language.structure`,

- ``"free"`` (Matrix Cookbook §2.8.2): ∂S_ab/∂S_pq = δ_ap δ_bq + δ_aq δ_bp − δ_ap δ_bq δ_pq,
  so that a gradient G becomes G + Gᵀ − G∘I;
- ``"frobenius"``: ½ (δ_ap δ_bq + δ_aq δ_bp), the orthogonal projection onto the symmetric
  matrices, so G becomes (G + Gᵀ)/2;

and for a diagonal S, in both conventions, δ_ap δ_bq δ_pq (G becomes G∘I).

Both conventions only read f on the structured matrices (they are built from directional
derivatives along structured directions), so the result does not depend on how the expression
would extend to matrices without the structure. That is what makes :func:`canonical_symmetric`
correct: a factor known to be symmetric (a symmetric or diagonal variable, the inverse of one)
has its two indices put in one order, so S_qp and S_pq are recognised as equal terms.

A stochastic constant Y (rows summing to one) allows one more: in a term where Y_ab is the
only factor that carries the summed index b of its last axis, Σ_b Y_ab = 1, so the factor is
dropped (:func:`use_declared`). Differentiating by Y is not supported: its entries are not free.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ..errors import NotSupportedError, unknown_kind
from ..language.expression import Expr, Var
from ..language.functions import Inv
from ..language.structure import SymmetricConvention
from .index import Factor, Idx, IndexExpr, Term, multiply, normalize_term
from .lowering import delta

__all__ = ["canonical_symmetric", "is_symmetric_node", "use_declared", "variable_derivative"]


def variable_derivative(
    wrt: Var, indices: Sequence[Idx], widx: Sequence[Idx], convention: SymmetricConvention | None
) -> list[Term]:
    """∂ wrt[indices] / ∂ wrt[widx]: the deltas of the variable's structure and convention."""
    pairs = [[delta(i, p)] for i, p in zip(indices, widx, strict=True)]
    match wrt.structure:
        case "general":
            return multiply(*pairs)
        case "diagonal":
            return multiply(*pairs, [delta(widx[0], widx[1])])
        case "symmetric":
            (a, b), (p, q) = indices, widx
            straight = multiply([delta(a, p)], [delta(b, q)])
            crossed = multiply([delta(a, q)], [delta(b, p)])
            if convention == "frobenius":
                return multiply([Term(Fraction(1, 2))], straight + crossed)
            if convention == "free":
                once = multiply([Term(Fraction(-1))], straight, [delta(p, q)])
                return straight + crossed + once
            raise AssertionError(f"a symmetric variable needs a convention, got {convention!r}")
        case "stochastic":
            raise NotSupportedError(
                f"{wrt.name!r} is declared stochastic (its rows sum to one), so its entries are "
                "not free and a derivative by it is not defined here; differentiate by a "
                f"variable it is computed from (such as the logits Z of {wrt.name} = "
                "softmax(Z, axis=1)), or declare it without the structure"
            )
        case _:
            unknown_kind(wrt.structure, "structure")


def is_symmetric_node(e: Expr) -> bool:
    """Whether ``e`` is symmetric by declaration: a symmetric or diagonal variable, or the
    inverse of a symmetric node."""
    if isinstance(e, Var):
        return e.structure in ("symmetric", "diagonal")
    if isinstance(e, Inv):
        return is_symmetric_node(e.arg)
    return False


def _canonical_factor(f: Factor) -> Factor:
    if f.kind != "tensor" or f.node is None or len(f.indices) != 2:
        return f
    a, b = f.indices
    if a.name <= b.name or not is_symmetric_node(f.node):
        return f
    return Factor(f.kind, (b, a), f.node, f.power, f.name)


def canonical_symmetric(expr: IndexExpr) -> IndexExpr:
    """Put the two indices of every symmetric factor in alphabetical order (S_qp becomes
    S_pq), so that equal terms can be collected; the identity holds wherever the declared
    structure does. An expression without such a factor is returned as it is."""
    terms: list[Term] = []
    changed = False
    for t in expr.terms:
        factors = tuple(_canonical_factor(f) for f in t.factors)
        if factors != t.factors:
            changed = True
            n = normalize_term(Term(t.coeff, factors))
            if n is not None:
                terms.append(n)
        else:
            terms.append(t)
    return IndexExpr(tuple(terms), expr.free) if changed else expr


def _row_sum_factor(t: Term, free: Sequence[Idx]) -> int | None:
    """The position of a stochastic factor Y_ab whose last index b occurs nowhere else in the
    term (nor among the free indices): its sum over b is 1."""
    for k, f in enumerate(t.factors):
        node = f.node
        if f.kind != "tensor" or not isinstance(node, Var) or node.structure != "stochastic":
            continue
        if f.power != 1 or len(f.indices) != node.ndim:
            continue
        last = f.indices[-1]
        if last in free or last in f.indices[:-1]:
            continue
        if all(last not in g.indices for j, g in enumerate(t.factors) if j != k):
            return k
    return None


def use_declared(expr: IndexExpr) -> IndexExpr:
    """Apply what declared structures say: the canonical order of symmetric factors
    (:func:`canonical_symmetric`), and Σ_b Y_ab = 1 for a stochastic Y (the factor dropped
    where b occurs in it alone). An expression without such factors is returned as it is."""
    expr = canonical_symmetric(expr)
    terms: list[Term] = []
    changed = False
    for t in expr.terms:
        k = _row_sum_factor(t, expr.free)
        while k is not None:
            changed = True
            t = Term(t.coeff, t.factors[:k] + t.factors[k + 1 :])
            k = _row_sum_factor(t, expr.free)
        terms.append(t)
    return IndexExpr(tuple(terms), expr.free) if changed else expr
