"""Structured variables: a square matrix declared symmetric or diagonal.

A structured variable has fewer free entries than its shape suggests: a symmetric n×n matrix
has n(n+1)/2 (S_pq and S_qp are one number), a diagonal one has n. Declare one with
``md.var("S", ("n", "n"), structure="symmetric")``, or in ``shapes=`` with
:func:`structured`: ``shapes={"S": md.structured(("n", "n"), "symmetric")}``. (A plain tuple
cannot carry the structure: ``("n", "n", "symmetric")`` is a valid three-axis shape.)

Differentiating by a symmetric variable needs a convention, which the user names
(``SymmetricConvention``); there is no default, because the two conventions in the
literature give different matrices and both are right in their own sense. With G the
derivative that ignores the symmetry:

- ``"frobenius"``: the gradient in the space of symmetric matrices with the Frobenius inner
  product, sym(G) = (G + Gᵀ)/2 (Srinivasan & Panda, arXiv 1911.06491): the symmetric D with
  ⟨D, E⟩ = df for every symmetric direction E. Gradient descent wants this one.
- ``"free"``: the partial derivatives with respect to the n(n+1)/2 free entries, entry (p, q)
  and (q, p) both holding ∂f/∂S_pq: G + Gᵀ − G∘I (the Matrix Cookbook, §2.8.2).

For a diagonal variable both conventions give G∘I, so none is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from ..errors import LayoutError, ShapeError
from .shapes import Shape, normalize_shape

__all__ = [
    "CONVENTIONS",
    "STRUCTURES",
    "Structure",
    "Structured",
    "SymmetricConvention",
    "check_structure",
    "needs_convention",
    "structured",
]

#: How a variable's entries are tied: none (``"general"``), S = Sᵀ, or zero off the diagonal.
Structure = Literal["general", "symmetric", "diagonal"]
STRUCTURES: tuple[Structure, ...] = get_args(Structure)

#: What the derivative by a symmetric variable means (see the module docstring).
SymmetricConvention = Literal["frobenius", "free"]
CONVENTIONS: tuple[SymmetricConvention, ...] = get_args(SymmetricConvention)


def check_structure(structure: object, shape: Shape, name: str) -> None:
    """Raise unless ``structure`` is known and fits ``shape`` (a structured variable is a square
    matrix).

    >>> check_structure("symmetric", ("n", "m"), "S")
    Traceback (most recent call last):
    ...
    matderiv.errors.ShapeError: 'S' is declared symmetric, which needs a square matrix (shape ...
    """
    if structure not in STRUCTURES:
        raise ShapeError(
            f"unknown structure {structure!r} for {name!r}; expected one of "
            f"{', '.join(map(repr, STRUCTURES))}"
        )
    if structure != "general" and (len(shape) != 2 or shape[0] != shape[1]):
        raise ShapeError(
            f"{name!r} is declared {structure}, which needs a square matrix (shape (n, n)), "
            f"but its shape is {shape!r}"
        )


@dataclass(frozen=True)
class Structured:
    """A shape with a structure, as ``shapes=`` takes it: see :func:`structured`."""

    shape: Shape
    structure: Structure

    def __post_init__(self) -> None:
        check_structure(self.structure, self.shape, "a structured shape")


def structured(shape: object, structure: Structure) -> Structured:
    """A shape declared with a structure, for ``shapes=`` in every verb.

    Parameters
    ----------
    shape : tuple of int or str
        A square shape, such as ``("n", "n")``.
    structure : {"symmetric", "diagonal", "general"}

    Examples
    --------
    >>> import matderiv as md
    >>> shapes = {"S": md.structured(("n", "n"), "symmetric")}
    >>> md.derive("logdet(S)", "S", shapes=shapes, symmetric="frobenius").matrix
    'S^{-1}'
    """
    return Structured(normalize_shape(shape, "a structured shape"), structure)


def needs_convention(
    name: str, structure: Structure, convention: SymmetricConvention | None
) -> SymmetricConvention | None:
    """The convention a derivative by a variable of this structure uses: checked, and required
    for a symmetric one (a :class:`~matderiv.errors.LayoutError` naming both conventions
    without it)."""
    if convention is not None and convention not in CONVENTIONS:
        raise LayoutError(
            f"unknown convention symmetric={convention!r}; expected one of "
            f"{', '.join(map(repr, CONVENTIONS))}"
        )
    if structure == "symmetric" and convention is None:
        raise LayoutError(
            f"{name!r} is symmetric, and the derivative by a symmetric matrix has two "
            "conventions that give different matrices; choose one: symmetric='frobenius' (the "
            "gradient on the symmetric matrices, (G + G^T)/2, what gradient descent wants) or "
            "symmetric='free' (the partial derivatives by the n(n+1)/2 free entries, "
            "G + G^T - G * I, as in the Matrix Cookbook §2.8.2)"
        )
    return convention
