"""The checker catches realistic mistakes and never raises a false alarm.

For every catalogue identity, six kinds of bug are injected into the correct derivative: a
dropped transpose, a factor 2, swapped axes, a flipped sign, a missing term and a 1 % scale.
Every mutant must fail the check; the correct derivative must pass for 200 seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.catalogue import CATALOGUE
from matderiv.testing.mutants import MUTANTS
from matderiv.testing.mutants import setup as _setup


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
