"""The vocabulary of the expression language: its function names, how many arguments and which
keywords each takes, the node each simple one builds, and the matrix functions it names only to
say that they are not supported yet. The parser reads these tables; so do the tests that check
every function of the language.
"""

from __future__ import annotations

from collections.abc import Callable

from .expression import ELEMENTWISE, Expr, Func
from .functions import Det, Diag, Inv, Kron, LogDet, Outer, Trace, Vec

__all__ = ["ARITY", "BUILDERS", "FUNCTIONS", "KEYWORDS", "MATRIX_FUNCTIONS"]

_USER_ELEMENTWISE = sorted(ELEMENTWISE - {"sigmoid'", "tanh'"})

#: Every function name the language knows.
FUNCTIONS = frozenset(
    {
        *_USER_ELEMENTWISE,
        "tr",
        "trace",
        "det",
        "logdet",
        "inv",
        "sum",
        "mean",
        "var",
        "std",
        "softmax",
        "logsumexp",
        "diag",
        "norm",
        "outer",
        "kron",
        "vec",
        "matrix_power",
        "eye",
        "ones",
        "einsum",
    }
)

KEYWORDS: dict[str, set[str]] = {
    "sum": {"axis", "keepdims"},
    "mean": {"axis", "keepdims"},
    "var": {"axis", "keepdims"},
    "std": {"axis", "keepdims"},
    "softmax": {"axis", "keepdims"},
    "logsumexp": {"axis", "keepdims"},
}
#: Matrix functions, under scipy.linalg's names, that matderiv does not support yet: what each
#: one is, and the hint that ends the error (the elementwise function a user may have meant).
MATRIX_FUNCTIONS: dict[str, tuple[str, str]] = {
    "expm": ("the matrix exponential", "for the elementwise exponential use exp(...)"),
    "logm": ("the matrix logarithm", "for the elementwise logarithm use log(...)"),
    "sqrtm": ("the matrix square root", "for the elementwise square root use sqrt(...)"),
    "cosm": ("the matrix cosine", "for the elementwise cosine use cos(...)"),
    "sinm": ("the matrix sine", "for the elementwise sine use sin(...)"),
    "tanhm": (
        "the matrix hyperbolic tangent",
        "for the elementwise hyperbolic tangent use tanh(...)",
    ),
    "funm": ("f(X) for a scalar function f", "see the expression language in the documentation"),
    "fractional_matrix_power": (
        "a fractional matrix power",
        "for an integer power use matrix_power(X, k)",
    ),
}

ARITY: dict[str, tuple[int, int]] = dict.fromkeys(FUNCTIONS, (1, 1))
ARITY.update(
    {"outer": (2, 2), "kron": (2, 2), "matrix_power": (2, 2), "norm": (1, 2), "einsum": (2, 52)}
)


def _elementwise(name: str) -> Callable[[Expr], Expr]:
    return lambda a: Func(name, a)


BUILDERS: dict[str, Callable[..., Expr]] = {
    **{name: _elementwise(name) for name in _USER_ELEMENTWISE},
    "tr": Trace,
    "trace": Trace,
    "det": Det,
    "logdet": LogDet,
    "inv": Inv,
    "diag": Diag,
    "outer": Outer,
    "kron": Kron,
    "vec": Vec,
}
