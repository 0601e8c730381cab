"""Realistic mistakes injected into a correct derivative, to measure that a check catches them.

Each mutant takes the evaluated derivative ``D`` (tensor layout), the :class:`~matderiv.
Derivative` and the arrays it was evaluated at, and returns the wrong array, or None where the
mistake does not apply (a transpose of a non-square block). The test suite requires every
mutant of every catalogue identity to fail its check; ``benchmarks/mutation_table.py`` prints
the same as a table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import matderiv as md
from matderiv.catalogue import Identity
from matderiv.checks.finite import sample_inputs
from matderiv.engine.index import IndexExpr

__all__ = ["MUTANTS", "Mutant", "setup"]

Mutant = Callable[[np.ndarray, md.Derivative, dict[str, Any]], np.ndarray | None]


def _dropped_transpose(D: np.ndarray, d: md.Derivative, arrays: dict[str, Any]) -> Any:
    if D.ndim >= 2 and D.shape[-1] == D.shape[-2]:
        return np.swapaxes(D, -1, -2)  # the last two axes: a matrix variable, or a Jacobian
    return None


def _swapped_axes(D: np.ndarray, d: md.Derivative, arrays: dict[str, Any]) -> Any:
    if D.ndim >= 2 and D.shape == D.shape[::-1]:
        return np.transpose(D)  # all axes reversed: output and variable axes exchanged
    return None


def _missing_term(D: np.ndarray, d: md.Derivative, arrays: dict[str, Any]) -> Any:
    terms = d.index_expr.terms
    if len(terms) < 2:
        return None
    partial = IndexExpr(terms[1:], d.index_expr.free)
    step = md.Step("mutant", "", "", "", partial, variables=d.variables)
    return step.evaluate(arrays)


MUTANTS: dict[str, Mutant] = {
    "dropped transpose": _dropped_transpose,
    "factor 2": lambda D, d, a: 2 * D,
    "swapped axes": _swapped_axes,
    "flipped sign": lambda D, d, a: -D,
    "missing term": _missing_term,
    "1% scale": lambda D, d, a: 1.01 * D,
}


def setup(entry: Identity, seed: int) -> tuple[Any, md.Derivative, dict[str, Any], str]:
    """The function checked, the derivative, sampled arrays and the variable, for one catalogue
    identity (for a Hessian the function is the gradient and the variable the second one)."""
    f = md.parse(entry.expr, entry.shapes)
    d = entry.derive()
    arrays = sample_inputs([f, d.wrt], rng=seed, constraints=entry.constraints)
    if entry.wrt2 is None:
        return f, d, arrays, entry.wrt
    return entry.first(), d, arrays, entry.wrt2  # in the row's convention
