"""Structural symmetry of matrix expressions: XᵀX, A Aᵀ, X + Xᵀ, Xᵀ S X, inverses and sums of
symmetric matrices, declared symmetric or diagonal variables.

A matrix known to be symmetric equals its transpose, so in a matrix form ``Mᵀ`` is ``M`` and
``M^{-T}`` is ``M^{-1}``. Each test below is a theorem about every matrix of the shape, not a
numerical observation: a product ``F1 F2 … Fn`` is symmetric when ``Fk = F(n+1-k)ᵀ`` for every
k and the middle factor (n odd) is symmetric, since its transpose is ``Fnᵀ … F1ᵀ``; a sum is
symmetric when its terms are, or when they pair as ``T`` and ``Tᵀ``; ``inv``, elementwise
powers, Hadamard products and scalar multiples keep symmetry. A declared symmetric variable is
symmetric wherever the derivative is read (:mod:`matderiv.engine.structure`).
"""

from __future__ import annotations

from ..language import nodes
from .structure import is_symmetric_node

__all__ = ["is_symmetric_expr", "matmul_factors", "transposed_expr"]


def transposed_expr(e: nodes.Expr) -> nodes.Expr:
    """``eᵀ`` with a double transpose removed."""
    return e.arg if isinstance(e, nodes.Transpose) else nodes.Transpose(e)


def matmul_factors(e: nodes.Expr) -> list[nodes.Expr]:
    """The factors of a (nested) matrix product, left to right."""
    if isinstance(e, nodes.MatMul):
        return matmul_factors(e.left) + matmul_factors(e.right)
    return [e]


def _same_up_to_transpose(a: nodes.Expr, b: nodes.Expr) -> bool:
    """Whether ``a = bᵀ`` structurally (a symmetric ``b`` counts as its own transpose)."""
    if a == transposed_expr(b) or transposed_expr(a) == b:
        return True
    return a == b and is_symmetric_expr(a)


def is_symmetric_expr(e: nodes.Expr, depth: int = 0) -> bool:
    """Whether the square matrix ``e`` is symmetric by its structure (False when unsure)."""
    if e.ndim != 2 or e.shape[0] != e.shape[1] or depth > 32:
        return False
    if is_symmetric_node(e) or isinstance(e, nodes.Eye):
        return True
    match e:
        case nodes.Diag():
            return e.arg.ndim == 1
        case nodes.Inv() | nodes.Transpose():
            return is_symmetric_expr(e.arg, depth + 1)
        case nodes.Pow():
            return e.exponent.ndim == 0 and is_symmetric_expr(e.base, depth + 1)
        case nodes.Mul():
            return all(a.ndim == 0 or is_symmetric_expr(a, depth + 1) for a in e.args)
        case nodes.Add():
            return _symmetric_sum([a for a in e.args if a.ndim == 2], depth) and all(
                a.ndim in (0, 2) for a in e.args
            )
        case nodes.MatMul():
            fs = matmul_factors(e)
            n = len(fs)
            if any(f.ndim != 2 for f in fs):
                return False
            for k in range(n // 2):
                if not _same_up_to_transpose(fs[k], fs[n - 1 - k]):
                    return False
            return n % 2 == 0 or is_symmetric_expr(fs[n // 2], depth + 1)
    return False


def _symmetric_sum(terms: list[nodes.Expr], depth: int) -> bool:
    """Terms that are symmetric, or that pair off as ``T`` and ``Tᵀ``."""
    rest = [t for t in terms if not is_symmetric_expr(t, depth + 1)]
    while rest:
        t = rest.pop()
        partner = transposed_expr(t)
        match = next((n for n, u in enumerate(rest) if u == partner), None)
        if match is None:
            return False
        rest.pop(match)
    return True
