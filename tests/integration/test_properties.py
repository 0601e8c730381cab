"""Property tests: random well-typed expressions, derived and checked against finite differences.

Anything the engine cannot do must raise NotSupportedError; a wrong value is a failure.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import matderiv as md
from matderiv.checks.finite import sample_inputs
from matderiv.language.printing import to_code
from matderiv.numeric.evaluation import evaluate
from matderiv.testing.strategies import problems

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
@SETTINGS
@given(problems())
def test_random_expression_derivative_matches_finite_differences(problem):
    text, shapes, wrt = problem
    try:
        d = md.derive(text, wrt, shapes=shapes)
    except md.NotSupportedError:
        return
    e = md.parse(text, shapes)
    arrays = sample_inputs([e, d.wrt], rng=7)
    md.check_derivative(e, d, at=arrays, wrt=wrt, method="full", rtol=1e-5, atol=1e-7)
    final = d.evaluate(via="index", **arrays)
    for step in d.steps[1:]:
        np.testing.assert_allclose(step.evaluate(**arrays), final, rtol=1e-8, atol=1e-10)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(problems(max_depth=3))
def test_random_hessian_matches_finite_differences_of_the_gradient(problem):
    text, shapes, wrt = problem
    e = md.parse(text, shapes)
    if e.ndim:
        return
    try:
        g = md.derive(e, wrt)
        h = md.derive(g, wrt)
    except md.NotSupportedError:
        return
    arrays = sample_inputs([e, g.wrt], rng=11)
    md.check_derivative(g, h, at=arrays, wrt=wrt, method="full", rtol=1e-5, atol=1e-7)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True)
@given(problems())
def test_printed_code_parses_back_to_the_same_numbers(problem):
    text, shapes, _ = problem
    e = md.parse(text, shapes)
    again = md.parse(to_code(e), shapes)
    arrays = sample_inputs(e, rng=5)
    np.testing.assert_allclose(
        evaluate(again, **arrays), evaluate(e, **arrays), rtol=1e-12, atol=1e-12
    )
