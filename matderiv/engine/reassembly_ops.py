"""Sums over one axis of a matrix form, written the way a textbook writes them.

Reassembly meets ``Σ_k M[k, j]`` (a sum over one axis of a matrix-valued form) and
``Σ_k A[j, k] B[k, j]`` (the diagonal of a product, whose off-diagonal entries are never
needed). Both are written as ``sum(M, axis=0)``: ``diag(A B)`` becomes
``sum(A^T * B, axis=0)``, the column sum of a Hadamard product, which parses back, costs one
pass over the entries and is what a backpropagation text prints for a bias gradient.

The sum is an :class:`~matderiv.engine.matrixform.Atom` of a ``sum(…, axis=…)`` expression
built with :func:`~matderiv.engine.matrixform.form_expr`, so every printer, evaluator and
simplifier already reads it. When the inner form has no expression of the language (a column
times a matrix), the callers keep their previous form (``M^T ones`` or ``diag(A B)``).
"""

from __future__ import annotations

from ..errors import NotSupportedError
from ..language.functions import Reduce
from . import matrixform as mf
from .formprint import form_text

__all__ = ["axis_sum", "hadamard_axis_sum", "readability"]


def axis_sum(form: mf.MForm, axis: int) -> mf.MForm | None:
    """``sum(form, axis=axis)`` as a column (None when ``form`` has no 2-D expression).

    A product gives its sum to its end factor: ``sum(A B, axis=0) = B^T sum(A, axis=0)``
    (``1^T A B``) and ``sum(A B, axis=1) = A sum(B, axis=1)`` (``A B 1``), so the sum is taken
    over the fewest entries and the matrix stays outside, as in ``S^{-1} sum(X - mu, axis=0)``.
    """
    if isinstance(form, mf.Chain):
        end = form.items[0] if axis == 0 else form.items[-1]
        inner = _atom_sum(end, axis)
        if inner is not None:
            if axis == 0:
                rest = [mf.transpose(i) for i in reversed(form.items[1:])]
                return mf.Chain((*rest, inner))
            return mf.Chain((*form.items[:-1], inner))
    return _atom_sum(form, axis)


def _atom_sum(form: mf.MForm, axis: int) -> mf.Atom | None:
    try:
        e = mf.form_expr(form)
    except NotSupportedError:
        return None
    if e.ndim != 2:
        return None
    return mf.Atom(Reduce("sum", e, axis))


def hadamard_axis_sum(
    a_k_first: mf.MForm, b_k_first: mf.MForm, a_j_first: mf.MForm, b_j_first: mf.MForm
) -> mf.MForm | None:
    """``Σ_k A[k, j] B[k, j]`` as a column over j: ``sum(A * B, axis=0)``.

    Both operands are given in both orientations (k as rows, then j as rows); the orientation
    that prints fewer transposes wins (the first on a tie). None when neither has an
    expression form.
    """
    best: mf.MForm | None = None
    for a, b, axis in ((a_k_first, b_k_first, 0), (a_j_first, b_j_first, 1)):
        got = axis_sum(mf.Hadamard(_flat(a, b)), axis)
        if got is not None and (best is None or readability(got) < readability(best)):
            best = got
    return best


def readability(f: mf.MForm) -> tuple[int, int]:
    """A cost to compare equal forms: transposes (a transposed compound expression such as
    ``tanh'(Z)^T`` counts twice, a textbook transposes variables), then printed length."""
    text = form_text(f)
    return text.count("^T") + text.count(")^T"), len(text)


def _flat(a: mf.MForm, b: mf.MForm) -> tuple[mf.MForm, ...]:
    out: list[mf.MForm] = []
    for f in (a, b):
        out.extend(f.items if isinstance(f, mf.Hadamard) else (f,))
    return tuple(out)
