"""Limits of the derivation and the cases it refuses."""

from __future__ import annotations

import pytest

import matderiv as md
from matderiv.engine import differentiation


def test_blow_up_is_refused_naming_the_limit(monkeypatch):
    monkeypatch.setattr(differentiation, "MAX_TERMS", 3)
    with pytest.raises(
        md.NotSupportedError, match=r"the derivation grew past 3 terms \(the limit\)"
    ):
        md.derive("sum(sin(x) * cos(x) * tanh(x) * exp(x) * sigmoid(x))", "x", shapes={"x": (3,)})


def test_reciprocal_of_a_zero_expression_is_refused():
    with pytest.raises(
        md.NotSupportedError, match=r"is identically zero and is raised to the power -1"
    ):
        md.derive("sum((0 * x) ** -1)", "x", shapes={"x": (3,)})


def test_piecewise_constant_functions_have_zero_derivative_almost_everywhere():
    d = md.derive("sum(step(x) + sign(x))", "x", shapes={"x": (3,)})
    assert d.matrix == "0"


def test_relu_and_abs_away_from_the_kink():
    import numpy as np

    d = md.derive("sum(relu(x) + abs(x))", "x", shapes={"x": (4,)})
    assert d.matrix == "step(x) + sign(x)"
    md.check_derivative(
        "sum(relu(x) + abs(x))", d, at={"x": np.array([-2.0, -0.5, 0.5, 2.0])}, wrt="x"
    )
