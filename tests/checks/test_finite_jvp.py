"""The numerical JVP against derivatives known in closed form."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matderiv.checks.jvp import numerical_jvp, step_scale

# f, a point, the JVP by hand
ANALYTIC = [
    pytest.param(np.sin, lambda r: r.standard_normal(4), lambda x, v: np.cos(x) * v, id="sin(x)"),
    pytest.param(lambda X: X @ X, lambda r: r.standard_normal((3, 3)), lambda X, V: V @ X + X @ V, id="X@X"),
    pytest.param(lambda X: np.linalg.slogdet(X)[1], lambda r: r.standard_normal((3, 3)) + 4 * np.eye(3), lambda X, V: np.trace(np.linalg.solve(X, V)), id="logdet(X)"),
    pytest.param(lambda X: np.linalg.inv(X), lambda r: r.standard_normal((2, 2)) + 3 * np.eye(2), lambda X, V: -np.linalg.inv(X) @ V @ np.linalg.inv(X), id="inv(X)"),
]  # fmt: skip


@pytest.mark.parametrize(("f", "point", "jvp"), ANALYTIC)
def test_the_numerical_jvp_matches_the_derivative_by_hand(rng, f, point, jvp):
    x = point(rng)
    v = rng.standard_normal(x.shape)
    want = jvp(x, v)
    got, error = numerical_jvp(lambda x: f(x), {"x": x}, "x", v, step_scale(x))
    assert np.shape(got) == np.shape(want)
    assert np.allclose(got, want, rtol=1e-9, atol=1e-9)
    # the bound is an upper bound of the extrapolated value's error, and small for smooth f
    assert np.all(np.abs(got - want) <= error + 1e-9)
    assert np.max(error) < 1e-4


def test_only_the_variable_moves_and_the_point_is_left_untouched(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    point = {"x": x.copy(), "y": y.copy(), "n": 3}
    got, _ = numerical_jvp(lambda x, y, n: x * y + n, point, "x", np.ones(3), 1.0)
    assert np.allclose(got, y, rtol=1e-10)
    assert np.array_equal(point["x"], x)
    assert np.array_equal(point["y"], y)
    assert point["n"] == 3


def test_the_steps_grow_with_the_variable_so_large_entries_keep_their_precision():
    assert step_scale(np.array([0.5, -3.0])) == 3.0
    assert step_scale(np.array([1e-8])) == 1.0
    assert step_scale(np.zeros((0,))) == 1.0
    x = np.array([1e6, -2e6])
    got, _ = numerical_jvp(lambda x: x**2, {"x": x}, "x", np.ones(2), step_scale(x))
    assert np.allclose(got, 2 * x, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    coefficients=st.lists(st.floats(-3, 3, allow_nan=False), min_size=5, max_size=5),
    x=st.floats(-2, 2, allow_nan=False),
)
def test_richardson_is_exact_for_polynomials_up_to_degree_four(coefficients, x):
    """Central differences err by h² f'''/6 + O(h⁴ f⁽⁵⁾); the extrapolation removes the h² term,
    so a quartic leaves rounding only."""
    poly = np.polynomial.Polynomial(coefficients)
    got, _ = numerical_jvp(lambda t: poly(t), {"t": np.array(x)}, "t", np.array(1.0), 1.0)
    want = poly.deriv()(x)
    assert abs(float(got) - want) <= 1e-8 * max(1.0, abs(want), float(np.max(np.abs(coefficients))))
