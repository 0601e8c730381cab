"""Finite differences for a structured variable, each convention in its own sense.

A symmetric (or diagonal) S has fewer free entries than entries, and a check moves only those:
every perturbed point stays structured. For one free entry s_pq the direction is
E = e_p e_qᵀ + e_q e_pᵀ (p ≠ q) or e_p e_pᵀ, and the finite difference along E is ∂f/∂s_pq.

- ``"free"`` (partial derivatives by the free entries): entries (p, q) and (q, p) of the
  derivative both hold ∂f/∂s_pq;
- ``"frobenius"`` (the gradient on the symmetric matrices): the finite-difference gradient
  projected onto the symmetric matrices, sym(G)_pq = (G_pq + G_qp)/2 = ∂f/∂s_pq / 2 off the
  diagonal, ∂f/∂s_pp on it;
- diagonal: entry (p, p) holds ∂f/∂s_pp, every other entry 0.

A directional check draws a random structured direction V and compares ⟨D, W∘V⟩ with the
finite difference along V, W being the weights that make the convention's claim a linear
form on the structured directions (1 everywhere for the Frobenius gradient, 1 on and above
the diagonal for the free entries, which are counted once).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..language.structure import Structure, SymmetricConvention
from ..numeric.evaluation import Array

__all__ = ["claim_structure_error", "free_entries", "random_direction", "weights"]


def free_entries(
    structure: Structure, convention: SymmetricConvention | None, n: int
) -> Iterator[tuple[Array, tuple[tuple[int, int], ...], float]]:
    """Each free entry of an n×n structured matrix: its direction E, the entries of the
    derivative its finite difference fills, and the factor it is filled with."""
    for p in range(n):
        for q in range(p, n):
            if structure == "diagonal" and q != p:
                continue
            e = np.zeros((n, n))
            e[p, q] = e[q, p] = 1.0
            if p == q:
                yield e, ((p, p),), 1.0
            else:
                yield e, ((p, q), (q, p)), 0.5 if convention == "frobenius" else 1.0


def random_direction(structure: Structure, gen: np.random.Generator, n: int) -> Array:
    """A random direction with the structure (symmetric, or diagonal)."""
    v = gen.standard_normal((n, n))
    if structure == "diagonal":
        return np.diag(np.diag(v))
    return (v + v.T) / 2


def weights(structure: Structure, convention: SymmetricConvention | None, n: int) -> Array:
    """W such that ⟨D, W∘V⟩ is the directional derivative along a structured V."""
    if structure == "symmetric" and convention == "free":
        return np.triu(np.ones((n, n)))
    return np.ones((n, n))


def claim_structure_error(jacobian: Array, structure: Structure, out_ndim: int) -> str | None:
    """Why the claimed derivative lacks the structure both conventions give it (symmetric in
    the variable's two axes, or zero off their diagonal), or None when it has it."""
    d = np.moveaxis(jacobian, (out_ndim, out_ndim + 1), (-2, -1))
    n = d.shape[-1]
    scale = max(1.0, float(np.max(np.abs(d), initial=0.0)))
    if structure == "symmetric":
        gap = np.abs(d - np.swapaxes(d, -1, -2))
        what = "symmetric in the variable's two axes"
    else:
        gap = np.abs(d * (1 - np.eye(n)))
        what = "zero off the diagonal of the variable's two axes"
    if np.all(gap <= 1e-9 * scale):
        return None
    w = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
    return (
        f"the claimed derivative is not {what}, as the derivative by a {structure} variable "
        f"is in either convention (worst at {w} of the output and variable axes, "
        f"off by {float(gap[w]):.3g})"
    )
