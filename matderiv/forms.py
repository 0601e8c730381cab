"""The differential form dL = G : dX and the Frobenius inner product A : B = tr(AᵀB).

For a scalar L of a matrix X, the differential dL is linear in dX, and every such linear map
is ``G : dX`` for exactly one G of X's shape: that G is the gradient. Identifying G is the
"differential method" of the Cross Validated answers and of Magnus & Neudecker. The rules that
make the method work, A:B = B:A = Bᵀ:Aᵀ and CA:B = C:BAᵀ = A:CᵀB, are properties of
:func:`frobenius` and are checked in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .derivative import Derivative, _resolve, derive
from .errors import NotSupportedError, ShapeError
from .expression import Expr, Mul, Var, shape_text
from .functions import Reduce
from .printing import latex_name, to_latex, to_text

__all__ = ["Differential", "differential", "frobenius"]


def frobenius(A: Any, B: Any) -> Any:
    """The Frobenius inner product ``A : B = Σ A_ij B_ij = tr(AᵀB)``.

    Arrays give a number; expressions give the expression ``sum(A * B)``.

    >>> import numpy as np
    >>> frobenius(np.eye(2), np.array([[1.0, 2.0], [3.0, 4.0]]))
    5.0
    """
    if isinstance(A, Expr) or isinstance(B, Expr):
        if not (isinstance(A, Expr) and isinstance(B, Expr)):
            raise ShapeError("frobenius needs two expressions or two arrays, not one of each")
        if A.shape != B.shape:
            raise ShapeError(
                f"A : B needs equal shapes, got {shape_text(A.shape)} and {shape_text(B.shape)}"
            )
        return Reduce("sum", Mul((A, B)))
    import numpy as np

    a, b = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if a.shape != b.shape:
        raise ShapeError(f"A : B needs equal shapes, got {a.shape} and {b.shape}")
    return float(np.sum(a * b))


@dataclass(frozen=True)
class Differential:
    """``dL = G : dX``: the differential of a scalar L, with its gradient G identified."""

    of: Expr
    wrt: Var
    gradient: Derivative

    @property
    def text(self) -> str:
        """``dL = (G) : dX`` in plain text (G in index form when it has no matrix form)."""
        g = self.gradient.matrix if self.gradient.matrix is not None else self.gradient.index
        return f"d({to_text(self.of)}) = ({g}) : d{self.wrt.name}"

    def latex(self) -> str:
        """The differential in LaTeX."""
        from .matrixform import form_latex
        from .notation import index_latex

        form = self.gradient.form
        g = form_latex(form) if form is not None else index_latex(self.gradient.index_expr)
        lhs = rf"d\left({to_latex(self.of)}\right)"
        return rf"{lhs} = \left({g}\right) : d{latex_name(self.wrt.name)}"

    def __str__(self) -> str:
        return self.text

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def _repr_markdown_(self) -> str:
        return f"$${self.latex()}$$"


def differential(
    expr: Expr | str, wrt: Var | str, shapes: Mapping[str, Any] | None = None
) -> Differential:
    """The differential ``dL = G : dX`` of a scalar expression, with G identified.

    >>> import matderiv as md
    >>> print(md.differential("sum((X @ W - Y)**2)", "W",
    ...                       shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}))
    d(sum((X W - Y)**2)) = (2 X^T (X W - Y)) : dW
    """
    e = _resolve(expr, shapes)
    if e.ndim:
        raise NotSupportedError(
            f"the differential form dL = G : dX needs a scalar L, but {to_text(e)} has shape "
            f"{shape_text(e.shape)}; contract it first (sum(G * ...)) or use md.derive"
        )
    g = derive(e, wrt, shapes)
    return Differential(e, g.wrt, g)
