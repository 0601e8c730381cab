"""The exceptions matderiv raises.

Every error that matderiv raises on purpose derives from :class:`MatderivError`, so
``except md.MatderivError`` catches all of them. The concrete classes also derive from the
matching built-in exception, so code that expects a ``ValueError`` for bad input or a
``NotImplementedError`` for an unsupported construct keeps working.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Never, NoReturn

__all__ = [
    "DomainError",
    "LayoutError",
    "MatderivError",
    "NotSupportedError",
    "ParseError",
    "ShapeError",
    "check_kind",
    "unknown_kind",
]


class MatderivError(Exception):
    """Base class of every error raised by matderiv."""

    #: The name of a variable whose shape was not given, when that is the error; a front end
    #: (the command line) words its own hint from it, such as ``--shape w=3``.
    missing_shape: str | None = None
    #: The hint that ends the message (after " — "), or "" when there is none.
    hint: str = ""


class ParseError(MatderivError, ValueError):
    """The expression text is not valid in the expression language.

    Examples
    --------
    >>> import matderiv as md
    >>> md.derive("sum(X @", "X", shapes={"X": (2, 2)})
    Traceback (most recent call last):
    ...
    matderiv.errors.ParseError: invalid syntax at column 4: 'sum(X @' (was a closing bracket ...)
    """


class ShapeError(MatderivError, ValueError):
    """Operands have shapes that the operation cannot combine, or a shape is malformed."""


class LayoutError(MatderivError, ValueError):
    """A layout convention does not define this arrangement of a derivative."""


class DomainError(MatderivError, ValueError):
    """The point is outside the domain: finite inputs gave a value that is not finite, as
    ``norm(x)`` differentiated at x = 0 or ``log(x)`` at x ≤ 0."""


class NotSupportedError(MatderivError, NotImplementedError):
    """The construct is understood but matderiv cannot differentiate or represent it.

    matderiv raises this instead of returning a guess.
    """


def check_kind(value: object, allowed: Collection[object], what: str) -> None:
    """Raise NotSupportedError unless ``value`` is one of ``allowed``: how a node validates a
    ``Literal`` field (a factor kind, a reduction) when it is built.

    >>> check_kind("max", ("sum", "mean"), "reduction")
    Traceback (most recent call last):
    ...
    matderiv.errors.NotSupportedError: unknown reduction 'max'; expected one of 'sum', 'mean'
    """
    if value not in allowed:
        raise NotSupportedError(_unknown(value, what, allowed))


def unknown_kind(value: Never, what: str, allowed: Collection[object] = ()) -> NoReturn:
    """The end of an exhaustive match on a ``Literal`` kind: mypy checks that every case is
    handled (``value`` is then of type ``Never``), and at run time an unknown case raises
    NotSupportedError naming it instead of falling into another case's branch."""
    raise NotSupportedError(_unknown(value, what, allowed))


def _unknown(value: object, what: str, allowed: Collection[object]) -> str:
    expected = f"; expected one of {', '.join(map(repr, allowed))}" if allowed else ""
    return f"unknown {what} {value!r}{expected}"
