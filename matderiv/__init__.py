"""matderiv: derive and verify vector, matrix and tensor derivatives, step by step.

>>> import matderiv as md
>>> d = md.derive("sum((X @ W - Y)**2)", "W",
...               shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")})
>>> print(d.matrix)
2 X^T (X W - Y)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors
from .derivative import Derivative, derive, hessian
from .errors import (
    DomainError,
    LayoutError,
    MatderivError,
    NotSupportedError,
    ParseError,
    ShapeError,
)
from .language.expression import Expr, var
from .language.parsing import parse
from .language.structure import structured
from .numeric import layout
from .steps import Step

if TYPE_CHECKING:
    from .checks.finite import Report, check_derivative, check_identity
    from .forms import differential, frobenius, value_and_grad
    from .numeric import flattening
    from .numeric.flattening import unvec, vec

# The symbolic engine needs no numpy; the numeric verbs load it on first use, which keeps
# `import matderiv` fast.
_NUMERIC = {
    "Report": ".checks.finite",
    "check_derivative": ".checks.finite",
    "check_identity": ".checks.finite",
    "vec": ".numeric.flattening",
    "unvec": ".numeric.flattening",
    "differential": ".forms",
    "value_and_grad": ".forms",
    "frobenius": ".forms",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name == "flattening":
        return importlib.import_module(".numeric.flattening", __name__)
    if name in _NUMERIC:
        return getattr(importlib.import_module(_NUMERIC[name], __name__), name)
    raise AttributeError(f"module 'matderiv' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NUMERIC) | {"flattening"})


__all__ = [
    "Derivative",
    "DomainError",
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
    "differential",
    "errors",
    "flattening",
    "frobenius",
    "hessian",
    "layout",
    "parse",
    "structured",
    "unvec",
    "value_and_grad",
    "var",
    "vec",
]

__version__ = "0.1.0"
