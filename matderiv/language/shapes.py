"""Dimensions and shapes: integer sizes, named sizes, and products of them.

A dimension is either a non-negative ``int`` or a :class:`str` naming a size, such as ``"N"``.
Products of dimensions (the axis of ``kron(A, B)`` or ``vec(X)``) are written as a canonical
string: an optional integer factor followed by the names in sorted order, joined by ``*``
(``"2*M*N"``). Two dimensions are equal exactly when their canonical forms are equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..errors import ShapeError

__all__ = [
    "Dim",
    "Shape",
    "dim_names",
    "dim_product",
    "dim_text",
    "dimension_owners",
    "name_clash",
    "normalize_shape",
    "resolve_dim",
]

Dim = int | str
Shape = tuple[Dim, ...]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _factors(dim: Dim) -> tuple[int, list[str]]:
    if isinstance(dim, int):
        return dim, []
    number = 1
    names: list[str] = []
    for part in dim.split("*"):
        if part.isdigit():
            number *= int(part)
        else:
            names.append(part)
    return number, names


def dim_product(dims: Iterable[Dim]) -> Dim:
    """Return the product of dimensions in canonical form.

    Examples
    --------
    >>> dim_product([2, 3])
    6
    >>> dim_product(["N", 2, "M"])
    '2*M*N'
    """
    number = 1
    names: list[str] = []
    for dim in dims:
        n, more = _factors(dim)
        number *= n
        names.extend(more)
    if not names or number == 0:
        return number
    names.sort()
    return "*".join(([str(number)] if number != 1 else []) + names)


def dim_names(dim: Dim) -> list[str]:
    """The names in a dimension: ``[]`` for an int, ``["M", "N"]`` for ``"2*M*N"``."""
    return _factors(dim)[1]


def name_clash(name: str, owners: Iterable[str]) -> ShapeError:
    """The error for a variable named like a dimension of the given variables' shapes."""
    return ShapeError(
        f"{name!r} is both a variable and a dimension (in the shape of "
        f"{', '.join(map(repr, owners))}); a dimension name stands for its size in an "
        "expression, so give the variable or the dimension another name"
    )


def dimension_owners(shapes: Mapping[str, object]) -> dict[str, list[str]]:
    """Every dimension name in ``{name: shape}`` (a shape, or an expression with ``.shape``),
    with the variables whose shapes use it.

    >>> dimension_owners({"X": ("B", "N"), "b": ("N",), "t": ()})
    {'B': ['X'], 'N': ['X', 'b']}
    """
    out: dict[str, list[str]] = {}
    for var_name, given in shapes.items():
        try:
            shape = getattr(given, "shape", None)
            if not isinstance(shape, tuple):
                shape = normalize_shape(given, var_name)
        except ShapeError:
            continue  # reported where the variable is used
        for d in shape:
            for part in dim_names(d):
                if var_name not in out.setdefault(part, []):
                    out[part].append(var_name)
    return out


def dim_text(dim: Dim) -> str:
    """Return a dimension as text, as used in error messages (``N``, ``3``, ``M*N``)."""
    return str(dim)


def normalize_shape(shape: object, name: str) -> Shape:
    """Validate a user-given shape and return it as a tuple of dimensions.

    Parameters
    ----------
    shape : tuple of int or str
        The shape; ``()`` is a scalar. A single int or str is taken as a 1-tuple.
    name : str
        The variable's name, used in error messages.

    Examples
    --------
    >>> normalize_shape(("B", 3), "X")
    ('B', 3)
    >>> normalize_shape((2, -1), "X")
    Traceback (most recent call last):
    ...
    matderiv.errors.ShapeError: shape of 'X' is (2, -1): dimension -1 must be a positive int or ...
    """
    if isinstance(shape, int | str) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, tuple | list):
        raise ShapeError(
            f"shape of {name!r} is {shape!r}: expected a tuple of ints or dimension names, "
            "such as (3, 'N') or () for a scalar"
        )
    dims: list[Dim] = []
    for dim in shape:
        if isinstance(dim, bool) or not isinstance(dim, int | str):
            raise ShapeError(
                f"shape of {name!r} is {tuple(shape)!r}: dimension {dim!r} must be a positive "
                "int or a name such as 'N'"
            )
        if isinstance(dim, int):
            if dim < 1:
                raise ShapeError(
                    f"shape of {name!r} is {tuple(shape)!r}: dimension {dim!r} must be a "
                    "positive int or a name such as 'N'"
                )
        else:
            dim = dim.strip()
            if dim.isdigit():
                dim = int(dim)
            elif not _NAME.fullmatch(dim):
                raise ShapeError(
                    f"shape of {name!r} is {tuple(shape)!r}: dimension {dim!r} must be a "
                    "positive int or a name such as 'N'"
                )
        dims.append(dim)
    return tuple(dims)


def resolve_dim(dim: Dim, sizes: Mapping[str, int]) -> int:
    """Return the integer size of a dimension, given the sizes of the named ones.

    >>> resolve_dim("2*M*N", {"M": 3, "N": 4})
    24
    """
    number, names = _factors(dim)
    for name in names:
        if name not in sizes:
            raise ShapeError(f"the size of dimension {name!r} is not known from the arrays given")
        number *= sizes[name]
    return number
