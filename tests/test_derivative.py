"""The engine's worked examples (issue: the derivation engine) and the traps of peer tools.

Each case is checked three ways: the matrix form's text, the index form, and the numbers
against central finite differences. The steps of the same cases are checked in test_steps.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.checks.finite import sample_inputs

MLP = {"W2": ("m", "h"), "W1": ("h", "n"), "x": ("n",), "b1": ("h",), "y": ("m",)}

# id, expression, wrt, shapes, expected matrix text (None: no matrix form), expected index text
CASES = [
    ("a-least-squares", "sum((X @ W - Y)**2)", "W", {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")},
     "2 X^T (X W - Y)", "D[p,q] = 2 Σ_a (X W - Y)[a,q] X[a,p]"),
    ("b-row-vector-layer", "x @ W + b", "W", {"x": (3,), "W": (3, 2), "b": (2,)},
     None, "D[i,p,q] = x[p] δ[i,q]"),
    ("c-sigmoid-layer", "sigmoid(W @ x + b)", "W", {"W": (3, 4), "x": (4,), "b": (3,)},
     None, "D[i,p,q] = sigmoid'(W x + b)[i] x[q] δ[i,p]"),
    ("d-norm-squared", "norm(A @ x)**2", "x", {"A": ("m", "n"), "x": ("n",)},
     "2 A^T A x", None),
    ("e-product-rule", "outer(A @ (t*u + v), B @ (t*u + v))", "t",
     {"t": (), "u": ("n",), "v": ("n",), "A": ("m", "n"), "B": ("k", "n")},
     "A (u (t u + v)^T + (t u + v) u^T) B^T", None),
    ("f-trace", "tr(W)", "W", {"W": ("n", "n")}, "I", "D[p,q] = δ[p,q]"),
    ("g-einsum-stack", "einsum('ilk,jlk->', X, X)", "X", {"X": ("K", "N", "M")},
     None, "D[p,q,r] = 2 Σ_a X[a,q,r]"),
    ("h-quadratic-form", "x.T @ A @ x", "x", {"x": ("n",), "A": ("n", "n")}, "(A + A^T) x", None),
    ("i-logdet", "logdet(X)", "X", {"X": ("n", "n")}, "X^{-T}", "D[p,q] = (X^{-1})[q,p]"),
    ("i-log-det", "log(det(X))", "X", {"X": ("n", "n")}, "X^{-T}", "D[p,q] = (X^{-1})[q,p]"),
    ("i-trace-AXB", "tr(A @ X @ B)", "X", {"A": ("k", "n"), "X": ("n", "m"), "B": ("m", "k")},
     "A^T B^T", None),
    ("i-inverse", "inv(X)", "X", {"X": ("n", "n")},
     None, "D[i,j,p,q] = -(X^{-1})[i,p] (X^{-1})[q,j]"),
    ("j-softmax-xent", "-y @ log(softmax(z))", "z", {"y": ("n",), "z": ("n",)},
     "softmax(z) sum(y) - y", None),
    ("j-two-layer-tanh", "0.5 * norm(W2 @ tanh(W1 @ x + b1) - y)**2", "W1", MLP,
     "((1 - tanh(W1 x + b1)**2) * W2^T (W2 tanh(W1 x + b1) - y)) x^T", None),
    ("trap-sum-of-traces", "tr(X) + tr(X @ Y)", "X", {"X": ("n", "n"), "Y": ("n", "n")}, "I + Y^T", None),
    ("trap-log-trace", "log(tr(X))", "X", {"X": ("n", "n")}, "I / tr(X)", None),
    ("trap-exp-trace", "exp(tr(X))", "X", {"X": ("n", "n")}, "exp(tr(X)) I", None),
    ("trap-trace-squared", "tr(eye(n) - A)**2", "A", {"A": ("n", "n")}, "-2 tr(I - A) I", None),
    ("trap-sigmoid-mlp", "sum(sigmoid(W2 @ sigmoid(W1 @ x)))", "W1", {"W2": ("m", "h"), "W1": ("h", "n"), "x": ("n",)},
     "(sigmoid'(W1 x) * W2^T sigmoid'(W2 sigmoid(W1 x))) x^T", None),
    ("det", "det(X)", "X", {"X": ("n", "n")}, "det(X) X^{-T}", None),
    ("linear-map", "A @ x", "x", {"A": ("m", "n"), "x": ("n",)}, "A", "D[i,p] = A[i,p]"),
    ("inner-product", "x @ y", "x", {"x": ("n",), "y": ("n",)}, "y", None),
    ("sum-gives-ones", "sum(x)", "x", {"x": ("n",)}, "ones(n)", None),
    ("mean", "mean(X)", "X", {"X": ("m", "n")}, None, None),
    ("bias-gradient", "sum((X @ W + b - Y)**2)", "b", {"X": ("B", "N"), "W": ("N", "M"), "b": ("M",), "Y": ("B", "M")},
     "2 sum(X W + b - Y, axis=0)", None),
    ("left-factor", "sum((A @ B - C)**2)", "A", {"A": ("m", "k"), "B": ("k", "n"), "C": ("m", "n")},
     "2 (A B - C) B^T", None),
    ("logsumexp", "logsumexp(z)", "z", {"z": ("n",)}, "softmax(z)", None),
    ("frobenius-norm", "norm(X, 'fro')", "X", {"X": ("m", "n")}, "X / norm(X)", None),
    ("hadamard", "sum(x * y * x)", "x", {"x": ("n",), "y": ("n",)}, "2 (y * x)", None),
    ("trace-inverse", "tr(inv(X))", "X", {"X": ("n", "n")}, "-(X^{-T})^2", None),
    ("matrix-power", "tr(matrix_power(X, 3))", "X", {"X": ("n", "n")}, "3 (X^T)^2", None),
    ("diag-vector", "sum(diag(x) @ A)", "x", {"x": ("n",), "A": ("n", "m")}, "sum(A, axis=1)", None),
    ("vec-inner", "vec(X) @ vec(X)", "X", {"X": ("m", "n")}, None, None),
    ("elementwise-functions", "sum(exp(x) + sin(x) * cos(x) + softplus(x) + sqrt(x**2 + 1))", "x", {"x": ("n",)}, None, None),
    ("softmax-matrix-axis0", "softmax(Z, axis=0)", "Z", {"Z": (3, 2)}, None, None),
    ("power-non-constant", "sum(x ** t)", "t", {"x": ("n",), "t": ()}, None, None),
    ("scalar-chain", "sin(t) * exp(2 * t) / (1 + t**2)", "t", {"t": ()}, None, None),
    ("wrt-absent", "sum(x)", "y", {"x": ("n",), "y": ("m",)}, "0", None),
    ("pi-constant", "pi * x @ x", "x", {"x": ("n",)}, "2 pi x", None),
    ("ones-matrix", "sum(ones((3, 4)) * t)", "t", {"t": ()}, "12", None),
    ("ones-times-vector", "sum(ones((3, 4)) @ x) * t", "t", {"x": (4,), "t": ()}, "3 sum(x)", None),
    ("ones-named", "sum(ones((n, n)) @ x)", "x", {"x": ("n",)}, "n ones(n)", None),
    ("vec-dot-vec", "vec(X) @ vec(X)", "X", {"X": ("m", "n")}, "2 X", None),
    ("kron-sum", "sum(kron(A, B))", "A", {"A": (2, 2), "B": (3, 3)}, None, "D[p,q] = Σ_ab B[a,b]"),
    ("kron-trace", "tr(kron(A, B))", "A", {"A": ("m", "m"), "B": ("n", "n")}, "tr(B) I", None),
    ("mean-named", "mean(X)", "X", {"X": ("m", "n")}, None, None),
    ("logistic-gradient-factored", "sum(softplus(X @ w) - y * (X @ w))", "w", {"X": ("B", "n"), "w": ("n",), "y": ("B",)}, "X^T (sigmoid(X w) - y)", None),
    ("kron-matrix", "kron(t * A, B)", "t", {"t": (), "A": (2, 3), "B": (3, 2)}, "kron(A, B)", None),
    ("kron-vector", "kron(t * u, v)", "t", {"t": (), "u": (2,), "v": (3,)}, "kron(u, v)", None),
    ("vec-product", "vec(A @ (t * B))", "t", {"t": (), "A": (2, 3), "B": (3, 2)}, "vec(A B)", None),
    ("vec-with-diagonal-regression", "tr(M * outer(vec(N), w))", "w", {"M": (4, 4), "N": (2, 2), "w": (4,)}, None, "D[p] = Σ_ab M[p,p] N[a,b] F[p;b,a]"),
    ("kron-plus-vec-collects", "kron(u * t, v) + vec(t * outer(v, u))", "t", {"t": (), "u": (2,), "v": (3,)}, "2 kron(u, v)", None),
]  # fmt: skip

IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("name", "expr", "wrt", "shapes", "matrix", "index"), CASES, ids=IDS)
def test_worked_example_matches_finite_differences(name, expr, wrt, shapes, matrix, index):
    d = md.derive(expr, wrt, shapes=shapes)
    report = d.check(method="full", shapes=shapes)
    assert report.method == "full"
    if matrix is not None:
        assert d.matrix == matrix
    if index is not None:
        assert d.index == index


def test_result_shape_is_output_then_variable():
    d = md.derive("sigmoid(W @ x + b)", "W", shapes={"W": (3, 4), "x": (4,), "b": (3,)})
    assert d.shape == (3, 3, 4)
    arrays = sample_inputs(md.parse("W @ x + b", {"W": (3, 4), "x": (4,), "b": (3,)}), rng=0)
    assert d.evaluate(**arrays).shape == (3, 3, 4)


def test_dh_dW_axis_order_is_output_row_column():
    """D[i, j, k] = σ'(y_i) δ_ij x_k: the output index first, then W's row, then W's column."""
    shapes = {"W": (3, 4), "x": (4,), "b": (3,)}
    d = md.derive("sigmoid(W @ x + b)", "W", shapes=shapes)
    rng = np.random.default_rng(0)
    W, x, b = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(3)
    y = W @ x + b
    s = 1 / (1 + np.exp(-y))
    expected = np.einsum("i,ij,k->ijk", s * (1 - s), np.eye(3), x)
    np.testing.assert_allclose(d.evaluate(W=W, x=x, b=b), expected, rtol=1e-12)


