"""Generated numpy code: compile() equals evaluate() everywhere, value_and_grad shares work,
and Kronecker-factored derivatives act without being formed."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.catalogue import CATALOGUE
from matderiv.verification import sample_inputs


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e.name for e in CATALOGUE])
def test_compiled_function_equals_evaluate(entry):
    d = entry.derive()
    f = md.parse(entry.expr, entry.shapes)
    arrays = sample_inputs([f, d.wrt], rng=0, constraints=entry.constraints)
    fn = d.compile()
    np.testing.assert_allclose(fn(**arrays), d.evaluate(arrays), rtol=1e-10, atol=1e-12)
    assert "eval(" not in d.to_source()


@pytest.mark.parametrize("layout", ["numerator", "denominator", "mixed", "mit"])
def test_compiled_function_follows_the_layout(layout):
    d = md.derive("A @ x", "x", shapes={"A": (2, 3), "x": (3,)}).to_layout(layout)
    a = sample_inputs(md.parse("A @ x", {"A": (2, 3), "x": (3,)}), rng=1)
    np.testing.assert_allclose(d.compile()(**a), d.evaluate(a))


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
    assert f.__matderiv_source__.count("np.tanh(") == 2  # tanh(h) and its derivative, h once


HESSIANS = [
    ("norm(X @ W - Y)**2", "W", {"X": (5, 3), "W": (3, 2), "Y": (5, 2)}, "2 kron(I, X^T X)"),
    ("x @ A @ x", "x", {"x": (4,), "A": (4, 4)}, "A + A^T"),
    ("tr(W.T @ A @ W @ B)", "W", {"W": (3, 2), "A": (3, 3), "B": (2, 2)}, None),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "shapes", "text"), HESSIANS, ids=[h[0] for h in HESSIANS])
def test_factored_hessian_acts_like_the_dense_matrix(expr, wrt, shapes, text):
    h = md.hessian(expr, wrt, shapes=shapes)
    a = sample_inputs(md.parse(expr, shapes), rng=4)
    H = md.flattening.operator(h, a)
    if text is not None:
        assert md.flattening.kron_form(h).matrix == text
    dense = md.flattening.to_vec_jacobian(h.evaluate(a), len(h.out_shape))
    np.testing.assert_allclose(H.toarray(), dense, rtol=1e-12, atol=1e-12)
    V = np.random.default_rng(5).standard_normal(shapes[wrt])
    np.testing.assert_allclose(
        H @ md.vec(V) if V.ndim == 2 else H @ V,
        dense @ md.vec(V) if V.ndim == 2 else dense @ V,
        rtol=1e-10,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        H @ V,
        (dense @ md.vec(V)).reshape(V.shape, order="F") if V.ndim == 2 else dense @ V,
        rtol=1e-10,
        atol=1e-12,
    )
    assert H.dense_size == dense.size


def test_factored_size_is_far_below_the_dense_size():
    h = md.hessian("norm(X @ W - Y)**2", "W", shapes={"X": (60, 50), "W": (50, 50), "Y": (60, 50)})
    a = sample_inputs(md.parse("X @ W - Y", {"X": (60, 50), "W": (50, 50), "Y": (60, 50)}), rng=6)
    H = md.flattening.operator(h, a)
    assert H.dense_size == 2500**2
    assert H.factored_size < H.dense_size / 1000


CODEGEN_ERRORS = [
    (lambda: md.derive("sum(x)", "x", shapes={"x": (2,)}).to_source("not a name"), md.ParseError, r"function name 'not a name' is not a valid identifier"),
    (lambda: md.var("lambda", (2,)), md.ShapeError, r"variable name 'lambda' is not a valid identifier \(or is a Python keyword\)"),
    (lambda: md.flattening.operator(md.hessian("x @ A @ x", "x", shapes={"x": (3,), "A": (3, 3)}), x=np.ones(3), A=np.eye(3)) @ np.ones(4), md.ShapeError, r"cannot apply the operator to shape \(4,\): expected the variable's shape \(3,\) or its vec \(3,\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"), CODEGEN_ERRORS, ids=[e[2][:30] for e in CODEGEN_ERRORS]
)
def test_codegen_errors_are_clear(call, error, message):
    with pytest.raises(error, match="^" + message):
        call()
