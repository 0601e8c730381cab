"""Arrays of structured variables: sampled with the structure, refused without it."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.numeric.binding import check_structure_of
from matderiv.numeric.sampling import sample_inputs

SHAPES = {
    "S": md.structured(("n", "n"), "symmetric"),
    "D": md.structured(("n", "n"), "diagonal"),
    "x": ("n",),
}


@pytest.mark.parametrize("seed", range(5))
def test_sampled_inputs_have_the_structure_and_the_domain(seed):
    arrays = sample_inputs(md.parse("logdet(S) + logdet(D) + sum(log(S))", SHAPES), rng=seed)
    S, D = arrays["S"], arrays["D"]
    np.testing.assert_array_equal(S, S.T)
    np.testing.assert_array_equal(D, np.diag(np.diag(D)))
    assert np.all(np.linalg.eigvalsh(S) > 0)
    assert np.all(np.diag(D) > 0)


def test_a_symmetric_sample_is_positive_definite_when_it_must_be_invertible():
    arrays = sample_inputs(md.parse("inv(S)", SHAPES), rng=0)
    assert np.all(np.linalg.eigvalsh(arrays["S"]) > 0)


def test_a_constraint_that_breaks_the_structure_is_refused():
    with pytest.raises(
        ValueError, match=r"constraint 'onehot' for 'S' cannot hold for a symmetric"
    ):
        sample_inputs(md.parse("sum(S)", SHAPES), rng=0, constraints={"S": "onehot"})


def test_evaluation_and_compiled_code_refuse_an_array_without_the_structure():
    d = md.derive("x @ S @ x", "x", shapes=SHAPES)
    bad = {"S": np.array([[1.0, 2.0], [0.0, 1.0]]), "x": np.ones(2)}
    with pytest.raises(
        md.DomainError, match=r"S is declared symmetric, but the array given is not"
    ):
        d.evaluate(bad)
    with pytest.raises(md.DomainError, match=r"S is declared symmetric"):
        d.compile()(**bad)
    with pytest.raises(md.DomainError, match=r"D is declared diagonal, but the array given is not"):
        check_structure_of("D", "diagonal", np.array([[1.0, 0.5], [0.0, 1.0]]))


def test_rounding_in_a_symmetric_product_is_accepted(rng):
    a = rng.standard_normal((6, 6))
    check_structure_of("S", "symmetric", a @ a.T)