def test_row_vector_layer_contracted_with_upstream_gradient_is_outer_product():
    d = md.derive("x @ W + b", "W", shapes={"x": (3,), "W": (3, 2), "b": (2,)})
    rng = np.random.default_rng(1)
    x, W, b, g = (
        rng.standard_normal(3),
        rng.standard_normal((3, 2)),
        rng.standard_normal(2),
        rng.standard_normal(2),
    )
    D = d.evaluate(x=x, W=W, b=b)
    assert D.shape == (2, 3, 2)
    np.testing.assert_allclose(np.einsum("j,jkl->kl", g, D), np.outer(x, g))


HESSIANS = [
    ("quadratic-form", "x @ A @ x", "x", None, {"x": ("n",), "A": ("n", "n")}, "A + A^T"),
    ("least-squares", "norm(A @ x - y)**2", "x", None, {"A": ("m", "n"), "x": ("n",), "y": ("m",)}, "2 A^T A"),
    ("mixed", "x @ A @ y", "x", "y", {"x": ("n",), "A": ("n", "m"), "y": ("m",)}, "A"),
    ("logistic", "sum(softplus(X @ w))", "w", None, {"X": ("B", "n"), "w": ("n",)}, None),
    ("logdet", "logdet(X)", "X", None, {"X": (3, 3)}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expr", "wrt", "wrt2", "shapes", "matrix"), HESSIANS, ids=[h[0] for h in HESSIANS]
)
def test_hessian_matches_finite_differences_of_the_gradient(name, expr, wrt, wrt2, shapes, matrix):
    h = md.hessian(expr, wrt, wrt2, shapes=shapes)
    g = md.derive(expr, wrt, shapes=shapes)
    md.check_derivative(
        g, h, wrt=wrt2 or wrt, at=sample_inputs(md.parse(expr, shapes), rng=3), method="full"
    )
    if matrix is not None:
        assert h.matrix == matrix


def test_hessian_shape_is_output_variable_variable():
    h = md.hessian("sum(X @ W)", "W", shapes={"X": (2, 3), "W": (3, 4)})
    assert h.shape == (3, 4, 3, 4)


def test_derivative_of_a_derivative_equals_hessian():
    shapes = {"x": ("n",), "A": ("n", "n")}
    d1 = md.derive(md.derive("x @ A @ x", "x", shapes=shapes), "x")
    assert d1.matrix == "A + A^T"
    assert md.hessian("x @ A @ x", "x", shapes=shapes).matrix == "A + A^T"


def test_builder_variables_work_like_text():
    X, W, Y = md.var("X", ("B", "N")), md.var("W", ("N", "M")), md.var("Y", ("B", "M"))
    d = md.derive(md.parse("sum((X @ W - Y)**2)", {"X": X, "W": W, "Y": Y}), W)
    assert d.matrix == "2 X^T (X W - Y)"
    e = (X @ W - Y) ** 2
    assert e.shape == ("B", "M")


def test_latex_and_notebook_reprs():
    d = md.derive(
        "sum((X @ W - Y)**2)", "W", shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}
    )
    assert d.latex() == r"\frac{\partial f}{\partial W} = 2\, X^{\top}\, \left(X\, W - Y\right)"
    assert d._repr_latex_() == f"$${d.latex()}$$"
    assert d._repr_markdown_() == (
        f"$${d.latex()}$$\n\n"
        r"index form: $D_{pq} = 2 \sum_{a} \left(X\, W - Y\right)_{aq}\, X_{ap}$"
        "\nshape: N×M (tensor layout)"
    )
    assert r"\delta_{" in d.steps[1].latex


