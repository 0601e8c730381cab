"""Random, well-conditioned, seeded inputs for checks: :func:`sample_inputs`.

Matrices under ``inv``, ``det`` and ``logdet`` are made diagonally dominant, arguments of ``log``,
``sqrt`` and powers positive, per-variable constraints override both, and arguments of functions
with a kink at 0 (``relu``, ``abs``) are kept away from it, so that finite differences never
straddle the kink.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..language.domains import (
    CONSTRAINTS,
    KINK_MARGIN,
    input_domains,
    kink_arguments,
    least_sizes,
)
from ..language.expression import Expr, Size, Var
from ..language.shapes import dim_names, resolve_dim
from .evaluation import Array, Evaluator

__all__ = ["CONSTRAINTS", "sample_inputs"]


def _domains(exprs: Sequence[Expr]) -> dict[str, str]:
    """The constraint each variable needs by default: ``invertible`` wins over ``positive``."""
    found = input_domains(exprs)
    out = dict.fromkeys(sorted(found.positive), "positive")
    out.update(dict.fromkeys(sorted(found.invertible), "invertible"))
    return out


def _constrained(kind: str, a: Array, name: str, gen: np.random.Generator) -> Any:
    if kind in ("symmetric", "spd", "invertible") and (a.ndim != 2 or a.shape[0] != a.shape[1]):
        raise ShapeError(
            f"constraint {kind!r} for {name!r} needs a square matrix, got shape {a.shape}"
        )
    if kind == "symmetric":
        return (a + a.T) / 2
    if kind == "spd":
        return a @ a.T / a.shape[0] + np.eye(a.shape[0])
    if kind == "invertible":  # strictly diagonally dominant by 1 with a positive diagonal:
        # every eigenvalue has real part >= 1 (Gershgorin), so det > 0 and it is well conditioned
        rows = np.maximum(np.abs(a).sum(axis=1, keepdims=True), 1e-12)
        return 2.0 * np.eye(a.shape[0]) + a / rows
    if kind == "positive":
        return 0.5 + np.abs(a)
    if a.ndim == 0:
        raise ShapeError(f"constraint {kind!r} for {name!r} needs an array, got a scalar")
    if kind == "probability":
        p = np.exp(a)
        return p / p.sum(axis=-1, keepdims=True)
    hot = np.zeros_like(a)  # onehot
    rows = hot.reshape(-1, a.shape[-1])
    rows[np.arange(rows.shape[0]), gen.integers(0, a.shape[-1], size=rows.shape[0])] = 1.0
    return hot


def _structured_start(v: Var, a: Array, wanted: str | None) -> tuple[Array, str | None]:
    """A draw with the variable's structure, and the constraint that keeps it: a symmetric
    matrix that must be invertible is drawn positive definite (diagonal dominance alone would
    break the symmetry); the diagonal of a diagonal one is masked after the constraint; a
    stochastic one has its rows drawn as probabilities."""
    if v.structure == "stochastic":  # rows summing to one: softmax of random rows
        if wanted not in (None, "probability", "onehot"):
            raise ValueError(
                f"constraint {wanted!r} for {v.name!r} cannot hold for a stochastic array"
            )
        return a, wanted or "probability"
    if wanted in ("probability", "onehot"):
        raise ValueError(
            f"constraint {wanted!r} for {v.name!r} cannot hold for a {v.structure} matrix"
        )
    if v.structure == "symmetric":
        a = (a + a.T) / 2
        if wanted == "invertible":
            wanted = "spd"
    if v.structure == "diagonal" and wanted in ("invertible", "spd", "symmetric"):
        return np.diag(1.0 + np.abs(np.diag(a))), None  # positive diagonal: det > 0
    return a, wanted


def sample_inputs(
    expr: Expr | Sequence[Expr],
    rng: np.random.Generator | int | None = 0,
    sizes: Mapping[str, int] | None = None,
    constraints: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Draw random, well-conditioned inputs for every variable of one or more expressions.

    Named dimensions get sizes from 2 to 5 unless ``sizes`` gives them. Matrices under
    ``inv``/``det``/``logdet`` are made diagonally dominant, arguments of ``log``, ``sqrt`` and
    powers positive. ``constraints`` (``{name: kind}``, a kind being one of symmetric, spd,
    invertible, positive, probability or onehot) override both. Arguments of ``relu`` and
    ``abs`` are kept at least 0.05 from the kink, so finite differences never straddle it: a
    variable that is such an argument by construction, any other argument by redrawing (when 50
    draws cannot keep every entry of a large argument that far, the draw farthest from the kink
    is used; its distance is still far larger than a finite-difference step). A structured
    variable is drawn with its structure, symmetric or diagonal (positive definite when it must
    be invertible), or stochastic (each row a softmax of random numbers). A dimension that only
    the expression names (the ``n`` of ``ones(n)``) is returned as an int under its name, the way
    evaluation takes such sizes.

    >>> import matderiv as md
    >>> arrays = sample_inputs(md.parse("logdet(X)", {"X": ("n", "n")}), rng=0)
    >>> bool(np.linalg.det(arrays["X"]) > 0)
    True
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    exprs = [expr] if isinstance(expr, Expr) else list(expr)
    variables = frozenset().union(*(e.variables() for e in exprs))
    kinds = _domains(exprs)
    for name, kind in (constraints or {}).items():
        if kind not in CONSTRAINTS:
            raise ValueError(
                f"unknown constraint {kind!r} for {name!r}; "
                f"expected one of {', '.join(CONSTRAINTS)}"
            )
        if name not in {v.name for v in variables}:
            raise ValueError(
                f"constraint given for {name!r}, which is not a variable of the expression"
            )
        kinds[name] = kind
    names = sorted({p for v in variables for d in v.shape for p in dim_names(d)})
    # sizes that only the expression names (the n of ones(n), or B used as a number)
    unbound = sorted(_expression_dims(exprs) - set(names) - set(sizes or {}))
    dims = {n: int(gen.integers(2, 6)) for n in [*names, *unbound]}
    for n, least in least_sizes(exprs).items():  # x[1:3] needs n >= 3
        dims[n] = max(dims.get(n, least), least)
    dims.update(sizes or {})
    named_sizes = {n: dims[n] for n in unbound}
    kinks = kink_arguments(exprs)
    # a variable that is itself a kinked argument keeps the margin by construction
    kinked = {k.name for k in kinks if isinstance(k, Var) and k.name not in kinds}
    best: tuple[float, dict[str, Array]] | None = None
    for _ in range(50):
        arrays: dict[str, Array] = {}
        for v in sorted(variables, key=lambda v: v.name):
            shape = tuple(resolve_dim(d, dims) for d in v.shape)
            a = gen.standard_normal(shape)
            wanted = kinds.get(v.name)
            if v.structure != "general":
                a, wanted = _structured_start(v, a, wanted)
            if wanted:
                a = _constrained(wanted, a, v.name, gen)
            elif v.name in kinked:
                a = np.where(a < 0, -1.0, 1.0) * (2 * KINK_MARGIN + np.abs(a))
            if v.structure == "diagonal":
                a = np.diag(np.diag(a))
            arrays[v.name] = a
        if not kinks:
            return {**arrays, **named_sizes}
        ev = Evaluator(arrays, dims)
        gap = min(float(np.min(np.abs(ev.expr(k)), initial=np.inf)) for k in kinks)
        if gap > KINK_MARGIN:
            return {**arrays, **named_sizes}
        if best is None or gap > best[0]:
            best = (gap, arrays)
    assert best is not None
    return {**best[1], **named_sizes}


def _expression_dims(exprs: Sequence[Expr]) -> set[str]:
    """Every dimension name in the shapes of the expressions' nodes, and every size used as a
    number."""
    out: set[str] = set()
    for e in (n for top in exprs for n in top.walk()):
        out.update(p for d in e.shape for p in dim_names(d))
        if isinstance(e, Size):
            out.add(e.name)
    return out
