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

A constant may also be declared ``"stochastic"``: a probability vector (1-D), or a matrix
whose every row is one (nonnegative entries, each row summing to one), such as one-hot labels
or soft targets Y. The derivative then uses Σ_b Y_ab = 1, so that the softmax cross-entropy
gradient ``-sum(Y * log(softmax(X @ W, axis=1)))`` by W reads ``X^T (softmax(X W) - Y)``
instead of keeping ``diag(sum(Y, axis=1))``. The property is never assumed: without the
declaration the row sums stay. Arrays given for Y must have it (binding raises DomainError
otherwise), sampled ones do (softmax of random rows), and differentiating *by* a stochastic
variable raises NotSupportedError (its entries are not free).
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

#: How a variable's entries are tied: none (``"general"``), S = Sᵀ, zero off the diagonal, or
#: (``"stochastic"``) nonnegative rows summing to one.
Structure = Literal["general", "symmetric", "diagonal", "stochastic"]
STRUCTURES: tuple[Structure, ...] = get_args(Structure)

#: What the derivative by a symmetric variable means (see the module docstring).
SymmetricConvention = Literal["frobenius", "free"]
CONVENTIONS: tuple[SymmetricConvention, ...] = get_args(SymmetricConvention)


def check_structure(structure: object, shape: Shape, name: str) -> None:
    """Raise unless ``structure`` is known and fits ``shape`` (a symmetric or diagonal variable is
    a square matrix, a stochastic one a vector or a matrix).

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
    if structure == "stochastic":
        if len(shape) not in (1, 2):
            raise ShapeError(
                f"{name!r} is declared stochastic, which needs a probability vector (shape "
                f"(k,)) or a matrix whose rows sum to one (shape (n, k)), but its shape is "
                f"{shape!r}"
            )
        return
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
        A square shape, such as ``("n", "n")`` (for ``"stochastic"``: ``("k",)`` or
        ``("n", "k")``).
    structure : {"symmetric", "diagonal", "stochastic", "general"}

    Examples
    --------
    >>> import matderiv as md
    >>> shapes = {"S": md.structured(("n", "n"), "symmetric")}
    >>> md.derive("logdet(S)", "S", shapes=shapes, symmetric="frobenius").matrix
    'S^{-1}'
    >>> labels = {"X": ("n", "d"), "W": ("d", "k"), "Y": md.structured(("n", "k"), "stochastic")}
    >>> md.derive("-sum(Y * log(softmax(X @ W, axis=1)))", "W", shapes=labels).matrix
    'X^T (softmax(X W) - Y)'
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
