"""Flattening strategies: vec/Kronecker, commutation, diagonal compression, hiding a dimension,
contraction with an upstream gradient; each equal to the full tensor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import matderiv as md
from matderiv import flattening as fl
from matderiv.checks.finite import sample_inputs

finite = st.floats(-10, 10, allow_nan=False)
dims = st.integers(1, 4)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.tuples(dims, dims, dims, dims).flatmap(
    lambda s: st.tuples(arrays(float, (s[0], s[1]), elements=finite), arrays(float, (s[1], s[2]), elements=finite), arrays(float, (s[2], s[3]), elements=finite))
))  # fmt: skip
def test_vec_of_product_is_kron_times_vec(abc):
    A, X, B = abc
    np.testing.assert_allclose(fl.vec(A @ X @ B), np.kron(B.T, A) @ fl.vec(X), rtol=1e-9, atol=1e-9)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.tuples(dims, dims).flatmap(lambda s: arrays(float, s, elements=finite)),
    st.sampled_from(["F", "C"]),
)
def test_unvec_inverts_vec_in_both_orders(A, order):
    np.testing.assert_array_equal(fl.unvec(fl.vec(A, order), A.shape, order), A)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.tuples(dims, dims).flatmap(lambda s: arrays(float, s, elements=finite)))
def test_commutation_matrix_transposes_under_vec(A):
    m, n = A.shape
    np.testing.assert_array_equal(fl.commutation(m, n) @ fl.vec(A), fl.vec(A.T))


def test_vech_keeps_the_lower_triangle_column_by_column():
    S = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    np.testing.assert_array_equal(fl.vech(S), [1, 2, 3, 4, 5, 6])


KRON = [
    ("A @ X @ B", "X", {"A": (2, 3), "X": (3, 4), "B": (4, 5)}, "kron(B^T, A)"),
    ("inv(X)", "X", {"X": (3, 3)}, "-kron(X^{-T}, X^{-1})"),
    ("sigmoid(W @ x + b)", "W", {"W": (3, 4), "x": (4,), "b": (3,)}, "kron(x^T, diag(sigmoid'(W x + b)))"),
    ("X @ W", "W", {"X": (2, 3), "W": (3, 4)}, "kron(I, X)"),
    ("W @ X", "W", {"X": (3, 4), "W": (2, 3)}, "kron(X^T, I)"),
    ("A @ x", "x", {"A": (2, 3), "x": (3,)}, "A"),
    ("X.T", "X", {"X": (2, 3)}, None),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "shapes", "text"), KRON, ids=[k[0] for k in KRON])
def test_kronecker_form_equals_the_vec_jacobian_of_the_full_tensor(expr, wrt, shapes, text):
    d = md.derive(expr, wrt, shapes=shapes)
    d.check()
    a = sample_inputs([md.parse(expr, shapes), d.wrt], rng=3)
    J = fl.to_vec_jacobian(d.evaluate(a), len(d.out_shape))
    if text is None:  # the transpose map is the commutation matrix, not a Kronecker product
        with pytest.raises(
            md.NotSupportedError,
            match=r"links the row and column indices of vec\(Y\) and vec\(X\): it is not a Kronecker product",
        ):
            fl.kron_form(d)
        np.testing.assert_array_equal(J, fl.commutation(*shapes["X"]))
        return
    k = fl.kron_form(d)
    assert k.matrix == text
    np.testing.assert_allclose(k.evaluate(a), J, rtol=1e-12, atol=1e-12)


COMPRESS = [
    ("sigmoid(W @ x + b)", "W", {"W": (3, 4), "x": (4,), "b": (3,)}, "sigmoid'(W x + b) x^T", "zero unless i = p: D[i,p,q] = C[i,q] δ[i,p]"),
    ("sigmoid(z)", "z", {"z": (3,)}, "sigmoid'(z)", "zero unless i = p: D[i,p] = C[i] δ[i,p]"),
    ("tanh(Z)", "Z", {"Z": (2, 3)}, None, "zero unless i = p: D[i,j,p,q] = C[i,j,q] δ[i,p]"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("expr", "wrt", "shapes", "text", "statement"), COMPRESS, ids=[c[0] for c in COMPRESS]
)
def test_diagonal_compression_equals_the_full_tensor(expr, wrt, shapes, text, statement):
    d = md.derive(expr, wrt, shapes=shapes)
    d.check()
    c = fl.compress(d)
    assert c.statement == statement
    if text is not None:
        assert c.matrix == text
    a = sample_inputs([md.parse(expr, shapes), d.wrt], rng=4)
    full, small = d.evaluate(a), c.evaluate(a)
    n_out = len(d.out_shape)
    keep = [i.name for i in d.index_expr.free].index(statement.split(" = ")[0].split()[-1])
    gone = n_out  # the first variable axis is the one the delta tied to the output
    rebuilt = np.zeros_like(full)
    for idx in np.ndindex(full.shape):
        if idx[keep] == idx[gone]:
            rebuilt[idx] = small[idx[:gone] + idx[gone + 1 :]]
    np.testing.assert_allclose(rebuilt, full, rtol=1e-12, atol=1e-12)


def test_hiding_a_dimension_reduces_dz_dW_to_a():
    shapes = {"W": ("m", "n"), "a": ("m",)}
    d = md.derive("W.T @ a", "W", shapes=shapes)
    d.check()
    h = fl.hide(d, axis=0)
    assert h.matrix == "a"
    assert (
        h.statement == "each output entry i depends only on slice q = i of W: ∂z[i]/∂W[:,i] = C[p]"
    )
    a = sample_inputs(md.parse("W.T @ a", shapes), rng=5)
    full = d.evaluate(a)
    for i in range(full.shape[0]):
        np.testing.assert_allclose(full[i, :, i], h.evaluate(a))  # the only non-zero slice


CONTRACT = [
    ("X @ W", "W", {"X": ("B", "N"), "W": ("N", "M")}, "X^T G"),
    ("A @ B", "B", {"A": ("m", "k"), "B": ("k", "n")}, "A^T G"),
    ("A @ B", "A", {"A": ("m", "k"), "B": ("k", "n")}, "G B^T"),
    ("x @ W + b", "W", {"x": (3,), "W": (3, 2), "b": (2,)}, "x G^T"),
    ("sigmoid(W @ x + b)", "W", {"W": (3, 4), "x": (4,), "b": (3,)}, "(G * sigmoid'(W x + b)) x^T"),
    ("logdet(X)", "X", {"X": (3, 3)}, "G X^{-T}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("expr", "wrt", "shapes", "text"), CONTRACT, ids=[f"{c[0]}-{c[1]}" for c in CONTRACT]
)
def test_contraction_with_upstream_gradient_equals_einsum_of_the_full_tensor(
    expr, wrt, shapes, text
):
    d = md.derive(expr, wrt, shapes=shapes)
    c = d.contract("G")
    assert c.matrix == text
    a = sample_inputs([md.parse(expr, shapes), d.wrt], rng=6)
    full = d.evaluate(a)
    G = np.random.default_rng(7).standard_normal(full.shape[: len(d.out_shape)])
    n = len(d.out_shape)
    expected = np.tensordot(G, full, axes=(tuple(range(n)), tuple(range(n))))
    np.testing.assert_allclose(c.evaluate({**a, "G": G}), expected, rtol=1e-10, atol=1e-12)
    c.check(at={**a, "G": G})


FLAT_ERRORS = [
    (lambda: fl.vec(np.eye(2), "K"), md.LayoutError, r"order must be 'F' \(column-major, the default\) or 'C' \(row-major\), got 'K'"),
    (lambda: fl.unvec(np.ones(5), (2, 3)), md.ShapeError, r"cannot unvec an array of shape \(5,\) into shape \(2, 3\): sizes differ"),
    (lambda: fl.vech(np.ones((2, 3))), md.ShapeError, r"vech needs a square matrix, got shape \(2, 3\)"),
    (lambda: fl.commutation(0, 2), md.ShapeError, r"commutation\(m, n\) needs positive sizes, got \(0, 2\)"),
    (lambda: fl.to_vec_jacobian(np.ones((2, 2)), 3), md.ShapeError, r"out_ndim=3 must be between 0 and the derivative's 2 axes"),
    (lambda: fl.compress(md.derive("A @ x", "x", shapes={"A": (2, 3), "x": (3,)})), md.NotSupportedError, r"no Kronecker delta between an output index and a variable index in every term"),
    (lambda: fl.hide(md.derive("A @ x", "x", shapes={"A": (2, 3), "x": (3,)})), md.NotSupportedError, r"hide needs a matrix variable, got x with 1 axes"),
    (lambda: fl.hide(md.derive("W.T @ a", "W", shapes={"W": (2, 3), "a": (2,)}), axis=2), md.ShapeError, r"axis must be 0 \(hide the rows\) or 1 \(hide the columns\), got 2"),
    (lambda: fl.hide(md.derive("W.T @ a", "W", shapes={"W": (2, 3), "a": (2,)}), axis=1), md.NotSupportedError, r"no output index is tied to W's axis 0 by a delta in every term"),
    (lambda: fl.kron_form(md.derive("tr(X @ A)", "X", shapes={"X": (3, 3), "A": (3, 3)})), md.NotSupportedError, r"the term A\[q,p\] links .* for a scalar output the matrix is vec\(G\)ᵀ with G = A\^T"),
    (lambda: fl.kron_form(md.derive("einsum('ijk->ijk', T)", "T", shapes={"T": (2, 2, 2)})), md.NotSupportedError, r"kron_form handles outputs and variables with at most 2 axes"),
    (lambda: md.derive("X @ W", "W", shapes={"X": (2, 3), "W": (3, 4)}).contract(md.var("G", (3,))), md.ShapeError, r"the upstream gradient G has shape 3, but it must have the output's shape 2×4"),
    (lambda: md.derive("X @ W", "W", shapes={"X": (2, 3), "W": (3, 4)}).contract("X"), md.ShapeError, r"'X' is already a variable of X W; name the upstream gradient differently"),
    (lambda: md.hessian("x @ x", "x", shapes={"x": (3,)}).contract(), md.NotSupportedError, r"contract\(\) applies to a first derivative"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"), FLAT_ERRORS, ids=[m[:40] for _, _, m in FLAT_ERRORS]
)
def test_flattening_errors_say_what_to_do(call, error, message):
    with pytest.raises(error, match="^" + message):
        call()


# Kronecker-factored Hessians act without being formed ------------------------------------

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


def test_applying_the_operator_to_the_wrong_shape_is_a_shape_error():
    H = md.flattening.operator(
        md.hessian("x @ A @ x", "x", shapes={"x": (3,), "A": (3, 3)}), x=np.ones(3), A=np.eye(3)
    )
    with pytest.raises(
        md.ShapeError,
        match=r"^cannot apply the operator to shape \(4,\): expected the variable's shape \(3,\) or its vec \(3,\)",
    ):
        H @ np.ones(4)
