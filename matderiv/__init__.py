"""matderiv: derive and verify vector, matrix and tensor derivatives, step by step.

>>> import matderiv as md
>>> d = md.derive("sum((X @ W - Y)**2)", "W",
...               shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")})
>>> print(d.matrix)
2 X^T (X W - Y)
"""

from __future__ import annotations

from . import errors
from .derivative import Derivative, Step, derive, hessian
from .errors import LayoutError, MatderivError, NotSupportedError, ParseError, ShapeError
from .expression import Expr, var
from .parsing import parse
from .verification import Report, check_derivative, check_identity

__all__ = [
    "Derivative",
    "Expr",
    "LayoutError",
    "MatderivError",
    "NotSupportedError",
    "ParseError",
    "Report",
    "ShapeError",
    "Step",
    "check_derivative",
    "check_identity",
    "derive",
    "errors",
    "hessian",
    "parse",
    "var",
]

__version__ = "0.1.0"
