"""Sampling inputs: domains (positive, invertible, away from kinks), constraints, named sizes."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.numeric.sampling import KINK_MARGIN, sample_inputs

SHAPES = {"A": (3, 3), "x": (3,), "X": (3, 3), "W": (3, 2), "Y": (3, 2)}
SEEDS = range(40)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("sum(log(x))", id="log"),
        pytest.param("sum(sqrt(x))", id="sqrt"),
        pytest.param("sum(x ** 0.5)", id="real-power"),
        pytest.param("sum(x ** t)", id="variable-exponent"),
    ],
)
def test_arguments_of_log_sqrt_and_powers_are_positive(text):
    e = md.parse(text, {"x": ("n",), "t": ()})
    for seed in SEEDS:
        assert np.all(sample_inputs(e, rng=seed)["x"] > 0), seed


@pytest.mark.parametrize("text", ["inv(X)", "det(X)", "logdet(X)"])
def test_matrices_under_inv_det_logdet_are_well_conditioned(text):
    e = md.parse(f"sum({text})", {"X": (3, 3)})
    for seed in SEEDS:
        X = sample_inputs(e, rng=seed)["X"]
        assert np.linalg.cond(X) < 1e3, seed


def test_logdet_arguments_have_a_positive_determinant_for_every_seed():
    e = md.parse("logdet(X)", {"X": ("n", "n")})
    assert all(np.linalg.det(sample_inputs(e, rng=s)["X"]) > 0 for s in range(0, 300))


@pytest.mark.parametrize("name", ["relu", "abs", "step", "sign"])
def test_arguments_of_kinked_functions_keep_the_margin(name):
    e = md.parse(f"sum({name}(x @ W))", {"x": (3,), "W": (3, 40)})
    for seed in range(10):
        a = sample_inputs(e, rng=seed)
        assert np.min(np.abs(a["x"] @ a["W"])) > KINK_MARGIN, seed


def test_the_kink_margin_holds_for_a_long_vector():
    a = sample_inputs(md.parse("sum(relu(x))", {"x": (200,)}), rng=0)
    assert np.min(np.abs(a["x"])) > KINK_MARGIN


def test_named_sizes_are_drawn_from_2_to_5_and_can_be_fixed():
    e = md.parse("sum(X @ W)", {"X": ("B", "N"), "W": ("N", "M")})
    seen = set()
    for seed in SEEDS:
        a = sample_inputs(e, rng=seed)
        assert a["X"].shape[1] == a["W"].shape[0]
        seen.update(a["X"].shape + a["W"].shape)
    assert seen == {2, 3, 4, 5}
    a = sample_inputs(e, rng=0, sizes={"B": 7, "N": 1, "M": 6})
    assert (a["X"].shape, a["W"].shape) == ((7, 1), (1, 6))


def test_a_size_only_the_expression_names_is_returned_by_name():
    a = sample_inputs(md.parse("t * sum(ones(n))", {"t": ()}), rng=0)
    assert set(a) == {"t", "n"}
    assert isinstance(a["n"], int)
    assert 2 <= a["n"] <= 5


def test_the_same_seed_gives_the_same_point():
    e = md.parse("sum(X @ W)", {"X": ("B", "N"), "W": ("N", "M")})
    first, again = sample_inputs(e, rng=3), sample_inputs(e, rng=3)
    assert first.keys() == again.keys()
    for k in first:
        np.testing.assert_array_equal(first[k], again[k])


def test_sampled_inputs_respect_the_domain():
    arrays = sample_inputs(md.parse("logdet(X) + sum(log(x))", SHAPES), rng=0)
    assert np.linalg.det(arrays["X"]) > 0
    assert np.all(arrays["x"] > 0)


CONSTRAINED = ["symmetric", "spd", "invertible", "positive", "probability", "onehot"]


@pytest.mark.parametrize("kind", CONSTRAINED)
def test_constraints_shape_the_sampled_inputs(kind):
    X = sample_inputs(md.parse("sum(X)", {"X": (3, 3)}), rng=1, constraints={"X": kind})["X"]
    if kind == "symmetric":
        assert np.allclose(X, X.T)
    elif kind == "spd":
        assert np.all(np.linalg.eigvalsh(X) > 0)
    elif kind == "invertible":
        assert abs(np.linalg.det(X)) > 1e-3
    elif kind == "positive":
        assert np.all(X > 0)
    elif kind == "probability":
        assert np.allclose(X.sum(axis=-1), 1)
        assert np.all(X > 0)
    else:
        assert np.array_equal(X.sum(axis=-1), np.ones(3))


CONSTRAINT_ERRORS = [
    ({"X": "orthogonal"}, ValueError, r"unknown constraint 'orthogonal' for 'X'; expected one of symmetric, spd, invertible, positive, probability, onehot"),
    ({"Z": "spd"}, ValueError, r"constraint given for 'Z', which is not a variable of the expression"),
    ({"v": "spd"}, md.ShapeError, r"constraint 'spd' for 'v' needs a square matrix, got shape \(3,\)"),
    ({"s": "onehot"}, md.ShapeError, r"constraint 'onehot' for 's' needs an array, got a scalar"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("constraints", "error", "message"),
    CONSTRAINT_ERRORS,
    ids=[c[2][:30] for c in CONSTRAINT_ERRORS],
)
def test_constraint_errors_are_clear(constraints, error, message):
    e = md.parse("sum(X) + sum(v) + s", {"X": (3, 3), "v": (3,), "s": ()})
    with pytest.raises(error, match="^" + message):
        sample_inputs(e, rng=0, constraints=constraints)


def test_relu_arguments_are_kept_away_from_the_kink():
    e = md.parse("sum(relu(x))", {"x": (50,)})
    for seed in range(20):
        assert np.min(np.abs(sample_inputs(e, rng=seed)["x"])) > 0.05
