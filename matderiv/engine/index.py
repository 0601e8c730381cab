"""Index notation: a derivative as a sum of terms, each a coefficient times indexed factors.

The value of an :class:`IndexExpr` at one assignment of its free indices is

    Σ over terms of  coefficient × Σ over the term's other indices of  Π factor values,

so an index that is not free is summed (generalised Einstein convention: it may occur in any
number of factors). A factor is one of

- ``tensor``: an expression node (a variable, or an opaque node such as ``inv(X)`` or
  ``sigmoid(W x + b)``) read at its indices and raised to ``power``;
- ``delta``: the Kronecker delta δ_ij;
- ``dim``: a named size such as N, raised to ``power`` (from ``mean`` or a contracted δ_ii);
- ``fuse``: the 0/1 tensor F[I, a, b] = [I = a·|b| + b] that relates a combined axis (of ``vec``
  or ``kron``) to its two parts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal, get_args

from ..errors import NotSupportedError, check_kind
from ..language.expression import Expr
from ..language.functions import Ones
from ..language.shapes import Dim

__all__ = [
    "FACTOR_KINDS",
    "Factor",
    "FactorKind",
    "Idx",
    "IndexExpr",
    "Term",
    "canonical_key",
    "fresh",
    "multiply",
    "normalize_term",
]

_counter = itertools.count()


@dataclass(frozen=True, order=True)
class Idx:
    """An index label with the size of the range it runs over."""

    name: str
    dim: Dim = field(compare=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Idx) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return self.name


def fresh(dim: Dim) -> Idx:
    """Return a new index over a range of size ``dim``, named uniquely."""
    return Idx(f"_{next(_counter)}", dim)


#: The kinds of factor (see the module docstring); a match on ``Factor.kind`` handles each.
FactorKind = Literal["tensor", "delta", "dim", "fuse"]
FACTOR_KINDS: tuple[FactorKind, ...] = get_args(FactorKind)

#: How many indices a factor of each kind carries (None: any number).
_ARITY: dict[FactorKind, int | None] = {"tensor": None, "delta": 2, "dim": 0, "fuse": 3}


@dataclass(frozen=True)
class Factor:
    """One indexed factor of a term (see the module docstring for the kinds).

    The kind is checked when the factor is built, with what it needs: a ``tensor`` has a node,
    a ``dim`` a name and no index, a ``delta`` two indices and a ``fuse`` three.
    """

    kind: FactorKind
    indices: tuple[Idx, ...]
    node: Expr | None = None
    power: Fraction = Fraction(1)
    name: str = ""

    def __post_init__(self) -> None:
        check_kind(self.kind, FACTOR_KINDS, "factor kind")
        arity = _ARITY[self.kind]
        if arity is not None and len(self.indices) != arity:
            raise NotSupportedError(
                f"a {self.kind} factor carries {arity} indices, not {len(self.indices)}"
            )
        if (self.kind == "tensor") != (self.node is not None):
            need = "needs a node" if self.kind == "tensor" else f"has no node, got {self.node}"
            raise NotSupportedError(f"a {self.kind} factor {need}")
        if (self.kind == "dim") != bool(self.name):
            need = "needs a name" if self.kind == "dim" else f"has no name, got {self.name!r}"
            raise NotSupportedError(f"a {self.kind} factor {need}")

    @property
    def is_zero_one(self) -> bool:
        """Whether every entry of the factor is 0 or 1 (δ, fuse, a ones array), so that it
        equals its own square."""
        return self.kind in ("delta", "fuse") or isinstance(self.node, Ones)

    def subs(self, mapping: dict[Idx, Idx]) -> Factor:
        """Return the factor with indices renamed by ``mapping``."""
        if not any(i in mapping for i in self.indices):
            return self
        return replace(self, indices=tuple(mapping.get(i, i) for i in self.indices))

    def base_key(self) -> tuple[object, ...]:
        """Identity of the factor apart from its power."""
        node_key = self.node._key if self.node is not None else None
        return (self.kind, self.name, node_key, tuple(i.name for i in self.indices))

    def depends_on(self, var: Expr) -> bool:
        """Return whether the factor's value depends on the variable ``var``."""
        if self.kind != "tensor" or self.node is None:
            return False
        return self.node == var or any(v == var for v in self.node.variables())


@dataclass(frozen=True)
class Term:
    """A coefficient times a product of factors."""

    coeff: Fraction
    factors: tuple[Factor, ...] = ()

    def indices(self) -> list[Idx]:
        """Every index in order of first appearance."""
        seen: dict[Idx, None] = {}
        for f in self.factors:
            for i in f.indices:
                seen.setdefault(i, None)
        return list(seen)

    def subs(self, mapping: dict[Idx, Idx]) -> Term:
        """Return the term with indices renamed."""
        return Term(self.coeff, tuple(f.subs(mapping) for f in self.factors))


