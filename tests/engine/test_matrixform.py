"""Matrix forms: printing, transposes, type checks (form_shape) and numbers."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.formprint import form_latex, form_text
from matderiv.engine.matrixform import (
    Atom,
    Chain,
    DiagOf,
    FormShapeError,
    Hadamard,
    Identity,
    KronOf,
    MSum,
    OnesVec,
    ScalarOf,
    Scaled,
    VecOf,
    form_expr,
    form_shape,
    transpose,
)
from matderiv.language.parsing import parse
from matderiv.language.printing import to_code
from matderiv.numeric.evaluation import Evaluator

S = {"A": (2, 3), "B": (3, 4), "M": (3, 3), "x": (3,), "u": (2,), "t": (), "T": (2, 2, 2)}


def atom(name: str, t: bool = False) -> Atom:
    return Atom(parse(name, S), t)


A, B, M, x, u, s = atom("A"), atom("B"), atom("M"), atom("x"), atom("u"), atom("t")

SHAPES = [
    pytest.param(A, (2, 3), id="matrix"),
    pytest.param(atom("A", True), (3, 2), id="transposed-matrix"),
    pytest.param(x, (3, 1), id="vector-is-a-column"),
    pytest.param(atom("x", True), (1, 3), id="transposed-vector-is-a-row"),
    pytest.param(s, (1, 1), id="scalar"),
    pytest.param(Identity(3), (3, 3), id="identity"),
    pytest.param(OnesVec("n", True), (1, "n"), id="ones-row"),
    pytest.param(Chain((A, B)), (2, 4), id="chain"),
    pytest.param(Chain((atom("x", True), M, x)), (1, 1), id="quadratic-form"),
    pytest.param(Hadamard((M, atom("M", True))), (3, 3), id="hadamard"),
    pytest.param(Hadamard((s, M)), (3, 3), id="hadamard-with-a-scalar"),
    pytest.param(DiagOf(x), (3, 3), id="diagonal-matrix"),
    pytest.param(DiagOf(M, vector=True), (3, 1), id="diagonal-as-a-column"),
    pytest.param(DiagOf(M, vector=True, t=True), (1, 3), id="diagonal-as-a-row"),
    pytest.param(KronOf(A, M), (6, 9), id="kronecker"),
    pytest.param(KronOf(OnesVec("n"), OnesVec("m")), ("m*n", 1), id="kronecker-of-named-sizes"),
    pytest.param(VecOf(A), (6, 1), id="vec"),
    pytest.param(VecOf(A, t=True), (1, 6), id="vec-row"),
    pytest.param(ScalarOf("tr", M), (1, 1), id="trace"),
    pytest.param(Scaled(Fraction(2), ((ScalarOf("sum", x), Fraction(1)),), A), (2, 3), id="scaled"),
    pytest.param(MSum((M, Identity(3))), (3, 3), id="sum"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "shape"), SHAPES)
def test_form_shape(form, shape):
    assert form_shape(form) == shape


ILL_TYPED = [
    pytest.param(Chain((A, A)), r"^inner sizes 3 and 2 of a product differ$", id="product"),
    pytest.param(Chain((x, x)), r"^inner sizes 1 and 3 of a product differ$", id="column-times-column"),
    pytest.param(Hadamard((A, B)), r"^operands of shapes \[\(2, 3\), \(3, 4\)\] do not fit elementwise$", id="hadamard"),
    pytest.param(MSum((A, atom("A", True))), r"do not fit elementwise", id="sum"),
    pytest.param(DiagOf(A), r"^diag of a 2×3 matrix as a diagonal matrix$", id="diag-of-a-matrix"),
    pytest.param(DiagOf(A, vector=True), r"^the diagonal of a 2×3 matrix$", id="diagonal-of-a-non-square"),
    pytest.param(ScalarOf("tr", A), r"^the trace of a 2×3 matrix$", id="trace-of-a-non-square"),
    pytest.param(Scaled(Fraction(1), ((x, Fraction(1)),), M), r"^a scalar factor of shape \(3, 1\)$", id="scalar-factor"),
    pytest.param(atom("T"), r"^T has 3 axes$", id="three-axes"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "message"), ILL_TYPED)
def test_form_shape_refuses_ill_typed_forms(form, message):
    with pytest.raises(FormShapeError, match=message):
        form_shape(form)


TEXTS = [
    pytest.param(Chain((atom("A", True), Hadamard((u, u)))), "A^T (u * u)", r"A^{\top}\, \left(u \odot u\right)", id="chain-of-a-hadamard"),
    pytest.param(Scaled(Fraction(-2), (), MSum((M, Identity(3)))), "-2 (M + I)", r"-2\, \left(M + I\right)", id="scaled-sum"),
    pytest.param(KronOf(A, M), "kron(A, M)", r"A \otimes M", id="kronecker"),
    pytest.param(DiagOf(M, vector=True, t=True), "diag(M)^T", r"\operatorname{diag}\left(M\right)^{\top}", id="diagonal-row"),
    pytest.param(OnesVec(3, True), "ones(3)^T", r"\mathbf{1}^{\top}", id="ones-row"),
    pytest.param(ScalarOf("dim", name="B"), "B", "B", id="named-size"),
    pytest.param(MSum((A, Scaled(Fraction(-1), (), A))), "A - A", "A - A", id="difference"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "text", "latex"), TEXTS)
def test_form_text_and_latex(form, text, latex):
    assert form_text(form) == text
    assert form_latex(form) == latex


TRANSPOSES = [
    pytest.param(Chain((A, B)), Chain((atom("B", True), atom("A", True))), id="products-reverse"),
    pytest.param(atom("A", True), A, id="twice-is-the-identity"),
    pytest.param(KronOf(A, M), KronOf(atom("A", True), atom("M", True)), id="kronecker"),
    pytest.param(VecOf(A), VecOf(A, t=True), id="vec-becomes-a-row"),
    pytest.param(Identity(3), Identity(3), id="identity-is-symmetric"),
    pytest.param(DiagOf(x), DiagOf(x), id="diagonal-matrix-is-symmetric"),
    pytest.param(s, s, id="scalar"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "transposed"), TRANSPOSES)
def test_transpose(form, transposed):
    assert transpose(form) == transposed
    r, c = form_shape(form)
    assert form_shape(transposed) == (c, r)


def test_the_transposed_diagonal_of_a_matrix_is_a_row():
    col = DiagOf(Atom(parse("M", S)), vector=True)
    row = transpose(col)
    assert form_text(row) == "diag(M)^T"
    assert transpose(row) == col
    a = np.arange(9.0).reshape(3, 3)
    ev = Evaluator({"M": a}, {})
    assert ev.form(col).shape == (3, 1)
    assert ev.form(row).shape == (1, 3)
    # a row times a row is elementwise, never the outer product of a row and a column
    had = Hadamard((transpose(Atom(parse("diag(M)", S))), row))
    np.testing.assert_array_equal(ev.form(had), np.diag(a)[None, :] ** 2)
    assert form_expr(had).shape == (3,)


def test_form_expr_is_an_expression_with_the_same_numbers(rng):
    form = MSum(
        (Chain((atom("A", True), u)), Scaled(Fraction(3), ((ScalarOf("tr", M), Fraction(1)),), x))
    )
    e = form_expr(form)
    assert e.shape == (3,)
    arrays = {k: rng.standard_normal(v) for k, v in S.items()}
    want = arrays["A"].T @ arrays["u"] + 3 * np.trace(arrays["M"]) * arrays["x"]
    ev = Evaluator(arrays, {})
    np.testing.assert_allclose(ev.expr(e), want, rtol=1e-12)
    np.testing.assert_allclose(ev.form(form).ravel(), want, rtol=1e-12)
    assert str(e) == "A^T u + 3 tr(M) x"
    np.testing.assert_allclose(ev.expr(md.parse(to_code(e), S)), want, rtol=1e-12)
