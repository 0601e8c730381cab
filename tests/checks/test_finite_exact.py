"""The exact route: a SymPy proof on a small instance, as a report or a loud error."""

from __future__ import annotations

import pytest

import matderiv as md
from matderiv.checks.proof import exact_derivative_check, exact_identity_check, proved

SHAPES = {"A": (3, 3), "x": (3,)}


def test_a_proof_reports_the_instance_and_the_number_of_entries():
    report, instance = exact_derivative_check("x @ A @ x", "(A + A.T) @ x", "x", SHAPES, 0)
    assert instance == "A 3×3, x 3"
    assert report == proved(3, instance, 0)
    assert str(report) == (
        "exact check passed on A 3×3, x 3: all 3 entries simplify to 0 (a proof for these "
        "sizes only)"
    )


def test_a_derivative_is_proved_in_both_of_its_forms():
    d = md.derive("x @ A @ x", "x", shapes=SHAPES)
    report, instance = exact_derivative_check(md.parse("x @ A @ x", SHAPES), d, "x", None, 0)
    assert (report.method, report.evaluations, instance) == ("exact", 3, "A 3×3, x 3")


def test_one_entry_is_reported_in_the_singular():
    assert proved(1, "x 1", None).detail == (
        "on x 1: the entry simplifies to 0 (a proof for these sizes only)"
    )


EXACT_ERRORS = [
    pytest.param(lambda x: x, "2 * x", "x", md.NotSupportedError, r"^method='exact' needs f and df as expressions or a Derivative, not Python callables$", id="callable-f"),
    pytest.param("x @ A @ x", lambda x: x, "x", md.NotSupportedError, r"^method='exact' needs f and df as expressions", id="callable-df"),
    pytest.param("x @ A @ x", "2 * A @ x", "q", md.ShapeError, r"^'q' is not a variable of x\^T A x$", id="unknown-variable"),
    pytest.param("x @ A @ x", "2 * A @ x", "x", AssertionError, r"^exact check failed \(seed 0\): on the instance A 3×3, x 3, entry \(\d,\) of the true derivative is \S+ at a random rational point, but the claimed derivative gives \S+$", id="wrong-claim"),
    pytest.param("A @ x", "A.T", "x", AssertionError, r"^exact check failed \(seed 0\): on the instance A 3×3, x 3, entry \(\d, \d\)", id="transposed-claim"),
    pytest.param("A @ x", "x", "x", AssertionError, r"^exact check failed: the claimed derivative has shape \(3,\) on the instance, expected \(3, 3\)$", id="wrong-shape"),
]  # fmt: skip


@pytest.mark.parametrize(("f", "df", "wrt", "error", "message"), EXACT_ERRORS)
def test_what_cannot_be_proved_is_refused_and_what_is_false_fails(f, df, wrt, error, message):
    with pytest.raises(error, match=message):
        exact_derivative_check(f, df, wrt, SHAPES, 0)


def test_a_hessian_is_not_proved_against_its_gradient():
    g = md.derive("x @ A @ x", "x", shapes=SHAPES)
    with pytest.raises(
        md.NotSupportedError,
        match=r"^method='exact' needs f as an expression; check a Hessian against its gradient",
    ):
        exact_derivative_check(g, md.hessian("x @ A @ x", "x", shapes=SHAPES), "x", None, 0)


def test_an_identity_is_proved_or_refuted_with_a_counterexample():
    s = {"A": (2, 3), "B": (3, 2)}
    left, right = md.parse("tr(A @ B)", s), md.parse("tr(B @ A)", s)
    report, instance = exact_identity_check(left, right, None)
    assert (report.evaluations, report.seed, instance) == (1, None, "A 2×3, B 3×2")
    with pytest.raises(
        AssertionError,
        match=r"^identity check failed \(exact, seed 5\): on the instance A 2×3, B 3×2, entry \(\) is",
    ):
        exact_identity_check(left, md.parse("2 * tr(B @ A)", s), 5)
