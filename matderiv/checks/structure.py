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

The rules (``free_pairs``, ``weight``, ``unstructured_message``) need no numpy, so that the
pure-Python checks (``matderiv.checks.pure``) read a claim exactly as the numpy ones do;
numpy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..language.structure import Structure, SymmetricConvention

if TYPE_CHECKING:  # numpy only inside functions: checks.pure imports the rules without it
    import numpy as np

    from ..numeric.evaluation import Array

__all__ = [
    "STRUCTURE_RTOL",
    "claim_structure_error",
    "free_entries",
    "free_pairs",
    "random_direction",
    "unstructured_message",
    "weight",
    "weights",
]

#: A claim is structured when its gap is at most this, relative to max(1, its largest entry).
STRUCTURE_RTOL = 1e-9

Entries = tuple[tuple[int, int], ...]


def free_pairs(
    structure: Structure, convention: SymmetricConvention | None, n: int
) -> Iterator[tuple[tuple[int, int], Entries, float]]:
    """Each free entry (p, q), p ≤ q, of an n×n structured matrix: the entries of the
    derivative its finite difference (along E = e_p e_qᵀ + e_q e_pᵀ, or e_p e_pᵀ) fills, and
    the factor it is filled with."""
    for p in range(n):
        for q in range(p, n):
            if structure == "diagonal" and q != p:
                continue
            if p == q:
                yield (p, q), ((p, p),), 1.0
            else:
                yield (p, q), ((p, q), (q, p)), 0.5 if convention == "frobenius" else 1.0


def free_entries(
    structure: Structure, convention: SymmetricConvention | None, n: int
) -> Iterator[tuple[Array, Entries, float]]:
    """Each free entry of an n×n structured matrix: its direction E, the entries of the
    derivative its finite difference fills, and the factor it is filled with."""
    import numpy as np

    for (p, q), entries, factor in free_pairs(structure, convention, n):
        e = np.zeros((n, n))
        e[p, q] = e[q, p] = 1.0
        yield e, entries, factor


def random_direction(structure: Structure, gen: np.random.Generator, n: int) -> Array:
    """A random direction with the structure (symmetric, or diagonal)."""
    import numpy as np

    v = gen.standard_normal((n, n))
    if structure == "diagonal":
        return np.diag(np.diag(v))
    return (v + v.T) / 2


def weight(structure: Structure, convention: SymmetricConvention | None, p: int, q: int) -> float:
    """Entry (p, q) of W, such that ⟨D, W∘V⟩ is the directional derivative along a structured
    V: 1 everywhere, but 0 below the diagonal for the free entries (counted once)."""
    return 0.0 if structure == "symmetric" and convention == "free" and p > q else 1.0


def weights(structure: Structure, convention: SymmetricConvention | None, n: int) -> Array:
    """W such that ⟨D, W∘V⟩ is the directional derivative along a structured V."""
    import numpy as np

    return np.array([[weight(structure, convention, p, q) for q in range(n)] for p in range(n)])


def unstructured_message(structure: Structure, where: tuple[int, ...], gap: float) -> str:
    """Why a claim whose worst gap from the structure is ``gap`` at ``where`` is refused."""
    if structure == "symmetric":
        what = "symmetric in the variable's two axes"
    else:
        what = "zero off the diagonal of the variable's two axes"
    return (
        f"the claimed derivative is not {what}, as the derivative by a {structure} variable "
        f"is in either convention (worst at {where} of the output and variable axes, "
        f"off by {gap:.3g})"
    )


def claim_structure_error(jacobian: Array, structure: Structure, out_ndim: int) -> str | None:
    """Why the claimed derivative lacks the structure both conventions give it (symmetric in
    the variable's two axes, or zero off their diagonal), or None when it has it."""
    import numpy as np

    d = np.moveaxis(jacobian, (out_ndim, out_ndim + 1), (-2, -1))
    n = d.shape[-1]
    scale = max(1.0, float(np.max(np.abs(d), initial=0.0)))
    if structure == "symmetric":
        gap = np.abs(d - np.swapaxes(d, -1, -2))
    else:
        gap = np.abs(d * (1 - np.eye(n)))
    if np.all(gap <= STRUCTURE_RTOL * scale):
        return None
    w = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
    return unstructured_message(structure, w, float(gap[w]))
