"""The product and chain rules on index notation.

``differentiate(expr_terms, wrt, p)`` returns the terms of ∂(Σ terms)/∂wrt[p]: for every term
and every factor that depends on ``wrt``, the factor is replaced by its derivative (product
rule). A variable gives Kronecker deltas, ∂X_ab/∂X_pq = δ_ap δ_bq (a symmetric or diagonal one
those of its structure, :mod:`matderiv.engine.structure`); any other factor goes through its
rule in :mod:`matderiv.engine.rules` (chain rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ..errors import NotSupportedError
from ..language.expression import Expr, Var
from ..language.structure import SymmetricConvention, needs_convention
from .index import Factor, Idx, Term, multiply, normalize_term
from .lowering import lower
from .rules import opaque_derivative
from .structure import variable_derivative

__all__ = ["MAX_TERMS", "Differentiator"]

#: Largest number of terms a derivation may produce before it is refused.
MAX_TERMS = 5_000


class Differentiator:
    """Differentiates index-form terms with respect to one variable at fixed indices."""

    def __init__(
        self, wrt: Var, widx: Sequence[Idx], convention: SymmetricConvention | None = None
    ) -> None:
        self.wrt = wrt
        self.widx = tuple(widx)
        self.convention = needs_convention(wrt.name, wrt.structure, convention)
        self._cache: dict[tuple[object, ...], list[Term]] = {}

    def terms(self, terms: Sequence[Term]) -> list[Term]:
        """Return the derivative of a sum of terms."""
        out: list[Term] = []
        for term in terms:
            for pos, f in enumerate(term.factors):
                if not f.depends_on(self.wrt):
                    continue
                rest = Term(term.coeff, term.factors[:pos] + term.factors[pos + 1 :])
                out.extend(multiply([rest], self.factor(f)))
                if len(out) > MAX_TERMS:
                    raise NotSupportedError(
                        f"the derivation grew past {MAX_TERMS} terms (the limit); "
                        "simplify the expression or differentiate it in parts"
                    )
        return out

    def factor(self, f: Factor) -> list[Term]:
        """Return ∂f/∂wrt[p] for one factor."""
        assert f.node is not None
        if f.power != 1:
            base = Factor(f.kind, f.indices, f.node, Fraction(1))
            lower_power = Term(f.power, (Factor(f.kind, f.indices, f.node, f.power - 1),))
            t = normalize_term(lower_power)
            return multiply([t] if t else [], self.factor(base))
        if f.node == self.wrt:
            return variable_derivative(self.wrt, f.indices, self.widx, self.convention)
        key = (f.node._key, tuple(i.name for i in f.indices))
        if key not in self._cache:
            self._cache[key] = opaque_derivative(f.node, f.indices, self.dlower)
        return self._cache[key]

    def dlower(self, e: Expr, idx: Sequence[Idx]) -> list[Term]:
        """Return the derivative of the element formula of ``e`` at ``idx``."""
        if not e.depends_on(self.wrt):
            return []
        return self.terms(lower(e, idx))
