"""The differential form dL = G : dX, the Frobenius product's rules, and value_and_grad."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.checks.finite import sample_inputs

S = {"A": ("m", "n"), "B": ("m", "n"), "C": ("k", "m"), "D": ("k", "n")}
RULES = [  # A:B = B:A = Bᵀ:Aᵀ, and CA:B = C:BAᵀ = A:CᵀB (here with C A : D)
    ("sum(A * B)", "sum(B * A)"),
    ("sum(A * B)", "sum(B.T * A.T)"),
    ("sum(A * B)", "tr(A.T @ B)"),
    ("sum((C @ A) * D)", "sum(C * (D @ A.T))"),
    ("sum((C @ A) * D)", "sum(A * (C.T @ D))"),
]


@pytest.mark.parametrize(("lhs", "rhs"), RULES, ids=[f"{a} = {b}" for a, b in RULES])
def test_frobenius_rules_hold_numerically_and_exactly(lhs, rhs):
    md.check_identity(lhs, rhs, S)
    md.check_identity(lhs, rhs, S, method="exact")


def test_frobenius_of_arrays_is_the_trace_of_a_transpose_product():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    assert md.frobenius(A, B) == pytest.approx(np.trace(A.T @ B))
    a, b = md.var("A", (3, 4)), md.var("B", (3, 4))
    assert str(md.frobenius(a, b)) == "sum(A * B)"


def test_differential_identifies_the_gradient():
    shapes = {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}
    d = md.differential("sum((X @ W - Y)**2)", "W", shapes=shapes)
    assert d.text == "d(sum((X W - Y)**2)) = (2 X^T (X W - Y)) : dW"
    assert d.latex() == (
        r"d\left(\operatorname{sum}\left(\left(X\, W - Y\right)^{\circ 2}\right)\right) = "
        r"\left(2\, X^{\top}\, \left(X\, W - Y\right)\right) : dW"
    )
    d.gradient.check()
    # dL = G : dW to first order, for a random direction dW
    rng = np.random.default_rng(1)
    a = {
        "X": rng.standard_normal((4, 3)),
        "W": rng.standard_normal((3, 2)),
        "Y": rng.standard_normal((4, 2)),
    }
    dW = 1e-6 * rng.standard_normal((3, 2))
    L = lambda W: np.sum((a["X"] @ W - a["Y"]) ** 2)  # noqa: E731
    assert L(a["W"] + dW) - L(a["W"]) == pytest.approx(
        md.frobenius(d.gradient.evaluate(a), dW), rel=1e-4
    )


FORM_ERRORS = [
    (lambda: md.differential("X @ W", "W", shapes={"X": (2, 3), "W": (3, 4)}), md.NotSupportedError, r"the differential form dL = G : dX needs a scalar L, but X W has shape 2×4"),
    (lambda: md.frobenius(np.ones((2, 2)), np.ones((2, 3))), md.ShapeError, r"A : B needs equal shapes, got \(2, 2\) and \(2, 3\)"),
    (lambda: md.frobenius(md.var("A", (2, 2)), md.var("B", (3, 2))), md.ShapeError, r"A : B needs equal shapes, got 2×2 and 3×2"),
    (lambda: md.frobenius(md.var("A", (2, 2)), np.ones((2, 2))), md.ShapeError, r"frobenius needs two expressions or two arrays, not one of each"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"), FORM_ERRORS, ids=[m[:40] for _, _, m in FORM_ERRORS]
)
def test_form_errors_are_clear(call, error, message):
    with pytest.raises(error, match="^" + message):
        call()


# value_and_grad: one generated function for the value and the gradient -------------------


def test_value_and_grad_computes_the_residual_once():
    shapes = {"X": (6, 3), "W": (3, 2), "Y": (6, 2)}
    f = md.value_and_grad("sum((X @ W - Y)**2)", "W", shapes=shapes)
    assert f.__matderiv_source__.count("X @ W") == 1
    a = sample_inputs(md.parse("X @ W - Y", shapes), rng=2)
    value, grad = f(**a)
    assert value == pytest.approx(np.sum((a["X"] @ a["W"] - a["Y"]) ** 2))
    np.testing.assert_allclose(grad, 2 * a["X"].T @ (a["X"] @ a["W"] - a["Y"]))


def test_value_and_grad_of_an_mlp_matches_the_derivative():
    shapes = {"W1": (4, 3), "b1": (4,), "W2": (2, 4), "x": (3,), "y": (2,)}
    L = "0.5 * norm(W2 @ tanh(W1 @ x + b1) - y)**2"
    f = md.value_and_grad(L, "W1", shapes=shapes)
    a = sample_inputs(md.parse(L, shapes), rng=3)
    value, grad = f(**a)
    r = a["W2"] @ np.tanh(a["W1"] @ a["x"] + a["b1"]) - a["y"]
    assert value == pytest.approx(0.5 * r @ r)
    np.testing.assert_allclose(grad, md.derive(L, "W1", shapes=shapes).evaluate(a))
    # tanh(h) once: the gradient reads tanh' as 1 - tanh(h)**2, so the value is shared
    assert f.__matderiv_source__.count("np.tanh(") == 1


def test_value_and_grad_takes_a_size_by_name():
    f = md.value_and_grad("t * sum(ones(n))", "t", shapes={"t": ()})
    value, grad = f(t=2.0, n=3)
    assert (float(value), float(grad)) == (6.0, 3.0)