@dataclass(frozen=True)
class IndexExpr:
    """A sum of terms with the given free indices (in output order)."""

    terms: tuple[Term, ...]
    free: tuple[Idx, ...]

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    @property
    def is_zero(self) -> bool:
        """Whether the sum has no terms."""
        return not self.terms

    def summed(self, term: Term) -> list[Idx]:
        """The summed indices of a term, in order of appearance."""
        free = set(self.free)
        return [i for i in term.indices() if i not in free]


def normalize_term(term: Term) -> Term | None:
    """Merge equal factors (adding powers), drop trivial ones; None when the term is zero."""
    if term.coeff == 0:
        return None
    if all(f.power != 0 for f in term.factors):  # fast path: nothing to merge or drop
        keys = [f.base_key() for f in term.factors]
        if len(set(keys)) == len(keys):
            return term
    merged: dict[tuple[object, ...], Factor] = {}
    for f in term.factors:
        key = f.base_key()
        if key in merged:
            old = merged[key]
            if f.is_zero_one:
                continue  # 0/1 valued: x² = x
            merged[key] = replace(old, power=old.power + f.power)
        else:
            merged[key] = f
    kept = [f for f in merged.values() if f.power != 0]
    carried = {i for f in kept for i in f.indices}
    lost = [i for f in merged.values() if f.power == 0 for i in f.indices if i not in carried]
    if lost:  # u^-1 u cancelled: the indices it carried still run over their ranges
        lost = list(dict.fromkeys(lost))
        kept.append(Factor("tensor", tuple(lost), Ones(tuple(i.dim for i in lost))))
    return Term(term.coeff, tuple(kept))


def multiply(*groups: Sequence[Term]) -> list[Term]:
    """Return the expanded product of sums of terms."""
    out: list[Term] = [Term(Fraction(1))]
    for group in groups:
        nxt: list[Term] = []
        for a in out:
            for b in group:
                t = normalize_term(Term(a.coeff * b.coeff, a.factors + b.factors))
                if t is not None:
                    nxt.append(t)
        out = nxt
    return out


def _shape_key(f: Factor, free: dict[Idx, int]) -> tuple[object, ...]:
    node = f.node._key if f.node is not None else ()
    pattern = tuple(("f", free[i]) if i in free else ("s", str(i.dim)) for i in f.indices)
    return (f.kind, f.name, str(node), str(f.power), pattern)


def canonical_key(term: Term, free: Sequence[Idx], limit: int = 24) -> tuple[object, ...]:
    """Return a key equal for two terms that differ only in the names of summed indices and
    the order of factors (and in the order of a δ's two indices).

    Among the factor orders that tie on everything but summed-index names, the smallest
    renaming is taken when there are at most ``limit`` such orders. Beyond that, the factors are
    taken greedily: each time the one that reads smallest given the names given so far (a chain
    such as ``X[i,a] X[a,b] X[b,c]`` is walked from its free end). Either way, equal keys mean
    equal terms; a greedy key may only call two equal terms different, which leaves them
    uncollected.
    """
    freepos = {i: n for n, i in enumerate(free)}
    shape = {id(f): _shape_key(f, freepos) for f in term.factors}
    keyed = sorted(term.factors, key=lambda f: shape[id(f)])
    groups = [list(g) for _, g in itertools.groupby(keyed, key=lambda f: shape[id(f)])]
    count = 1
    for g in groups:
        for n in range(2, len(g) + 1):
            count *= n
    if count > limit:
        return _greedy_key(keyed, freepos, shape)
    best: tuple[object, ...] | None = None
    best_repr = ""
    for order in itertools.product(*(itertools.permutations(g) for g in groups)):
        names: dict[Idx, str] = {}
        rows: list[tuple[object, ...]] = []
        for f in itertools.chain.from_iterable(order):
            rows.append((*shape[id(f)][:4], _labels(f, freepos, names)))
        cand = tuple(rows)
        text = repr(cand)
        if best is None or text < best_repr:
            best, best_repr = cand, text
    return best or ()


def _labels(f: Factor, freepos: dict[Idx, int], names: dict[Idx, str]) -> tuple[str, ...]:
    labels = [
        f"F{freepos[i]}" if i in freepos else names.setdefault(i, f"s{len(names)}")
        for i in f.indices
    ]
    if f.kind == "delta":
        labels.sort()
    return tuple(labels)


def _greedy_key(
    factors: list[Factor], freepos: dict[Idx, int], shape: dict[int, tuple[object, ...]]
) -> tuple[object, ...]:
    names: dict[Idx, str] = {}
    remaining = list(factors)
    rows: list[tuple[object, ...]] = []

    order = {k: repr(v) for k, v in shape.items()}

    def seen(f: Factor) -> tuple[object, ...]:
        # free indices read first, then the summed ones named so far, then the unnamed ones
        marks = [
            (0, freepos[i]) if i in freepos else (1, int(names[i][1:])) if i in names else (2, 0)
            for i in f.indices
        ]
        return (order[id(f)], sorted(marks) if f.kind == "delta" else marks)

    while remaining:
        pick = min(remaining, key=seen)
        remaining.remove(pick)
        rows.append((*shape[id(pick)][:4], _labels(pick, freepos, names)))
    return tuple(rows)
