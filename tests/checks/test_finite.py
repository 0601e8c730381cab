"""Numeric checks: correct derivatives pass, injected mistakes are caught, errors are clear."""

from __future__ import annotations

import re

import numpy as np
import pytest

import matderiv as md

SHAPES = {"A": (3, 3), "x": (3,), "X": (3, 3), "W": (3, 2), "Y": (3, 2)}

# function, correct derivative, mutants (a dropped transpose, a factor 2, a flipped sign, ...)
CASES = [
    ("x @ A @ x", "x", "(A + A.T) @ x", ["2 * A @ x", "(A + A.T) @ x * 1.01", "-(A + A.T) @ x", "A @ x"]),
    ("sum((X @ W - Y)**2)", "W", "2 * X.T @ (X @ W - Y)", ["2 * X @ (X @ W - Y)", "X.T @ (X @ W - Y)", "2 * X.T @ (X @ W)"]),
    ("logdet(X)", "X", "inv(X).T", ["inv(X)", "-inv(X).T", "1.01 * inv(X).T"]),
    ("tr(A @ X)", "X", "A.T", ["A", "2 * A.T"]),
]  # fmt: skip


@pytest.mark.parametrize(("f", "wrt", "df", "mutants"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("method", ["full", "directional"])
def test_correct_derivative_passes_and_every_mutant_fails(f, wrt, df, mutants, method):
    report = md.check_derivative(f, df, wrt=wrt, shapes=SHAPES, method=method)
    assert report.method == method
    assert report.max_abs_error < 1e-6
    for bad in mutants:
        with pytest.raises(
            AssertionError, match=rf"derivative check failed \({method}, seed 0\): at index"
        ):
            md.check_derivative(f, bad, wrt=wrt, shapes=SHAPES, method=method)


def test_callables_are_accepted():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 3))
    report = md.check_derivative(
        lambda x: x @ A @ x, lambda x: (A + A.T) @ x, at={"x": rng.standard_normal(3)}, wrt="x"
    )
    assert report.method == "full"
    assert re.fullmatch(
        r"full check passed: 12 evaluations, max abs error \S+, max rel error \S+", str(report)
    )


def test_auto_picks_directional_for_large_inputs():
    d = md.derive("sum((X @ W - Y)**2)", "W", shapes={"X": (30, 40), "W": (40, 20), "Y": (30, 20)})
    assert d.check().method == "directional"


def test_check_identity_passes_and_fails_loudly():
    s = {"A": (2, 3), "B": (3, 2)}
    assert md.check_identity("tr(A @ B)", "tr(B @ A)", s).method == "identity"
    with pytest.raises(
        AssertionError, match=r"identity check failed \(seed 0\): at index \(\) the left side is"
    ):
        md.check_identity("tr(A @ B)", "2 * tr(B @ A)", s)
    with pytest.raises(
        md.ShapeError, match=r"the two sides have different shapes: \(2, 2\) and \(3, 3\)"
    ):
        md.check_identity("A @ B", "B @ A", s)


ERRORS = [
    ({"f": "sum(x)", "df": "ones(3)", "shapes": SHAPES}, md.ShapeError, r"check_derivative needs wrt= \(the variable's name\)"),
    ({"f": lambda x: x, "df": lambda x: x, "wrt": "x"}, md.ShapeError, r"check_derivative needs at= \(the point\) when f is a callable"),
    ({"f": lambda x: x, "df": lambda x: x, "wrt": "y", "at": {"x": np.ones(2)}}, md.ShapeError, r"the point has no array for 'y'; give it in at="),
    ({"f": "A @ x", "df": "A", "wrt": "x", "shapes": SHAPES, "layout": "rows"}, md.LayoutError, r"unknown layout 'rows'; expected one of 'tensor', 'numerator', 'denominator', 'mixed', 'mit'"),
    ({"f": "A @ x", "df": "x", "wrt": "x", "shapes": SHAPES}, AssertionError, r"derivative check failed: the claimed derivative has shape \(3,\), expected \(3, 3\)"),
    ({"f": lambda x: np.sum(np.where(x > 0, x, np.nan)), "df": lambda x: np.ones_like(x), "wrt": "x", "at": {"x": np.array([-1.0, 2.0])}}, md.DomainError, r"derivative check impossible \(full, seed 0\): finite differences give nan at index \(0,\), so f is not finite near the point"),
    ({"f": lambda x: np.sum(np.where(x > 0, x, np.nan)), "df": lambda x: np.ones_like(x), "wrt": "x", "at": {"x": np.array([-1.0, 2.0])}, "method": "directional"}, md.DomainError, r"derivative check impossible \(directional"),
    ({"f": "W.T @ a", "df": "W.T", "wrt": "a", "layout": "mit", "shapes": {"W": ("m", "n"), "a": ("m",)}}, AssertionError, r"derivative check failed: a derivative in the mit layout of output \(4,\) by variable \(5,\) has shape \(5, 4\), got \(4, 5\)"),
    ({"f": "sum(x * y)", "df": "y", "wrt": "x", "shapes": {"x": (3,), "y": (3,)}, "at": {"x": np.ones(3)}}, md.ShapeError, r"no array given for variable 'y' \(shape 3\); pass it as y=\.\.\."),
    ({"f": "sum(x)", "df": "ones(30000)", "wrt": "x", "shapes": {"x": (30000,)}, "method": "full", "max_seconds": 0.001}, md.NotSupportedError, r"the full check would take about [\d.]+ s \(120000 evaluations of f for x with 30000 entries\); the limit is max_seconds=0.001"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "error", "message"), ERRORS, ids=[e[2][:30] for e in ERRORS])
def test_check_errors_are_clear(kwargs, error, message):
    with pytest.raises(error, match="^" + message):
        md.check_derivative(**kwargs)


def test_float32_inputs_are_upcast_with_a_warning_and_no_false_alarm():
    rng = np.random.default_rng(0)
    at = {
        "A": rng.standard_normal((3, 3)).astype(np.float32),
        "x": rng.standard_normal(3).astype(np.float32),
    }
    with pytest.warns(
        UserWarning, match=r"^check_derivative: upcasting float32 input '(A|x)' to float64"
    ):
        report = md.check_derivative("x @ A @ x", "(A + A.T) @ x", at=at, wrt="x")
    assert report.max_rel_error < 1e-8


NOT_FINITE = [
    pytest.param("sum(x)", "sum(log(x - 10))", AssertionError, r"right side nan, which is not", id="right"),
    pytest.param("sum(log(x - 10))", "sum(x)", AssertionError, r"left side is nan and the right side", id="left"),
    pytest.param("sum(log(x - 10))", "2 * sum(log(x - 10)) / 2", md.DomainError, r"outside the domain of both sides", id="both"),
]  # fmt: skip


@pytest.mark.parametrize(("lhs", "rhs", "error", "message"), NOT_FINITE)
def test_an_identity_with_a_side_that_is_not_finite_never_passes(lhs, rhs, error, message):
    with pytest.raises(error, match=message):
        md.check_identity(lhs, rhs, {"x": (3,)})


@pytest.mark.parametrize(("lhs", "rhs", "error", "message"), NOT_FINITE)
def test_the_pure_python_route_refuses_a_side_that_is_not_finite_too(lhs, rhs, error, message):
    from matderiv.checks.pure import pure_check_identity

    left, right = md.parse(lhs, {"x": (3,)}), md.parse(rhs, {"x": (3,)})
    with pytest.raises(error, match=message):
        pure_check_identity(left, right, 3, 1e-9, 1e-12, 0, "auto", None)
