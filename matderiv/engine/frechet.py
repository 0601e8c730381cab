"""Closed forms for Fréchet factors: a matrix function's derivative applied to a matrix.

In index form the derivative of a matrix function f is the opaque factor
L_f(X)[i, j, p, q] = ∂f(X)_ij / ∂X_pq. Reassembly cannot read a 4-index factor, but two
contractions of it are matrices (Higham, *Functions of Matrices*, 2008, §3.1-3.2):

- **VJP.** Σ_ij G_ij L_f(X)[i, j, p, q] = L_f(Xᵀ, G)_pq. For a real primary matrix function
  f(Xᵀ) = f(X)ᵀ, and the Fréchet derivative's adjoint under ⟨A, B⟩ = tr(Aᵀ B) is
  L_f(X)* = L_f(Xᵀ): for f(X) = Σ_k c_k X^k, L_f(X, E) = Σ_k c_k Σ_{m<k} X^m E X^(k-1-m), and
  ⟨G, X^m E X^r⟩ = ⟨(Xᵀ)^m G (Xᵀ)^r, E⟩ term by term (logm and sqrtm, not power series at 0,
  by analytic continuation from a disc where they are). So ∂ tr(A f(X))/∂X =
  L_f(Xᵀ, Aᵀ), printed ``expm_frechet(X^T, A^T)``.
- **JVP.** Σ_pq L_f(X)[i, j, p, q] H_pq = L_f(X, H)_ij, the directional derivative (a
  derivative by a scalar t through f(X(t))).

:func:`applied` rewrites one term before reassembly: the Fréchet factor and the part of the
term that forms G (or H) — the factors joined to its two indices through summed indices —
become one ``FrechetApply`` factor (:class:`matderiv.language.matfun.FrechetApply`), which
reassembly reads as an ordinary matrix. The part is reassembled by the callback reassembly
passes in (this module does not import :mod:`matderiv.engine.reassembly`, which imports it).
When the part has no matrix form, the term is returned unchanged (and then has none either).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from ..errors import NotSupportedError
from ..language import nodes
from ..language.matfun import FRECHET
from . import matrixform as mf
from .index import Factor, Idx, Term

__all__ = ["applied"]

#: How reassembly reads a part of a term: its matrix form with the given free indices, or None.
Reassemble = Callable[[Term, Sequence[Idx]], mf.Scaled | None]

_FUNCTION = {frechet: fn.name for fn, frechet in FRECHET.items()}


def applied(term: Term, free: Sequence[Idx], reassemble: Reassemble) -> Term:
    """Return ``term`` with each Fréchet factor that a matrix G (VJP) or H (JVP) contracts
    replaced by the matrix ``L_f(Xᵀ, G)`` or ``L_f(X, H)``; ``term`` itself when there is none."""
    for pos, f in enumerate(term.factors):
        if f.kind != "tensor" or type(f.node) not in _FUNCTION or f.power != 1:
            continue
        new = _applied(term, pos, free, reassemble, adjoint=False) or _applied(
            term, pos, free, reassemble, adjoint=True
        )
        if new is not None:
            return applied(new, free, reassemble)
    return term


def _component(
    rest: Sequence[Factor], seeds: tuple[Idx, Idx], stop: set[Idx]
) -> tuple[list[Factor], list[Factor]] | None:
    """The factors joined to ``seeds`` through indices not in ``stop``, and the others; None
    when a joined factor carries an index of ``stop`` (the matrix would depend on it)."""
    reach, inside = set(seeds), [False] * len(rest)
    changed = True
    while changed:
        changed = False
        for n, g in enumerate(rest):
            if not inside[n] and reach & set(g.indices):
                inside[n], changed = True, True
                reach |= {i for i in g.indices if i not in stop}
    part = [g for n, g in enumerate(rest) if inside[n]]
    if any(i in stop for g in part for i in g.indices):
        return None
    return part, [g for n, g in enumerate(rest) if not inside[n]]


def _matrix(
    part: list[Factor], rows: Idx, cols: Idx, reassemble: Reassemble
) -> tuple[Fraction, nodes.Expr] | None:
    """The part as a matrix M[rows, cols] (an expression) with its numeric coefficient pulled
    out, or None when it has no matrix form. ``rows == cols``: the part is a vector v[k] and
    M = diag(v) (Σ_k v_k L[k, k, ...] = Σ_ij diag(v)_ij L[i, j, ...])."""
    n = rows.dim
    if not part:
        if rows == cols:
            return Fraction(1), nodes.Eye(n)
        return Fraction(1), nodes.Ones((n, n))
    form = reassemble(Term(Fraction(1), tuple(part)), (rows,) if rows == cols else (rows, cols))
    if form is None or form.body is None:
        return None
    try:
        expr = mf.form_expr(mf.Scaled(Fraction(1), form.scalars, form.body))
    except NotSupportedError:
        return None
    if rows == cols:
        if expr.ndim != 1:
            return None
        expr = nodes.Diag(expr)
    if expr.shape != (n, n):
        return None
    return form.coeff, expr


def _transposed(x: nodes.Expr) -> nodes.Expr:
    """Xᵀ as the matrix forms write it (``(Aᵀ)ᵀ = A``, a declared symmetric S stays S)."""
    return mf.form_expr(mf.transpose(mf.Atom(x)))


def _applied(
    term: Term, pos: int, free: Sequence[Idx], reassemble: Reassemble, adjoint: bool
) -> Term | None:
    """The Fréchet factor contracted with a matrix, as one node: Σ_pq L_f(X)[i, j, p, q] H_pq =
    L_f(X, H)_ij when p and q are summed, or (``adjoint``) Σ_ij G_ij L_f(X)[i, j, p, q] =
    L_f(Xᵀ, G)_pq when i and j are."""
    f = term.factors[pos]
    i, j, p, q = f.indices
    summed, kept = ((i, j), (p, q)) if adjoint else ((p, q), (i, j))
    if set(summed) & {*free, *kept}:
        return None
    rest = term.factors[:pos] + term.factors[pos + 1 :]
    split = _component(rest, summed, {*free, *kept})
    if split is None:
        return None
    part, others = split
    m = _matrix(part, *summed, reassemble)
    if m is None:
        return None
    assert isinstance(f.node, nodes.Unary)
    arg = _transposed(f.node.arg) if adjoint else f.node.arg
    node = nodes.FrechetApply(_FUNCTION[type(f.node)], arg, m[1])
    return Term(term.coeff * m[0], (*others, Factor("tensor", kept, node)))
