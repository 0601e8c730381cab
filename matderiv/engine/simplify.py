"""The simplifier: a reassembled form rewritten into the shortest equal form a textbook prints.

It is correct or silent: every rewrite is an identity, and when its budget runs out the
unsimplified form, which is correct, is returned.
"""

from __future__ import annotations

from .identities import simplify_pointwise
from .matrixform import MForm

__all__ = ["simplify_form"]


def simplify_form(form: MForm | None) -> MForm | None:
    """Return the shortest equal form found for ``form`` (``None`` stays ``None``)."""
    if form is None:
        return None
    return simplify_pointwise(form)
