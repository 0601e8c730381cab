"""Binding arrays to declared shapes: every array checked against its variable's shape, and
the size of every named dimension read off the arrays (or given by name, ``n=4``, for a
dimension that only the expression names). Evaluation, checks and generated code all bind
through here, so a wrong shape is the same clear :class:`ShapeError` everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from numbers import Integral
from typing import TYPE_CHECKING, Any

from ..errors import DomainError, ShapeError
from ..language.expression import Var, shape_text
from ..language.shapes import Dim, Shape, resolve_dim

__all__ = [
    "STRUCTURE_RTOL",
    "bind",
    "bind_sizes",
    "check_arguments",
    "check_structure_of",
    "missing_size",
    "size_of",
]

#: How far an array may be from its declared structure, relative to its largest entry (at
#: least 1): rounding in ``A @ A.T`` passes, a matrix that is not symmetric does not.
STRUCTURE_RTOL = 1e-9

if TYPE_CHECKING:  # this module loads no numpy: the pure-Python backend binds through it too
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]


def _is_size(value: Any) -> bool:
    """An int or a numpy integer (both are ``numbers.Integral``), not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def missing_size(name: str) -> ShapeError:
    """The error for a named dimension whose size no array and no keyword gives."""
    return ShapeError(
        f"the size of dimension {name!r} is not known: no array given has an axis declared "
        f"{name!r}; pass the size by name as an int, e.g. {name}=4"
    )


def size_of(dim: Dim, sizes: Mapping[str, int]) -> int:
    """The integer size of a dimension; a clear :class:`ShapeError` for an unknown name."""
    if isinstance(dim, int):
        return dim
    for part in dim.split("*"):
        if not part.isdigit() and part not in sizes:
            raise missing_size(part)
    return resolve_dim(dim, sizes)


def bind(
    declared: Iterable[tuple[str, Shape]],
    arrays: Mapping[str, Any],
    given: Mapping[str, Any] | None = None,
    dtype: Any = None,
    asarray: Callable[[Any, str], Any] | None = None,
) -> tuple[dict[str, Any], dict[str, int]]:
    """Check arrays against declared shapes; return them as numpy arrays (or as what
    ``asarray(value, name)`` makes of them: anything with a ``shape`` and an ``ndim``), and the
    size of every named dimension.

    ``given`` holds sizes passed by name (``n=4``): needed for a dimension that no array's axis
    is declared with, and checked against the arrays where one is. ``None`` values are ignored.
    """
    sizes: dict[str, int] = {}
    origin: dict[str, str] = {}
    out: dict[str, Any] = {}
    products: list[tuple[str, Shape, tuple[int, ...], int, str]] = []
    if asarray is None:
        import numpy as np

        def asarray(value: Any, name: str) -> Any:
            return np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)

    for name, shape in declared:
        if name not in arrays:
            raise ShapeError(
                f"no array given for variable {name!r} (shape {shape_text(shape)}); "
                f"pass it as {name}=..."
            )
        arr = asarray(arrays[name], name)
        out[name] = arr
        declared_as = f"{name} was declared {shape_text(shape)}"
        if arr.ndim != len(shape):
            raise ShapeError(
                f"the array for {name!r} has shape {arr.shape}, but {declared_as} "
                f"({len(shape)} axes)"
            )
        for axis, (d, n) in enumerate(zip(shape, arr.shape, strict=True)):
            if isinstance(d, int):
                if d != n:
                    raise ShapeError(
                        f"the array for {name!r} has shape {arr.shape}, but {declared_as}: "
                        f"axis {axis} must have size {d}"
                    )
            elif "*" in d:
                products.append((name, shape, arr.shape, axis, d))
            elif d in sizes and sizes[d] != n:
                raise ShapeError(
                    f"dimension {d!r} is {sizes[d]} in {origin[d]} but {n} in the array for "
                    f"{name!r} (shape {arr.shape}); {declared_as}"
                )
            else:
                sizes[d] = n
                origin[d] = f"the array for {name!r} (shape {arr.shape})"
    for d, value in (given or {}).items():
        if value is None:
            continue
        if not _is_size(value) or int(value) < 1:
            raise ShapeError(
                f"the size of dimension {d!r} must be a positive int, got {value!r:.60}"
            )
        if d in sizes and sizes[d] != int(value):
            raise ShapeError(
                f"the size of dimension {d!r} was given as {d}={int(value)}, but it is "
                f"{sizes[d]} in {origin[d]}"
            )
        sizes[d] = int(value)
    for name, shape, got, axis, d in products:
        parts = [p for p in d.split("*") if not p.isdigit()]
        if all(p in sizes for p in parts) and resolve_dim(d, sizes) != got[axis]:
            raise ShapeError(
                f"the array for {name!r} has shape {got}, but {name} was declared "
                f"{shape_text(shape)}: axis {axis} must have size {d} = {resolve_dim(d, sizes)}"
            )
    return out, sizes


