"""Why a result has no matrix form: one sentence for the reader of an index (einsum) form.

:func:`matderiv.engine.reassembly.reassemble` returns None rather than force a wrong matrix;
:func:`no_matrix_form_reason` says which obstacle it met, in the order it meets them: a result
with more than two axes, a factor with more than two indices, a combined axis (``vec``/``kron``)
read by another factor, a summed index shared by three or more factors that no Hadamard
product or ``diag`` joins, a term that no order of matrix products reassembles, terms whose
matrix forms do not fit one shape.
"""

from __future__ import annotations

from collections import Counter

from .index import IndexExpr, Term
from .notation import index_text
from .reassembly import reassemble, reassemble_term

__all__ = ["no_matrix_form_reason"]


def no_matrix_form_reason(expr: IndexExpr) -> str | None:
    """The reason ``expr`` has no matrix form, or None when it has one."""
    n = len(expr.free)
    if n > 2:
        return f"no matrix form: the result has {n} axes (matrix notation writes at most 2)"
    if reassemble(expr) is not None:
        return None
    for term in expr.terms:
        if reassemble_term(term, expr.free) is None:
            return "no matrix form: " + _term_reason(term, expr)
    return "no matrix form: the terms' matrix forms do not fit one shape"


def _term_reason(term: Term, expr: IndexExpr) -> str:
    for f in term.factors:
        if f.kind == "tensor" and len(f.indices) > 2:
            return f"the factor {f.node} carries {len(f.indices)} indices"
    if any(f.kind == "fuse" for f in term.factors):
        return (
            "a combined axis (of vec or kron) is read by a factor that no Kronecker product writes"
        )
    free = set(expr.free)
    counts = Counter(i for f in term.factors for i in dict.fromkeys(f.indices))
    shared = [i for i in term.indices() if counts[i] >= 3 and i not in free]  # in order
    if shared:
        i = shared[0]
        return (
            f"the summed index {i.name} appears in {counts[i]} factors, "
            "which no Hadamard product or diag joins"
        )
    one = IndexExpr((term,), expr.free)
    return f"no order of matrix products writes the term {index_text(one)}"
