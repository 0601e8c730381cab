"""What a derivative offers its reader beyond the full matrix form: why there is none, and the
form with its repeated sub-expressions named (:mod:`matderiv.engine.naming`).

:class:`Readable` is a mixin of :class:`matderiv.Derivative`; it reads the attributes declared
here and nothing else, so the engine never imports the derivative.
"""

from __future__ import annotations

from ..language.expression import Var
from ..language.shapes import dim_names
from .index import IndexExpr
from .matrixform import MForm
from .naming import Abbreviated, abbreviate
from .why import no_matrix_form_reason

__all__ = ["Readable"]


class Readable:
    """Mixin: :attr:`why_index`, :attr:`abbreviated` and :meth:`abbreviated_latex`."""

    index_expr: IndexExpr
    form: MForm | None
    variables: frozenset[Var]

    @property
    def arranged_form(self) -> MForm | None:  # pragma: no cover - the derivative defines it
        raise NotImplementedError

    @property
    def why_index(self) -> str | None:
        """Why there is no matrix form, or None when there is one:
        ``"no matrix form: the result has 3 axes (matrix notation writes at most 2)"``,
        ``"... the factor T carries 3 indices"``, ``"... the summed index k appears in 3
        factors, which no Hadamard product or diag joins"``. The last step says the same.

        >>> import matderiv as md
        >>> md.derive("tanh(W @ x)", "W", shapes={"W": ("m", "n"), "x": ("n",)}).why_index
        'no matrix form: the result has 3 axes (matrix notation writes at most 2)'
        """
        return None if self.form is not None else no_matrix_form_reason(self.index_expr)

    def _abbreviation(self) -> Abbreviated | None:
        form = self.arranged_form
        if form is None:
            return None
        avoid = {v.name for v in self.variables}
        avoid |= {n for v in self.variables for d in v.shape for n in dim_names(d)}
        return abbreviate(form, avoid)

    @property
    def abbreviated(self) -> str | None:
        """The matrix form with repeated sub-expressions named, for reading (None without a
        matrix form; the same text as :attr:`matrix` when nothing repeats). ``matrix`` stays
        the full text, which parses back.

        >>> import matderiv as md
        >>> S = {"Q": ("T", "d"), "K": ("T", "d"), "V": ("T", "e"), "G": ("T", "e")}
        >>> md.derive("sum(G * (softmax(Q @ K.T, axis=1) @ V))", "Q", shapes=S).abbreviated
        '(P * (G V^T - sum(G * P V, axis=1) ones(T)^T)) K where P = softmax(Q K^T)'
        """
        a = self._abbreviation()
        return None if a is None else a.text()

    def abbreviated_latex(self) -> str | None:
        r""":attr:`abbreviated` in LaTeX (``... \quad\text{where}\quad P = ...``)."""
        a = self._abbreviation()
        return None if a is None else a.latex()