def bind_sizes(
    variables: Iterable[Var],
    arrays: Mapping[str, Any],
    asarray: Callable[[Any, str], Any] | None = None,
) -> dict[str, int]:
    """Check arrays against the variables' shapes and return the size of every named dimension.

    A dimension that no variable's axis is declared with (the ``n`` of ``ones(n)``) takes its
    size from an int given by name among the arrays (``n=4``).

    >>> import numpy as np, matderiv as md
    >>> bind_sizes([md.var("X", ("B", "N"))], {"X": np.zeros((4, 3))})
    {'B': 4, 'N': 3}
    >>> bind_sizes([md.var("t", ())], {"t": 1.0, "n": 4})
    {'n': 4}
    """
    variables = list(variables)
    declared = sorted(((v.name, v.shape) for v in variables), key=lambda p: p[0])
    names = {name for name, _ in declared}
    given = {k: v for k, v in arrays.items() if k not in names and _is_size(v)}
    out, sizes = bind(declared, arrays, given, asarray=asarray)
    for v in variables:
        if v.structure != "general":
            check_structure_of(v.name, v.structure, out[v.name])
    return sizes


def check_structure_of(name: str, structure: str, array: Any) -> None:
    """Raise :class:`~matderiv.errors.DomainError` unless ``array`` (numpy, or anything with
    ``tolist()``) has the declared structure: symmetric, or zero off the diagonal, up to
    :data:`STRUCTURE_RTOL` relative to its largest entry; stochastic, nonnegative rows summing
    to one up to :data:`STRUCTURE_RTOL`.

    >>> import numpy as np
    >>> check_structure_of("S", "symmetric", np.array([[1.0, 2.0], [3.0, 1.0]]))
    Traceback (most recent call last):
    ...
    matderiv.errors.DomainError: S is declared symmetric, but the array given is not: entry ...
    """
    if structure == "stochastic":
        _check_stochastic(name, array)
        return
    if hasattr(array, "dtype"):  # numpy: look at the entries only when something is off
        import numpy as np

        a = np.asarray(array, dtype=np.float64)
        off = a - a.T if structure == "symmetric" else a - np.diag(np.diag(a))
        bound = STRUCTURE_RTOL * max(1.0, float(np.max(np.abs(a), initial=0.0)))
        if bool(np.all(np.abs(off) <= bound)):
            return
    rows = array.tolist()
    n = len(rows)
    scale = max([1.0, *(abs(float(x)) for row in rows for x in row)])
    for i in range(n):
        for j in range(i + 1, n):
            if structure == "symmetric":
                gap, what = abs(rows[i][j] - rows[j][i]), f"entry ({i}, {j}) is {rows[i][j]!r} "
                what += f"but ({j}, {i}) is {rows[j][i]!r}"
            else:
                gap = max(abs(rows[i][j]), abs(rows[j][i]))
                what = f"entries ({i}, {j}) and ({j}, {i}) are {rows[i][j]!r} and {rows[j][i]!r}"
            if not gap <= STRUCTURE_RTOL * scale:
                raise DomainError(
                    f"{name} is declared {structure}, but the array given is not: {what}; "
                    f"pass a {structure} matrix (such as "
                    + ("(A + A.T) / 2)" if structure == "symmetric" else "np.diag(v))")
                    + " or declare the variable without a structure"
                )


def _check_stochastic(name: str, array: Any) -> None:
    """Raise DomainError unless every row (the vector, for 1-D) is nonnegative and sums to one
    up to :data:`STRUCTURE_RTOL`."""
    data = array.tolist()
    rows = data if data and isinstance(data[0], list) else [data]
    for i, row in enumerate(rows):
        total = sum(float(x) for x in row)
        low = min((float(x) for x in row), default=0.0)
        if not (abs(total - 1.0) <= STRUCTURE_RTOL and low >= -STRUCTURE_RTOL):
            where = f"row {i}" if rows is data else "the vector"
            raise DomainError(
                f"{name} is declared stochastic, but the array given is not: {where} sums to "
                f"{total!r} with least entry {low!r}; pass nonnegative rows summing to one "
                "(such as a softmax of each row, or one-hot rows) or declare the variable "
                "without a structure"
            )


def check_arguments(
    declared: tuple[tuple[Any, ...], ...], values: tuple[Any, ...], given: Mapping[str, Any]
) -> tuple[list[Array], dict[str, int]]:
    """For generated code: the arguments as float arrays, checked against their declared
    shapes (and structures: ``(name, shape, structure)`` for a structured variable), and the
    size of every named dimension (``given``: sizes passed by name)."""
    arrays = {d[0]: value for d, value in zip(declared, values, strict=True)}
    out, sizes = bind([(d[0], d[1]) for d in declared], arrays, given, "float64")
    for entry in declared:
        if len(entry) == 3:
            check_structure_of(entry[0], entry[2], out[entry[0]])
    for d, value in given.items():
        if value is None and d not in sizes:
            raise missing_size(d)
    return [out[d[0]] for d in declared], sizes
