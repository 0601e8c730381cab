"""Layout conventions: how the entries ∂y[i…]/∂x[p…] are arranged into an array.

matderiv derives in the ``"tensor"`` layout (output axes, then the variable's axes: the shape of
``jax.jacobian``). The matrix conventions arrange the same numbers as 2-D arrays, with vectors
as columns (m×1) or rows (1×n), which is their whole point:

==============  ===========  ===========  ===========  ===========  ===========
convention      ∂s/∂v        ∂v/∂s        ∂v/∂v        ∂s/∂M        ∂M/∂s
==============  ===========  ===========  ===========  ===========  ===========
numerator       1×n row      m×1 column   m×n          shape of Mᵀ  shape of M
denominator     n×1 column   1×m row      n×m          shape of M   shape of Mᵀ
mixed           n×1 column   m×1 column   m×n          shape of M   shape of M
mit             n×1 column   1×m row      n×m          shape of M   shape of Mᵀ
==============  ===========  ===========  ===========  ===========  ===========

(``s`` scalar, ``v`` a vector of m or n entries, ``M`` a matrix.) ``mixed`` is the convention of
MatrixCalculus.org; ``mit`` is the one the MIT 6.390 notes define, which coincides with the
denominator layout. Numerator and denominator are each other's transposes wherever both are
defined. No matrix convention defines a vector by a matrix, a matrix by a vector or a matrix by
a matrix: those raise :class:`~matderiv.errors.LayoutError`, which suggests the tensor layout or
a flattening (:func:`matderiv.numeric.flattening.to_vec_jacobian`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from ..errors import LayoutError, ShapeError
from ..language.shapes import Dim, Shape

__all__ = [
    "CONVENTIONS",
    "KINDS",
    "Cell",
    "Table",
    "arrange",
    "arranged_shape",
    "recipe",
    "table",
    "to_tensor",
]

Layout = Literal["tensor", "numerator", "denominator", "mixed", "mit"]
Recipe = Literal["same", "T", "row", "col"]

CONVENTIONS: tuple[Layout, ...] = get_args(Layout)
KINDS = ("scalar", "vector", "matrix")

# (out rank, wrt rank) -> recipe, for the matrix conventions
_S, _V, _M = 0, 1, 2
_RECIPES: dict[str, dict[tuple[int, int], Recipe]] = {
    "numerator": {
        (_S, _S): "same", (_S, _V): "row", (_V, _S): "col",
        (_V, _V): "same", (_S, _M): "T", (_M, _S): "same",
    },
    "denominator": {
        (_S, _S): "same", (_S, _V): "col", (_V, _S): "row",
        (_V, _V): "T", (_S, _M): "same", (_M, _S): "T",
    },
    "mixed": {
        (_S, _S): "same", (_S, _V): "col", (_V, _S): "col",
        (_V, _V): "same", (_S, _M): "same", (_M, _S): "same",
    },
}  # fmt: skip
_RECIPES["mit"] = _RECIPES["denominator"]


def _kind(rank: int) -> str:
    return KINDS[rank] if rank < 3 else f"{rank}-tensor"


def _check_name(name: str) -> None:
    if name not in CONVENTIONS:
        raise LayoutError(
            f"unknown layout {name!r}; expected one of {', '.join(map(repr, CONVENTIONS))}"
        )


def recipe(name: str, out_rank: int, wrt_rank: int) -> Recipe:
    """How a convention arranges the tensor-layout result: ``same``, ``T``, ``row`` or ``col``.

    >>> recipe("numerator", 0, 2), recipe("denominator", 1, 1), recipe("mit", 1, 0)
    ('T', 'T', 'row')
    >>> recipe("numerator", 1, 2)
    Traceback (most recent call last):
    ...
    matderiv.errors.LayoutError: the numerator layout does not define the derivative of a vector ...
    """
    _check_name(name)
    if name == "tensor":
        return "same"
    found = _RECIPES[name].get((out_rank, wrt_rank))
    if found is None:
        total = out_rank + wrt_rank
        raise LayoutError(
            f"the {name} layout does not define the derivative of a {_kind(out_rank)} by a "
            f"{_kind(wrt_rank)}; use layout='tensor' (a {total}-axis array: the output's axes, "
            "then the variable's), or flatten it: md.flattening.to_vec_jacobian gives the "
            "matrix ∂vec(Y)/∂vec(X)ᵀ"
        )
    return found


def arranged_shape(out_shape: Sequence[Dim], wrt_shape: Sequence[Dim], name: str) -> Shape:
    """The shape of a derivative in a convention.

    >>> arranged_shape(("m",), ("n",), "denominator"), arranged_shape((), ("p", "q"), "numerator")
    (('n', 'm'), ('q', 'p'))
    """
    how = recipe(name, len(out_shape), len(wrt_shape))
    full: Shape = (*out_shape, *wrt_shape)
    if how == "same":
        return full
    if how == "T":
        return full[::-1]
    return (1, *full) if how == "row" else (*full, 1)


def arrange(array: Any, out_shape: Sequence[int], wrt_shape: Sequence[int], name: str) -> Any:
    """Arrange a tensor-layout derivative (shape ``out_shape + wrt_shape``) in a convention.

    >>> import numpy as np
    >>> arrange(np.arange(6.0).reshape(2, 3), (2,), (3,), "denominator").shape
    (3, 2)
    """
    import numpy as np

    arr = np.asarray(array)
    want = (*out_shape, *wrt_shape)
    if arr.shape != want:
        raise ShapeError(
            f"the derivative has shape {arr.shape}, but output {tuple(out_shape)} by variable "
            f"{tuple(wrt_shape)} needs {want} in the tensor layout"
        )
    how = recipe(name, len(out_shape), len(wrt_shape))
    if how == "same":
        return arr
    if how == "T":
        return arr.T
    return arr.reshape((1, -1) if how == "row" else (-1, 1))


def to_tensor(array: Any, out_shape: Sequence[int], wrt_shape: Sequence[int], name: str) -> Any:
    """The inverse of :func:`arrange`: back to the tensor layout."""
    import numpy as np

    arr = np.asarray(array)
    want = tuple(int(d) for d in arranged_shape(tuple(out_shape), tuple(wrt_shape), name))
    if arr.shape != want:
        raise ShapeError(
            f"a derivative in the {name} layout of output {tuple(out_shape)} by variable "
            f"{tuple(wrt_shape)} has shape {want}, got {arr.shape}"
        )
    how = recipe(name, len(out_shape), len(wrt_shape))
    full = (*out_shape, *wrt_shape)
    return arr.T if how == "T" else arr.reshape(full)


@dataclass(frozen=True)
class Cell:
    """One cell of the shape table: a convention's shape for one kind of derivative."""

    convention: str
    out_kind: str
    wrt_kind: str
    shape: Shape | None

    @property
    def text(self) -> str:
        """The shape as ``m×n`` (``scalar`` for ``()``, ``undefined`` when not defined)."""
        if self.shape is None:
            return "undefined"
        return "×".join(map(str, self.shape)) if self.shape else "scalar"


