"""Exact checks: SymPy proves a true claim on a small instance and refutes a false one with a
counterexample."""

from __future__ import annotations

import pytest

import matderiv as md
from matderiv.checks.exact import exact_derivative, exact_identity, instance_sizes
from matderiv.language.expression import Var

TRUE = [
    pytest.param("x @ A @ x", "x", {"x": (3,), "A": (3, 3)}, "(A + A.T) @ x", id="quadratic-form"),
    pytest.param("logdet(X)", "X", {"X": (2, 2)}, "inv(X).T", id="logdet"),
    pytest.param("sum(log(x))", "x", {"x": (3,)}, "1 / x", id="log-on-positive-symbols"),
    pytest.param("sum(sigmoid(x))", "x", {"x": (2,)}, "sigmoid(x) * (1 - sigmoid(x))", id="sigmoid"),
]  # fmt: skip


@pytest.mark.parametrize(("f", "wrt", "shapes", "claim"), TRUE)
def test_a_true_claim_is_proved(f, wrt, shapes, claim):
    report = md.check_derivative(f, claim, wrt=wrt, shapes=shapes, method="exact")
    assert report.method == "exact"
    assert str(report).startswith("exact check passed on ")


def test_the_derivation_itself_is_proved_entry_by_entry():
    d = md.derive("tr(A @ X @ B)", "X", shapes={"A": (2, 3), "X": (3, 2), "B": (2, 2)})
    result = exact_derivative(d.of, d, d.wrt, seed=0)
    assert result.proved
    assert result.entries == 6
    assert result.counterexample is None
    assert result.instance == "A 2×3, B 2×2, X 3×2"


def test_a_false_claim_has_a_counterexample():
    x, A = Var("x", (2,)), Var("A", (2, 2))
    f = md.parse("x @ A @ x", {"x": x, "A": A})
    result = exact_derivative(f, md.parse("2 * A @ x", {"x": x, "A": A}), x, seed=0)
    assert not result.proved
    assert result.counterexample is not None
    index, true, claimed = result.counterexample
    assert index in {(0,), (1,)}
    assert true != pytest.approx(claimed)


def test_identities_are_proved_or_refuted():
    s = {"A": (2, 3), "B": (3, 2)}
    assert exact_identity(md.parse("tr(A @ B)", s), md.parse("tr(B @ A)", s), seed=0).proved
    wrong = exact_identity(md.parse("tr(A @ B)", s), md.parse("sum(A * B.T) + 1", s), seed=0)
    assert not wrong.proved
    assert wrong.counterexample is not None


def test_instance_sizes_are_small_and_distinct_in_order_of_first_use():
    assert instance_sizes([Var("W", ("N", "M")), Var("X", ("B", "N"))]) == {"N": 2, "M": 3, "B": 4}


def test_too_large_an_instance_is_refused():
    with pytest.raises(md.NotSupportedError, match=r"^the exact check would compare 625 entries"):
        md.check_derivative("X @ X", "X", wrt="X", shapes={"X": (5, 5)}, method="exact")


EXACT_MUTANTS = [
    ("tr(A @ X @ B)", "X", {"A": (3, 3), "X": (3, 3), "B": (3, 3)}, "A @ B", "dropped transposes"),
    ("x @ A @ x", "x", {"x": (3,), "A": (3, 3)}, "2 * A @ x", "assumed symmetric"),
    ("logdet(X)", "X", {"X": (2, 2)}, "inv(X)", "dropped transpose"),
    ("sum((X @ W - Y)**2)", "W", {"X": (3, 2), "W": (2, 2), "Y": (3, 2)}, "X.T @ (X @ W - Y)", "factor 2"),
    ("-y @ log(softmax(z))", "z", {"y": (3,), "z": (3,)}, "softmax(z) - y", "assumed sum(y) = 1"),
    ("det(X)", "X", {"X": (2, 2)}, "-det(X) * inv(X).T", "flipped sign"),
    ("norm(x)**2", "x", {"x": (3,)}, "2.02 * x", "1% scale"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("f", "wrt", "shapes", "claim", "bug"), EXACT_MUTANTS, ids=[m[4] for m in EXACT_MUTANTS]
)
def test_exact_check_rejects_mutants(f, wrt, shapes, claim, bug):
    with pytest.raises(
        AssertionError, match=r"exact check failed \(seed 0\): on the instance .* entry \("
    ):
        md.check_derivative(f, claim, wrt=wrt, shapes=shapes, method="exact")
