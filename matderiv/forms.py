"""Forms built on a derivative: the differential dL = G : dX, the Frobenius inner product
A : B = tr(AᵀB), and :func:`value_and_grad`, one compiled function for a value and its gradient.

For a scalar L of a matrix X, the differential dL is linear in dX, and every such linear map
is ``G : dX`` for exactly one G of X's shape: that G is the gradient. Identifying G is the
"differential method" of the Cross Validated answers and of Magnus & Neudecker. The rules that
make the method work, A:B = B:A = Bᵀ:Aᵀ and CA:B = C:BAᵀ = A:CᵀB, are properties of
:func:`frobenius` and are checked in the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .derivative import Derivative, derive
from .engine.formprint import form_latex
from .engine.notation import index_latex
from .errors import NotSupportedError, ShapeError
from .language.expression import Expr, Mul, Var, shape_text
from .language.functions import Reduce
from .language.inputs import as_expression
from .language.printing import latex_name, to_latex, to_text
from .language.structure import SymmetricConvention
from .numeric.codegen import argument_order, compile_source, generate

__all__ = ["Differential", "differential", "frobenius", "value_and_grad"]


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
    expr: Expr | str,
    wrt: Var | str,
    shapes: Mapping[str, Any] | None = None,
    *,
    symmetric: SymmetricConvention | None = None,
) -> Differential:
    """The differential ``dL = G : dX`` of a scalar expression, with G identified.

    By a symmetric variable, ``dL = G : dS`` over symmetric dS identifies G only in the space
    of symmetric matrices: pass ``symmetric="frobenius"`` (G = sym of the unstructured one).
    The free-entry convention is no such G (it counts each off-diagonal pair once), so
    ``symmetric="free"`` raises :class:`~matderiv.errors.NotSupportedError`.

    >>> import matderiv as md
    >>> print(md.differential("sum((X @ W - Y)**2)", "W",
    ...                       shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}))
    d(sum((X W - Y)**2)) = (2 X^T (X W - Y)) : dW
    """
    e = as_expression(expr, shapes)
    if e.ndim:
        raise NotSupportedError(
            f"the differential form dL = G : dX needs a scalar L, but {to_text(e)} has shape "
            f"{shape_text(e.shape)}; contract it first (sum(G * ...)) or use md.derive"
        )
    if symmetric == "free":
        raise NotSupportedError(
            "dL = G : dS holds for the Frobenius gradient on the symmetric matrices, not for "
            "the partial derivatives by the free entries (each off-diagonal pair is one entry, "
            "counted once); use symmetric='frobenius', or md.derive(..., symmetric='free')"
        )
    g = derive(e, wrt, shapes, symmetric=symmetric)
    return Differential(e, g.wrt, g)


def value_and_grad(
    expr: Expr | str,
    wrt: Var | str,
    shapes: Any = None,
    args: Sequence[str] | None = None,
    *,
    symmetric: SymmetricConvention | None = None,
) -> Callable[..., Any]:
    """A plain numpy function returning ``(value, gradient)`` that computes the shared parts once
    (for ``sum((X @ W - Y)**2)``, the residual ``X @ W - Y``).

    The gradient is in the tensor layout (shape ``out.shape + wrt.shape``). Arguments are
    keyword-only, named after the variables, unless ``args`` (every variable's name, once) fixes
    a positional order. Each argument's shape is checked against its declared shape
    (:class:`~matderiv.errors.ShapeError` otherwise); a named size that no argument's shape gives
    (the ``n`` of ``ones(n)``) is a keyword argument of its own, ``n=4``. A symmetric ``wrt``
    needs ``symmetric="frobenius"`` or ``"free"``, as in :func:`matderiv.derive`.

    >>> import numpy as np, matderiv as md
    >>> shapes = {"X": (4, 3), "W": (3, 2), "Y": (4, 2)}
    >>> f = md.value_and_grad("sum((X @ W - Y)**2)", "W", shapes=shapes)
    >>> value, grad = f(W=np.ones((3, 2)), X=np.ones((4, 3)), Y=np.zeros((4, 2)))
    >>> float(value), grad.shape
    (72.0, (3, 2))
    >>> g = md.value_and_grad("sum((X @ W - Y)**2)", "W", shapes=shapes, args=("X", "W", "Y"))
    >>> float(g(np.ones((4, 3)), np.ones((3, 2)), np.zeros((4, 2)))[0])
    72.0
    """
    e = as_expression(expr, shapes)
    d = derive(e, wrt, shapes, symmetric=symmetric)
    variables = argument_order(d.variables | {d.wrt}, args)
    outputs = [(e, e.shape, ""), (d.program(), d.tensor_shape, "")]
    source = generate("value_and_grad", variables, outputs, positional=args is not None)
    return compile_source(source, "value_and_grad")