_OUT = {"scalar": (), "vector": ("m",), "matrix": ("m", "n")}
_WRT = {"scalar": (), "vector": ("p",), "matrix": ("p", "q")}


@dataclass(frozen=True)
class Table:
    """Shapes of ∂y/∂x for every kind of y and x (scalar, vector m, matrix m×n; scalar, vector p,
    matrix p×q) in every convention."""

    cells: tuple[Cell, ...]

    def cell(self, convention: str, out_kind: str, wrt_kind: str) -> Cell:
        """The cell for one convention and pair of kinds."""
        for c in self.cells:
            if (c.convention, c.out_kind, c.wrt_kind) == (convention, out_kind, wrt_kind):
                return c
        raise KeyError((convention, out_kind, wrt_kind))

    def to_markdown(self) -> str:
        """The table as Markdown: a row per pair of kinds, a column per convention."""
        head = "| y by x | " + " | ".join(CONVENTIONS) + " |"
        lines = [head, "|---" * (len(CONVENTIONS) + 1) + "|"]
        for o in KINDS:
            for w in KINDS:
                row = [self.cell(c, o, w).text for c in CONVENTIONS]
                lines.append(f"| {o} by {w} | " + " | ".join(row) + " |")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()


def table() -> Table:
    """The shape table of every convention.

    >>> t = table()
    >>> t.cell("numerator", "scalar", "matrix").text, t.cell("mit", "matrix", "scalar").text
    ('q×p', 'n×m')
    >>> t.cell("mixed", "vector", "matrix").text
    'undefined'
    """
    cells = []
    for c in CONVENTIONS:
        for o in KINDS:
            for w in KINDS:
                try:
                    shape: Shape | None = arranged_shape(_OUT[o], _WRT[w], c)
                except LayoutError:
                    shape = None
                cells.append(Cell(c, o, w, shape))
    return Table(tuple(cells))
