"""The checker catches realistic mistakes and never raises a false alarm.

For every catalogue identity, six kinds of bug are injected into the correct derivative: a
dropped transpose, a factor 2, swapped axes, a flipped sign, a missing term and a 1 % scale.
Every mutant must fail the check; the correct derivative must pass for 200 seeds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import matderiv as md
from matderiv.catalogue import CATALOGUE
from matderiv.checks.finite import sample_inputs
from matderiv.engine.index import IndexExpr

Mutant = Callable[[np.ndarray, md.Derivative, dict], np.ndarray | None]


def _dropped_transpose(D, d, arrays):
    if D.ndim >= 2 and D.shape[-1] == D.shape[-2]:
        return np.swapaxes(D, -1, -2)  # the last two axes: a matrix variable, or a Jacobian
    return None


def _swapped_axes(D, d, arrays):
    if D.ndim >= 2 and D.shape == D.shape[::-1]:
        return np.transpose(D)  # all axes reversed: output and variable axes exchanged
    return None


def _missing_term(D, d, arrays):
    terms = d.index_expr.terms
    if len(terms) < 2:
        return None
    partial = IndexExpr(terms[1:], d.index_expr.free)
    step = md.Step("mutant", "", "", "", partial, variables=d.variables)
    return step.evaluate(arrays)


MUTANTS: dict[str, Mutant] = {
    "dropped transpose": _dropped_transpose,
    "factor 2": lambda D, d, a: 2 * D,
    "swapped axes": _swapped_axes,
    "flipped sign": lambda D, d, a: -D,
    "missing term": _missing_term,
    "1% scale": lambda D, d, a: 1.01 * D,
}


def _setup(entry, seed):
    f = md.parse(entry.expr, entry.shapes)
    d = entry.derive()
    arrays = sample_inputs([f, d.wrt], rng=seed, constraints=entry.constraints)
    if entry.wrt2 is None:
        return f, d, arrays, entry.wrt
    return md.derive(entry.expr, entry.wrt, shapes=entry.shapes), d, arrays, entry.wrt2


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e.name for e in CATALOGUE])
def test_every_mutant_is_caught(entry):
    f, d, arrays, wrt = _setup(entry, 0)
    D = d.evaluate(arrays)
    tried = 0
    for name, mutate in MUTANTS.items():
        bad = mutate(D, d, arrays)
        if bad is None or np.allclose(bad, D, rtol=1e-4, atol=1e-8):
            continue  # not applicable here, or an equivalent mutant (e.g. a symmetric matrix)
        tried += 1
        claim = lambda b=bad, **_: b  # noqa: E731
        with pytest.raises(AssertionError, match=r"derivative check failed"):
            md.check_derivative(f, claim, at=arrays, wrt=wrt, symmetric=d.symmetric)
        print(f"{entry.name}: {name} caught")
    assert tried >= 2


@pytest.mark.slow
@pytest.mark.parametrize("entry", CATALOGUE, ids=[e.name for e in CATALOGUE])
def test_correct_derivative_passes_for_200_seeds(entry):
    for seed in range(200):
        f, d, arrays, wrt = _setup(entry, seed)
        md.check_derivative(f, d, at=arrays, wrt=wrt, method="directional", rng=seed)


FEW = CATALOGUE[::8]


@pytest.mark.parametrize("entry", FEW, ids=[e.name for e in FEW])
def test_correct_derivative_passes_for_a_few_seeds(entry):
    """The fast loop's representative of the 200-seed run."""
    for seed in range(5):
        f, d, arrays, wrt = _setup(entry, seed)
        md.check_derivative(f, d, at=arrays, wrt=wrt, method="directional", rng=seed)
