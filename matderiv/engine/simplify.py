"""The simplifier: a reassembled form rewritten into the shortest equal form a textbook prints.

It is correct or silent: every rewrite is an identity (:mod:`matderiv.engine.identities` for
the elementwise functions, :mod:`matderiv.engine.algebra` for matrix algebra), and when its
budget runs out the unsimplified form, which is correct, is returned with a note that says so.
"""

from __future__ import annotations

from .algebra import Budget, BudgetExhaustedError, simplify_algebra
from .formprint import form_length
from .identities import simplify_pointwise
from .matrixform import FormShapeError, MForm, form_shape
from .tidy import scalars_inside, tidy

__all__ = ["BUDGET_EXHAUSTED", "simplify_form", "simplify_with_note"]

#: Node visits and rule applications the matrix-level simplifier may make for one form. The
#: passes cost a few visits per node, so only forms far larger than any catalogue entry reach it.
BUDGET = 200_000

#: The note the steps show when the budget ran out.
BUDGET_EXHAUSTED = "simplifier budget exhausted; the form is shown unsimplified"


def simplify_form(form: MForm | None) -> MForm | None:
    """Return the shortest equal form found for ``form`` (``None`` stays ``None``)."""
    return simplify_with_note(form)[0]


def simplify_with_note(form: MForm | None) -> tuple[MForm | None, str | None]:
    """The simplified form and a note for the steps: None, or :data:`BUDGET_EXHAUSTED` when the
    budget ran out (the form is then returned as it came)."""
    if form is None:
        return None, None
    pointwise = simplify_pointwise(form)
    try:
        budget = Budget(BUDGET)
        out = tidy(simplify_algebra(pointwise, budget), budget)
        inside = scalars_inside(out, budget)
        if inside != out:  # a scalar moved into an elementwise part may cancel there
            again = tidy(simplify_algebra(simplify_pointwise(inside), budget), budget)
            if _same_shape(again, out) and form_length(again) < form_length(out):
                out = again
    except BudgetExhaustedError:
        return form, BUDGET_EXHAUSTED
    return (out if _same_shape(out, pointwise) else pointwise), None


def _same_shape(a: MForm, b: MForm) -> bool:
    """A rewrite that changed the form's shape (or broke it) is never returned."""
    try:
        sa = form_shape(a)
        return sa == form_shape(b) or sa == (1, 1)
    except FormShapeError:
        return False
