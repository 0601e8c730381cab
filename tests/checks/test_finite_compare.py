"""The claim at the point, the full and directional comparisons, and the verdict."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.checks.compare import (
    FULL_LIMIT,
    Claim,
    Comparison,
    choose_method,
    directional_comparison,
    evaluate_claim,
    full_comparison,
    judge,
)
from matderiv.checks.resolve import Inputs

from ..finite import central_jacobian


def _problem(rng, f, df, shapes_of) -> Inputs:
    """Inputs for f and df (by X) at a random point, arrays of the given shapes."""
    point = {name: rng.standard_normal(shape) for name, shape in shapes_of.items()}
    return Inputs(f, df, "X", point)


# f, its Jacobian in the tensor layout (by hand), and the point's shapes
MAPS = [
    pytest.param(lambda X, A: np.sum(X * (A @ X)), lambda X, A: (A + A.T) @ X, {"X": (3, 2), "A": (3, 3)}, id="scalar-valued"),
    pytest.param(lambda X, A: A @ X, lambda X, A: np.einsum("ik,jl->ijkl", A, np.eye(2)), {"X": (3, 2), "A": (4, 3)}, id="matrix-valued"),
    pytest.param(lambda X, A: np.tanh(X), lambda X, A: np.einsum("ij,ik,jl->ijkl", 1 - np.tanh(X) ** 2, np.eye(3), np.eye(2)), {"X": (3, 2), "A": (1,)}, id="elementwise"),
]  # fmt: skip


@pytest.mark.parametrize(("f", "jacobian", "shapes"), MAPS)
def test_the_full_comparison_finds_the_jacobian_of_plain_central_differences(
    rng, f, jacobian, shapes
):
    inputs = _problem(rng, f, jacobian, shapes)
    claim = evaluate_claim(inputs, "tensor")
    comparison = full_comparison(inputs, claim)
    independent = central_jacobian(f, inputs.point, "X")
    assert comparison.numeric.shape == claim.jacobian.shape
    assert np.allclose(comparison.numeric, independent, rtol=1e-6, atol=1e-7)
    assert np.array_equal(comparison.analytic, claim.jacobian)
    assert comparison.evaluations == 4 * inputs.x0.size
    assert comparison.detail == ""


@pytest.mark.parametrize(("f", "jacobian", "shapes"), MAPS)
def test_full_and_directional_agree_on_a_correct_derivative(rng, f, jacobian, shapes):
    inputs = _problem(rng, f, jacobian, shapes)
    claim = evaluate_claim(inputs, "tensor")
    full = judge(full_comparison(inputs, claim), "full", 1e-6, 1e-8, 0)
    directional = judge(
        directional_comparison(inputs, claim, 4, np.random.default_rng(1)),
        "directional",
        1e-6,
        1e-8,
        0,
    )
    assert full.max_rel_error < 1e-8
    assert directional.max_rel_error < 1e-8
    assert (full.method, directional.method) == ("full", "directional")


@pytest.mark.parametrize(("f", "jacobian", "shapes"), MAPS)
def test_each_direction_is_the_full_jacobian_applied_to_it(rng, f, jacobian, shapes):
    """Row by row, the directional comparison is ⟨J, v⟩ (and ⟨u, J v⟩ for the adjoint test) of
    the Jacobian the full comparison computes, with v and u drawn in that order."""
    inputs = _problem(rng, f, jacobian, shapes)
    claim = evaluate_claim(inputs, "tensor")
    J = full_comparison(inputs, claim).numeric
    got = directional_comparison(inputs, claim, 2, np.random.default_rng(7))
    draw = np.random.default_rng(7)
    out, var = claim.value.ndim, inputs.x0.ndim
    rows = []
    for _ in range(2):
        v = draw.standard_normal(inputs.x0.shape)
        Jv = np.tensordot(J, v, axes=(tuple(range(out, out + var)), tuple(range(var))))
        rows.append(np.ravel(Jv))
        if out:
            u = draw.standard_normal(claim.value.shape)
            rows.append(np.array([np.vdot(u, Jv)]))
    assert np.allclose(got.numeric, np.concatenate(rows), rtol=1e-6, atol=1e-7)
    assert got.evaluations == 4 * 2
    assert got.detail == "2 directions" + (", with adjoint test" if out else "")


@pytest.mark.parametrize("method", ["full", "directional"])
def test_full_and_directional_both_catch_a_transposed_claim(rng, method):
    A = rng.standard_normal((3, 3))
    transposed = np.einsum("ik,jl->ijkl", A.T, np.eye(2))
    inputs = Inputs(lambda X: A @ X, lambda X: transposed, "X", {"X": rng.standard_normal((3, 2))})
    claim = evaluate_claim(inputs, "tensor")
    comparison = (
        full_comparison(inputs, claim)
        if method == "full"
        else directional_comparison(inputs, claim, 3, rng)
    )
    with pytest.raises(AssertionError, match=rf"^derivative check failed \({method}, seed 0\)"):
        judge(comparison, method, 1e-6, 1e-8, 0)


def test_a_claim_in_a_layout_is_read_back_into_the_tensor_layout(rng):
    A = rng.standard_normal((4, 3))
    inputs = Inputs(lambda x: A @ x, lambda x: A.T, "x", {"x": rng.standard_normal(3)})
    claim = evaluate_claim(inputs, "denominator")
    assert np.array_equal(claim.jacobian, A)
    assert claim.value.shape == (4,)
    assert claim.seconds >= 0


CLAIM_ERRORS = [
    pytest.param(lambda x: np.ones(3), "tensor", r"^derivative check failed: the claimed derivative has shape \(3,\), expected \(4, 3\) \(output \(4,\) then x \(3,\), tensor layout\)$", id="wrong-shape-tensor"),
    pytest.param(lambda x: np.ones((4, 3)), "denominator", r"^derivative check failed: a derivative in the denominator layout of output \(4,\) by variable \(3,\) has shape \(3, 4\), got \(4, 3\)", id="wrong-shape-in-a-layout"),
]  # fmt: skip


@pytest.mark.parametrize(("df", "layout", "message"), CLAIM_ERRORS)
def test_a_claim_of_the_wrong_shape_fails_the_check(rng, df, layout, message):
    A = rng.standard_normal((4, 3))
    inputs = Inputs(lambda x: A @ x, df, "x", {"x": rng.standard_normal(3)})
    with pytest.raises(AssertionError, match=message):
        evaluate_claim(inputs, layout)


def _claim_for(size: int, seconds: float = 0.0) -> tuple[Inputs, Claim]:
    inputs = Inputs(np.sum, np.ones_like, "x", {"x": np.ones(size)})
    return inputs, Claim(np.array(float(size)), np.ones(size), seconds)


@pytest.mark.parametrize(
    ("method", "size", "chosen"),
    [
        pytest.param("auto", FULL_LIMIT, "full", id="auto-small"),
        pytest.param("auto", FULL_LIMIT + 1, "directional", id="auto-large"),
        pytest.param("full", FULL_LIMIT + 1, "full", id="full-asked"),
        pytest.param("directional", 2, "directional", id="directional-asked"),
    ],
)
def test_auto_chooses_full_up_to_the_limit_and_directional_beyond(method, size, chosen):
    inputs, claim = _claim_for(size)
    assert choose_method(method, inputs, claim, max_seconds=5.0) == chosen


CHOICE_ERRORS = [
    pytest.param("full", 1.0, md.NotSupportedError, r"^the full check would take about 40\.0 s \(40 evaluations of f for x with 10 entries\); the limit is max_seconds=5\. Use method='directional'$", id="too-slow"),
    pytest.param("exact", 0.0, ValueError, r"^'exact' is not a numeric method$", id="exact-is-not-numeric"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "seconds", "error", "message"), CHOICE_ERRORS)
def test_a_method_that_cannot_run_is_refused(method, seconds, error, message):
    inputs, claim = _claim_for(10, seconds)
    with pytest.raises(error, match=message):
        choose_method(method, inputs, claim, max_seconds=5.0)


def test_the_directional_check_runs_however_slow_f_is():
    inputs, claim = _claim_for(10, seconds=100.0)
    assert choose_method("directional", inputs, claim, max_seconds=5.0) == "directional"


def _comparison(analytic, numeric, noise=0.0) -> Comparison:
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    return Comparison(a, n, np.full(a.shape, noise), 8, "2 directions")


def test_the_verdict_reports_normwise_errors_and_the_worst_entry():
    comparison = _comparison([1.0, 2.0, 4.0], [1.0, 2.0000015, 4.0])
    report = judge(comparison, "directional", 1e-6, 1e-8, 3)
    assert report.method == "directional"
    assert report.seed == 3
    assert report.worst_index == (1,)  # the entry nearest to failing
    assert report.max_abs_error == pytest.approx(1.5e-6)
    assert report.max_rel_error == pytest.approx(1.5e-6 / 4)
    assert (report.evaluations, report.detail, report.tolerance) == (
        8,
        "2 directions",
        (1e-6, 1e-8),
    )


def test_the_noise_bound_widens_the_tolerance_where_f_is_rough():
    judge(_comparison([1.0], [1.001], noise=1e-2), "full", 1e-6, 1e-8, 0)
    with pytest.raises(AssertionError):
        judge(_comparison([1.0], [1.001], noise=0.0), "full", 1e-6, 1e-8, 0)


VERDICT_ERRORS = [
    pytest.param([1.0, 2.0], [1.0, 2.5], AssertionError, r"^derivative check failed \(full, seed 0\): at index \(1,\) the analytic value is 2 but finite differences give 2\.5 \(abs error 0\.5, allowed 2\.5\de-06 from rtol=1e-06, atol=1e-08\)$", id="mismatch"),
    pytest.param([1.0, np.inf], [1.0, 2.0], AssertionError, r"^derivative check failed \(full, seed 0\): at index \(1,\) the analytic value is inf", id="analytic-not-finite"),
    pytest.param([1.0, 2.0], [np.nan, 2.0], md.DomainError, r"^derivative check impossible \(full, seed 0\): finite differences give nan at index \(0,\), so f is not finite near the point", id="numeric-not-finite"),
]  # fmt: skip


@pytest.mark.parametrize(("analytic", "numeric", "error", "message"), VERDICT_ERRORS)
def test_the_verdict_on_a_wrong_or_impossible_comparison_is_loud(analytic, numeric, error, message):
    with pytest.raises(error, match=message):
        judge(_comparison(analytic, numeric), "full", 1e-6, 1e-8, 0)


def test_an_infinite_claim_fails_loudly_not_with_a_numpy_warning():
    with pytest.raises(
        AssertionError,
        match=r"^derivative check failed \(full, seed 0\): at index \(0,\) the analytic value is inf",
    ):
        md.check_derivative(
            lambda x: np.sum(x), lambda x: np.array([np.inf, 1.0]), at={"x": np.ones(2)}, wrt="x"
        )


def test_auto_falls_back_to_the_directional_check_when_the_full_one_is_too_slow():
    inputs, claim = _claim_for(10, seconds=1.0)  # the full check: 40 s, over the 5 s limit
    assert choose_method("auto", inputs, claim, max_seconds=5.0) == "directional"
