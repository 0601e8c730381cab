"""What the stages below :class:`matderiv.Derivative` may know of a derivative.

``numeric/`` (flattening) and ``checks/`` (finite differences, exact proofs) work on derivatives,
but they sit below ``derivative.py`` in the pipeline and never import it. They see a derivative
through these protocols instead, which :class:`matderiv.Derivative` satisfies structurally.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeGuard, runtime_checkable

from ..language.expression import Expr, Var
from ..language.shapes import Shape
from .index import IndexExpr
from .matrixform import MForm

__all__ = ["DerivativeData", "DerivativeLike", "is_derivative"]


@runtime_checkable
class DerivativeData(Protocol):
    """The data of a derivative: what it differentiates, by what, and its index and matrix
    forms (``index_expr`` has the output's free indices first, then the variable's)."""

    @property
    def of(self) -> Expr | DerivativeData: ...

    @property
    def wrt(self) -> Var: ...

    @property
    def index_expr(self) -> IndexExpr: ...

    @property
    def form(self) -> MForm | None: ...

    @property
    def out_shape(self) -> Shape: ...

    @property
    def variables(self) -> frozenset[Var]: ...

    @property
    def layout(self) -> str: ...


class DerivativeLike(DerivativeData, Protocol):
    """A derivative with its printed forms, numbers and layouts, as flattening needs it."""

    @property
    def index(self) -> str: ...

    @property
    def matrix(self) -> str | None: ...

    @property
    def shape(self) -> Shape: ...

    def evaluate(self, given: Any = None, /, **arrays: Any) -> Any: ...

    def to_layout(self, layout: Any) -> DerivativeLike: ...


def is_derivative(value: object) -> TypeGuard[DerivativeLike]:
    """Return whether ``value`` is a derivative (has a derivative's data), not an expression,
    a string or a Python callable."""
    return isinstance(value, DerivativeData) and not isinstance(value, Expr)