def test_einsum_code_runs_with_numpy():
    shapes = {"X": (4, 3), "W": (3, 2), "Y": (4, 2)}
    d = md.derive("sum((X @ W - Y)**2)", "W", shapes=shapes)
    rng = np.random.default_rng(2)
    env = {"np": np, **{k: rng.standard_normal(v) for k, v in shapes.items()}}
    value = eval(d.einsum, env)  # the einsum text is meant to be pasted into numpy code
    np.testing.assert_allclose(value, d.evaluate(**{k: env[k] for k in shapes}))


def test_unknown_wrt_is_an_error_naming_the_variables():
    with pytest.raises(
        md.ParseError, match=r"cannot differentiate with respect to 'Z'.*variables: W, X"
    ):
        md.derive("sum(X @ W)", "Z", shapes={"X": (2, 2), "W": (2, 2)})


def test_missing_array_is_a_shape_error():
    d = md.derive("sum(X @ W)", "W", shapes={"X": (2, 2), "W": (2, 2)})
    with pytest.raises(md.ShapeError, match=r"no array given for variable 'X'"):
        d.evaluate(W=np.eye(2))


def test_conflicting_named_dimension_is_a_shape_error():
    d = md.derive("sum(X @ W)", "W", shapes={"X": ("B", "N"), "W": ("N", "M")})
    with pytest.raises(
        md.ShapeError, match=r"dimension 'N' is 3 in the array for 'W'.*but 4 in the array for 'X'"
    ):
        d.evaluate(X=np.ones((2, 4)), W=np.ones((3, 2)))


def test_unknown_layout_is_a_layout_error():
    d = md.derive("sum(x)", "x", shapes={"x": (2,)})
    with pytest.raises(md.LayoutError, match=r"unknown layout 'rows'"):
        d.to_layout("rows")  # type: ignore[arg-type]


def test_expression_of_wrong_type_is_a_parse_error():
    with pytest.raises(
        md.ParseError, match=r"expected an expression string or a matderiv expression, got int"
    ):
        md.derive(3, "x")  # type: ignore[arg-type]


def test_a_non_differentiable_point_is_a_domain_error():
    d = md.derive("norm(x)", "x", shapes={"x": (3,)})
    with pytest.raises(
        md.DomainError,
        match=r"^the derivative d/dx of norm\(x\) is not finite at this point: entry \(0,\) is nan; the point is outside the domain or at a point where it is not differentiable",
    ):
        d.evaluate(x=np.zeros(3))


def test_latex_of_a_mixed_second_derivative_names_both_variables():
    h = md.hessian("x @ A @ y", "x", "y", shapes={"x": ("n",), "A": ("n", "m"), "y": ("m",)})
    assert h.latex() == r"\frac{\partial \left(\partial f / \partial x\right)}{\partial y} = A"
