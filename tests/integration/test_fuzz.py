"""Fuzzing: hostile text only ever raises matderiv's errors; printed results parse back; every
output of every generated derivative agrees with finite differences.

The differential tests compare, for each generated expression, ``d.evaluate``, ``d.compile()``,
every layout mapped back to the tensor layout, ``d.einsum`` run as Python text and ``d.code``
parsed back with central differences of the function's value (matderiv.testing.oracle). Refusals
(NotSupportedError) are allowed and counted as Hypothesis events
(``pytest --hypothesis-show-statistics``). The same generators run longer in benchmarks/fuzz.py,
which is also where time is measured.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import matderiv as md
from matderiv.checks.finite import sample_inputs
from matderiv.numeric.evaluation import Evaluator, bind_sizes
from matderiv.testing.oracle import Checked, check_problem
from matderiv.testing.strategies import (
    SOUP_SHAPES,
    problems,
    second_problems,
    text_soup,
    token_soup,
)
from matderiv.testing.structured import structured_problems


def _only_matderiv_errors(text: str) -> None:
    try:
        e = md.parse(text, SOUP_SHAPES)
        for v in sorted(e.variables(), key=lambda v: v.name):
            md.derive(e, v)
    except md.MatderivError:
        pass


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(text_soup)
def test_random_text_raises_only_matderiv_errors(text):
    _only_matderiv_errors(text)


@pytest.mark.slow
@settings(
    max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(token_soup)
def test_token_soup_raises_only_matderiv_errors(text):
    _only_matderiv_errors(text)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.one_of(text_soup, token_soup))
def test_a_few_soups_raise_only_matderiv_errors(text):
    _only_matderiv_errors(text)


@pytest.mark.slow
@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(problems())
def test_printed_matrix_form_parses_back_to_the_same_numbers(problem):
    text, shapes, wrt = problem
    try:
        d = md.derive(text, wrt, shapes=shapes)
        code = d.code
    except md.NotSupportedError:
        return
    if code is None:
        return
    f = md.parse(text, shapes)
    again = md.parse(code, shapes)
    arrays = sample_inputs([f, d.wrt], rng=9)
    value = Evaluator(arrays, bind_sizes(f.variables() | {d.wrt}, arrays)).expr(again)
    np.testing.assert_allclose(
        np.broadcast_to(value, d.evaluate(arrays).shape), d.evaluate(arrays), rtol=1e-9, atol=1e-11
    )


def _assert_every_output_right(checked: Checked, problem: tuple) -> None:
    event(f"stage: {checked.stage}")
    if checked.stage == "refused":
        event(f"refused: {checked.detail[:60]}")
        return
    assert checked.stage in ("derived", "unusable"), f"{problem}: {checked.stage}: {checked.detail}"
    for o in checked.outcomes:
        if o.status == "skip":
            event(f"skipped {o.kind}")
    for o in checked.outcomes:
        if o.status == "unsure":  # the two finite differences disagree: no verdict
            event(f"unsure {o.kind}")
    bad = [o for o in checked.failures() if o.status != "unsure"]
    assert not bad, f"{problem}:\n" + "\n".join(f"  {o.kind}: {o.status}: {o.detail}" for o in bad)


DIFFERENTIAL = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _first(problem: tuple) -> None:
    text, shapes, wrt = problem
    _assert_every_output_right(check_problem(text, shapes, (wrt,), seed=3), problem)


def _second(problem: tuple) -> None:
    text, shapes, wrt, wrt2 = problem
    _assert_every_output_right(check_problem(text, shapes, (wrt, wrt2), seed=4), problem)


@pytest.mark.slow
@settings(DIFFERENTIAL, max_examples=400)
@given(problems(broadcast=True))
def test_every_output_of_a_first_derivative_matches_finite_differences(problem):
    _first(problem)


@pytest.mark.slow
@settings(DIFFERENTIAL, max_examples=150)
@given(second_problems())
def test_every_output_of_a_second_derivative_matches_finite_differences(problem):
    _second(problem)


# the fast loop's representatives: the same properties on a few examples


@settings(DIFFERENTIAL, max_examples=15)
@given(problems(broadcast=True))
def test_a_few_first_derivatives_match_finite_differences_in_every_output(problem):
    _first(problem)


@settings(DIFFERENTIAL, max_examples=5)
@given(second_problems())
def test_a_few_second_derivatives_match_finite_differences_in_every_output(problem):
    _second(problem)


# matrix functions, spectral functions and nonsmooth norms (issue 14)


@pytest.mark.slow
@settings(DIFFERENTIAL, max_examples=300)
@given(problems(broadcast=True, spectral=True))
def test_every_output_of_a_spectral_derivative_matches_finite_differences(problem):
    _first(problem)


@settings(DIFFERENTIAL, max_examples=12)
@given(problems(spectral=True))
def test_a_few_spectral_derivatives_match_finite_differences_in_every_output(problem):
    _first(problem)


# indexing, reshape, concatenate, stack, maximum and minimum (issue 14): rearrange=True


@pytest.mark.slow
@settings(DIFFERENTIAL, max_examples=400)
@given(problems(broadcast=True, rearrange=True))
def test_every_output_of_a_rearranged_first_derivative_matches_finite_differences(problem):
    _first(problem)


@pytest.mark.slow
@settings(DIFFERENTIAL, max_examples=150)
@given(second_problems(rearrange=True))
def test_every_output_of_a_rearranged_second_derivative_matches_finite_differences(problem):
    _second(problem)


@settings(DIFFERENTIAL, max_examples=15)
@given(problems(broadcast=True, rearrange=True))
def test_a_few_rearranged_first_derivatives_match_finite_differences_in_every_output(problem):
    _first(problem)


def test_the_rearranging_draws_cover_every_construct():
    from hypothesis import find

    for construct in ("reshape(", "concatenate(", "stack(", "maximum(", "minimum(", ":", "-1]"):
        text, _, _ = find(
            problems(rearrange=True),
            lambda p, c=construct: c in p[0],
            settings=settings(database=None, max_examples=2000),
        )
        assert construct in text


# structured variables (issue 14): symmetric and diagonal, each convention in its own sense


def _structured(problem: tuple) -> None:
    text, shapes, wrts, convention = problem
    checked = check_problem(text, shapes, wrts, seed=5, symmetric=convention)
    _assert_every_output_right(checked, problem)


@pytest.mark.slow
@settings(DIFFERENTIAL, max_examples=300)
@given(structured_problems(spectral=True))
def test_every_output_of_a_structured_derivative_matches_finite_differences(problem):
    _structured(problem)


@settings(DIFFERENTIAL, max_examples=12)
@given(structured_problems())
def test_a_few_structured_derivatives_match_finite_differences_in_every_output(problem):
    _structured(problem)


@pytest.mark.slow
def test_the_structured_draws_cover_both_structures_conventions_and_hessians():
    from hypothesis import find

    def by(structure: str, convention: str | None, order: int):
        def hit(p) -> bool:
            _text, shapes, wrts, conv = p
            s = shapes[wrts[0]]
            return (
                getattr(s, "structure", "general") == structure
                and conv == convention
                and (len(wrts) == order)
            )

        return hit

    for structure, convention, order in [
        ("symmetric", "frobenius", 1),
        ("symmetric", "free", 1),
        ("symmetric", "free", 2),
        ("symmetric", "frobenius", 2),
        ("diagonal", None, 1),
        ("diagonal", "free", 2),
    ]:
        find(
            structured_problems(),
            by(structure, convention, order),
            settings=settings(database=None, max_examples=3000),
        )


@pytest.mark.parametrize("convention", ["frobenius", "free"])
def test_the_oracle_reads_each_convention_in_its_own_sense(convention: str) -> None:
    """Both conventions pass in their own sense, and each fails in the other's: the oracle
    does see the difference (G + Gᵀ − G∘I is not (G + Gᵀ)/2)."""
    from matderiv.testing.oracle import compare, expected_derivative, failures, value_fn

    shapes = {"S": md.structured((3, 3), "symmetric"), "A": (3, 3)}
    assert check_problem("tr(A @ S @ S)", shapes, ("S",), symmetric=convention).failures() == []
    e = md.parse("tr(A @ S @ S)", shapes)
    d = md.derive(e, "S", symmetric=convention)
    arrays = sample_inputs([e], rng=2)
    other = "free" if convention == "frobenius" else "frobenius"
    expected = expected_derivative(value_fn(e), arrays, ("S",), {"S": ("symmetric", other)})
    wrong = [o for o in failures(compare(d, arrays, {}, expected)) if o.status == "wrong"]
    assert wrong


def test_a_derivative_lost_in_the_rounding_of_huge_values_is_unsure_not_wrong():
    """Found by benchmarks/fuzz.py (seed 14): f = expm(expm(expm(expm(X/2)/2)/2)/2) + tr(B S)
    is ~3e21, so the difference quotients of tr(B S) are lost in f's ulp and both estimates
    read 0, while matderiv's sym(B) is right. The oracle now calls that unsure."""
    text = "(expm(0.5 * expm(0.5 * expm(0.5 * expm(0.5 * M4_4b)))) + tr(M2_2b @ M2_2))"
    shapes = {"M4_4b": (4, 4), "M2_2": md.structured((2, 2), "symmetric"), "M2_2b": (2, 2)}
    checked = check_problem(text, shapes, ("M2_2",), seed=75, symmetric="frobenius")
    assert not [o for o in checked.outcomes if o.status == "wrong"]
    assert any("cancellation" in o.detail for o in checked.outcomes)
    # a wrong answer of ordinary size is still wrong: the noise bound is tiny there
    from matderiv.testing.oracle import compare, expected_derivative, value_fn

    e = md.parse("tr(M2_2b @ M2_2)", shapes)
    d = md.derive(e, "M2_2", symmetric="free")  # read in the Frobenius sense below
    arrays = sample_inputs([e], rng=1)
    fn = value_fn(e)
    expected = expected_derivative(fn, arrays, ("M2_2",), {"M2_2": ("symmetric", "frobenius")})
    from matderiv.testing.oracle import value_noise

    found = compare(d, arrays, {}, expected, noise=value_noise(fn, arrays, 1))
    assert [o for o in found if o.status == "wrong"]
