"""Reassembly: index forms back into matrix notation, or no matrix form (an einsum).

Each element formula is reassembled, printed, type-checked (form_shape) and evaluated with numpy
against the index form it came from.
"""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.formprint import form_text
from matderiv.engine.index import Idx, IndexExpr
from matderiv.engine.lowering import lower
from matderiv.engine.matrixform import form_shape
from matderiv.engine.notation import rename_summed
from matderiv.engine.reassembly import reassemble
from matderiv.numeric.evaluation import Evaluator, result_array

S = {
    "A": (2, 3), "B": (3, 4), "C": (4, 2), "M": (3, 3), "N": (3, 3), "P": (2, 2), "x": (3,),
    "u": (2,), "v": (3,), "T": (2, 2, 2),
}  # fmt: skip


def element(text: str) -> IndexExpr:
    e = md.parse(text, S)
    free = tuple(Idx("ijkl"[n], d) for n, d in enumerate(e.shape))
    return rename_summed(IndexExpr(tuple(lower(e, free)), free), S)


CASES = [
    pytest.param("A @ B", "A B", id="chain"),
    pytest.param("A @ B @ C", "A B C", id="longer-chain"),
    pytest.param("M @ x", "M x", id="matrix-vector"),
    pytest.param("A.T", "A^T", id="transpose"),
    pytest.param("(A @ B).T", "B^T A^T", id="ends-swapped-give-transposes"),
    pytest.param("M * N", "M * N", id="hadamard"),
    pytest.param("M * N.T", "M * N^T", id="hadamard-with-a-transpose"),
    pytest.param("diag(x)", "diag(x)", id="diagonal-matrix"),
    pytest.param("diag(M)", "diag(M)", id="diagonal-of-a-matrix"),
    pytest.param("outer(u, v)", "u v^T", id="outer-product"),
    pytest.param("kron(P, M)", "kron(P, M)", id="kronecker-of-matrices"),
    pytest.param("kron(u, v)", "kron(u, v)", id="kronecker-of-vectors"),
    pytest.param("vec(A)", "vec(A)", id="vec"),
    pytest.param("sum(A)", "sum(A)", id="total-sum"),
    pytest.param("sum(M, axis=0)", "sum(M, axis=0)", id="sum-over-rows"),
    pytest.param("tr(M @ N)", "tr(M^T N^T)", id="trace"),
    pytest.param("eye(3) * tr(M)", "tr(M) I", id="scalar-times-identity"),
    pytest.param("2 * A - A", "2 A - A", id="sum-of-terms"),
    pytest.param("exp(M) @ x", "exp(M) x", id="opaque-factor-in-a-chain"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "matrix"), CASES)
def test_reassembled_form_prints_and_equals_the_index_form(text, matrix, rng):
    e = element(text)
    form = reassemble(e)
    assert form is not None
    assert form_text(form) == matrix
    shape = form_shape(form)  # type-checked: raises on a product that does not fit
    assert len(shape) == 2
    arrays = {k: rng.standard_normal(s) for k, s in S.items()}
    ev = Evaluator(arrays, {})
    want = ev.index(e)
    np.testing.assert_allclose(
        result_array(ev.form(form), want.shape), want, rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("einsum('ijk->kji', T)", id="three-axes"),
        pytest.param("einsum('ijk,k->ij', T, u)", id="three-axis-operand"),
    ],
)
def test_no_matrix_form_falls_back_to_the_index_form(text):
    assert reassemble(element(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("vec(s * eye(2))", id="vec-of-a-scaled-identity"),
        pytest.param("vec(diag(ones(2) * s))", id="vec-of-a-diagonal"),
        pytest.param("v + vec(diag(ones(2) * s))", id="found-by-the-fuzzer"),
    ],
)
def test_the_vec_of_a_diagonal_is_not_a_kronecker_product(text):
    """Σ_a F[i; a, a] is vec(I), not kron(ones, ones): it once reassembled to the latter."""
    d = md.derive(text, "s", shapes={"s": (), "v": (4,)})
    assert d.matrix is None
    assert d.index == "D[i] = Σ_a F[i;a,a]"
    a = {"s": np.float64(0.7), "v": np.zeros(4)}
    np.testing.assert_array_equal(d.evaluate(a), [1.0, 0.0, 0.0, 1.0])


def test_an_empty_index_form_is_zero():
    free = (Idx("i", 3),)
    form = reassemble(IndexExpr((), free))
    assert form is not None
    assert form_text(form) == "0"
