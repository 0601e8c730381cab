"""What users hand to the public verbs: an expression (text or a built node) and the variable to
differentiate by (a name or a :func:`~matderiv.var`). Every verb resolves them here, so each
gives the same errors for the same mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ParseError
from .expression import Expr, Var
from .parsing import parse

__all__ = ["as_expression", "as_variable"]


def as_expression(expr: Expr | str, shapes: Mapping[str, Any] | None) -> Expr:
    """Return ``expr`` as a checked expression: text is parsed with ``shapes``, a node has its
    variables checked (one shape per name).

    >>> print(as_expression("x @ x", {"x": ("n",)}))
    x^T x
    """
    if isinstance(expr, Expr):
        expr.check_variables()
        return expr
    if isinstance(expr, str):
        return parse(expr, dict(shapes or {}))
    raise ParseError(
        "expected an expression string or a matderiv expression, "
        f"got {type(expr).__name__}: {expr!r:.80}"
    )


def as_variable(wrt: Var | str, variables: frozenset[Var], shapes: Mapping[str, Any] | None) -> Var:
    """Return the variable ``wrt`` names: one of ``variables``, or one declared in ``shapes``.
    A name that is neither raises :class:`~matderiv.errors.ParseError` listing the variables."""
    if isinstance(wrt, Var):
        return wrt
    if not isinstance(wrt, str):
        raise ParseError(
            f"wrt must be a variable name or md.var(...), got {type(wrt).__name__}: {wrt!r:.80}"
        )
    for v in variables:
        if v.name == wrt:
            return v
    if shapes and wrt in shapes:
        declared = as_expression(wrt, shapes)
        if isinstance(declared, Var):
            return declared
    names = ", ".join(sorted(v.name for v in variables)) or "none"
    raise ParseError(
        f"cannot differentiate with respect to {wrt!r}: it is not a variable of the "
        f"expression (variables: {names})"
    )
