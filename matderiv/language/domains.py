"""Where an expression's inputs must lie: the one analysis that both the sampler (random
inputs for finite-difference checks) and the exact checks (SymPy symbols and instances) read.

- a square matrix under ``inv``, ``det`` or ``logdet`` must be invertible, and one under
  ``logm`` or ``sqrtm`` (declared ``domain="invertible"``) gets its spectrum in the right
  half-plane, which the invertible samples have;
- a variable that is the argument of a function declared ``domain="positive"`` (``log``,
  ``sqrt``, ``log1p``) or the base of a power must be positive;
- the arguments of functions declared with a ``kink`` (``relu``, ``abs``, ``norm(x, 1)``) must
  stay away from 0, where they are not differentiable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .expression import Expr, Func, Pow, Var
from .functions import Det, Inv, LogDet, Unary

__all__ = ["CONSTRAINTS", "KINK_MARGIN", "Domains", "input_domains", "kink_arguments"]

#: Per-variable constraints that sampled inputs honour (``sample_inputs(constraints=...)``).
CONSTRAINTS = ("symmetric", "spd", "invertible", "positive", "probability", "onehot")


#: How far sampled arguments of a kinked function stay from its kink at 0.
KINK_MARGIN = 0.05


@dataclass(frozen=True)
class Domains:
    """Variables by the domain they need: square matrices to be invertible, and variables to
    be positive. One variable may be in both (``log(X)`` and ``inv(X)``)."""

    invertible: frozenset[str]
    positive: frozenset[str]


def input_domains(exprs: Iterable[Expr]) -> Domains:
    """The domains the variables of ``exprs`` need.

    >>> from matderiv.language.parsing import parse
    >>> d = input_domains([parse("logdet(A) + sum(log(x))", {"A": ("n", "n"), "x": ("n",)})])
    >>> sorted(d.invertible), sorted(d.positive)
    (['A'], ['x'])
    """
    invertible: set[str] = set()
    positive: set[str] = set()
    for node in (n for e in exprs for n in e.walk()):
        if isinstance(node, Inv | Det | LogDet) or (
            isinstance(node, Unary) and node.domain == "invertible"
        ):
            invertible.update(
                v.name for v in node.variables() if v.ndim == 2 and v.shape[0] == v.shape[1]
            )
        powered = (isinstance(node, Func) and node.spec.domain == "positive") or isinstance(
            node, Pow
        )
        target = node.children()[0] if node.children() else None
        if powered and isinstance(target, Var):
            positive.add(target.name)
    return Domains(frozenset(invertible), frozenset(positive))


def kink_arguments(exprs: Iterable[Expr]) -> list[Expr]:
    """The arguments of functions with a kink at 0 (``relu``, ``abs``), in walk order."""
    return [
        n.arg
        for e in exprs
        for n in e.walk()
        if (isinstance(n, Func) and n.spec.kink) or (isinstance(n, Unary) and n.kink)
    ]
