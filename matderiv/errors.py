"""The exceptions matderiv raises.

Every error that matderiv raises on purpose derives from :class:`MatderivError`, so
``except md.MatderivError`` catches all of them. The concrete classes also derive from the
matching built-in exception, so code that expects a ``ValueError`` for bad input or a
``NotImplementedError`` for an unsupported construct keeps working.
"""

from __future__ import annotations

__all__ = [
    "DomainError",
    "LayoutError",
    "MatderivError",
    "NotSupportedError",
    "ParseError",
    "ShapeError",
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
