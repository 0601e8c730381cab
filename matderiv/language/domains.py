"""Where an expression's inputs must lie: the one analysis that both the sampler (random
inputs for finite-difference checks) and the exact checks (SymPy symbols and instances) read.

- a square matrix under ``inv``, ``det`` or ``logdet`` must be invertible, and one under
  ``logm`` or ``sqrtm`` (declared ``domain="invertible"``) gets its spectrum in the right
  half-plane, which the invertible samples have;
- a variable that is the argument of a function declared ``domain="positive"`` (``log``,
  ``sqrt``, ``log1p``) or the base of a power must be positive;
- a named dimension that is indexed must be large enough for the index (``least_sizes``);
- the arguments of functions declared with a ``kink`` (``relu``, ``abs``, ``norm(x, 1)``) must
  stay away from 0, where they are not differentiable, and the two arguments of
  ``maximum``/``minimum`` away from each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .arrays import Extremum, Subscript
from .expression import Expr, Func, Pow, Var
from .functions import Det, Inv, LogDet, Unary
from .matfun import FrechetApply

__all__ = [
    "CONSTRAINTS",
    "KINK_MARGIN",
    "Domains",
    "input_domains",
    "kink_arguments",
    "least_sizes",
]

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
            isinstance(node, Unary | FrechetApply) and node.domain == "invertible"
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
    """The arguments of functions with a kink at 0 (``relu``, ``abs``, ``norm(x, 1)``), in walk
    order; for
    ``maximum(a, b)`` and ``minimum(a, b)``, which have theirs at a tie, ``a - b``."""
    out: list[Expr] = []
    for n in (n for e in exprs for n in e.walk()):
        if (isinstance(n, Func) and n.spec.kink) or (isinstance(n, Unary) and n.kink):
            out.append(n.arg)
        elif isinstance(n, Extremum):
            out.append(n.left - n.right)
    return out


def least_sizes(exprs: Iterable[Expr]) -> dict[str, int]:
    """The smallest size of each named dimension that the expressions' indexing needs
    (``x[1:3]`` needs n >= 3, ``X[:, -2]`` needs N >= 2); sampled instances are at least this
    large.

    >>> from matderiv.language.parsing import parse
    >>> least_sizes([parse("sum(x[1:3]) + sum(y[-4:])", {"x": ("n",), "y": ("m",)})])
    {'n': 3, 'm': 4}
    """
    out: dict[str, int] = {}
    for node in (n for e in exprs for n in e.walk()):
        if isinstance(node, Subscript):
            for name, need in node.least_sizes().items():
                out[name] = max(out.get(name, 1), need)
    return out
