"""Lowering: the element formula of every node kind, written out with indices.

Each case is lowered at named free indices, printed in index notation (summed indices renamed
``a, b, …``), and evaluated with einsum against the same expression written by hand in numpy.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.index import Factor, Idx, IndexExpr, Term
from matderiv.engine.lowering import carry, delta, lower, merge_powers, tensor
from matderiv.engine.notation import index_text, rename_summed
from matderiv.language.expression import Func, Var
from matderiv.language.functions import Ones
from matderiv.numeric.evaluation import Evaluator

S = {
    "A": (2, 3), "B": (3, 4), "M": (3, 3), "X": ("n", "n"), "x": (3,), "w": (4,), "u": (2,),
    "v": (3,), "m": (2, 1), "t": (),
}  # fmt: skip
SIZES = {"n": 3}


def element(text: str) -> IndexExpr:
    """``text`` lowered at the free indices i, j, … with its summed indices renamed a, b, …"""
    e = md.parse(text, S)
    free = tuple(Idx("ijkl"[n], d) for n, d in enumerate(e.shape))
    return rename_summed(IndexExpr(tuple(lower(e, free)), free), S)


def value(expr: IndexExpr, arrays: dict[str, Any]) -> np.ndarray:
    return Evaluator(arrays, SIZES).index(expr)


def _fuse(whole: int, major: int, minor: int) -> np.ndarray:
    return np.eye(whole).reshape(whole, major, minor)


# text, its element formula, the same array in plain numpy
CASES = [
    pytest.param("x", "x[i]", lambda a: a["x"], id="variable"),
    pytest.param("3", "3", lambda a: 3.0, id="constant"),
    pytest.param("pi * x", "pi x[i]", lambda a: np.pi * a["x"], id="pi"),
    pytest.param("n * t", "n t", lambda a: 3 * a["t"], id="size-as-a-number"),
    pytest.param("A @ B", "Σ_a A[i,a] B[a,j]", lambda a: a["A"] @ a["B"], id="matmul"),
    pytest.param("M @ x", "Σ_a M[i,a] x[a]", lambda a: a["M"] @ a["x"], id="matrix-vector"),
    pytest.param("x @ M @ x", "Σ_ab x[a] M[a,b] x[b]", lambda a: a["x"] @ a["M"] @ a["x"], id="quadratic-form"),
    pytest.param("x @ x", "Σ_a x[a]^2", lambda a: a["x"] @ a["x"], id="inner-product-merges-powers"),
    pytest.param("A.T", "A[j,i]", lambda a: a["A"].T, id="transpose"),
    pytest.param("sum(A)", "Σ_ab A[a,b]", lambda a: a["A"].sum(), id="sum"),
    pytest.param("mean(A, axis=0)", "0.5 Σ_a A[a,i]", lambda a: a["A"].mean(0), id="mean-int-size"),
    pytest.param("mean(X, axis=0)", "Σ_a X[a,i] n^(-1)", lambda a: a["X"].mean(0), id="mean-named-size"),
    pytest.param("sum(A, axis=1, keepdims=True)", "Σ_a A[i,a] ones(1)[j]", lambda a: a["A"].sum(1, keepdims=True), id="keepdims"),
    pytest.param("tr(M)", "Σ_a M[a,a]", lambda a: np.trace(a["M"]), id="trace"),
    pytest.param("diag(x)", "x[i] δ[i,j]", lambda a: np.diag(a["x"]), id="diag-of-a-vector"),
    pytest.param("diag(M)", "M[i,i]", lambda a: np.diag(a["M"]), id="diag-of-a-matrix"),
    pytest.param("outer(u, v)", "u[i] v[j]", lambda a: np.outer(a["u"], a["v"]), id="outer"),
    pytest.param("kron(u, v)", "Σ_ab u[a] v[b] F[i;a,b]", lambda a: np.kron(a["u"], a["v"]), id="kron"),
    pytest.param("vec(A)", "Σ_ab A[a,b] F[i;b,a]", lambda a: a["A"].T.ravel(), id="vec"),
    pytest.param("eye(3)", "δ[i,j]", lambda a: np.eye(3), id="eye"),
    pytest.param("ones((2, 3))", "ones((2, 3))[i,j]", lambda a: np.ones((2, 3)), id="ones"),
    pytest.param("einsum('ij,jk->ik', A, B)", "Σ_a A[i,a] B[a,j]", lambda a: a["A"] @ a["B"], id="einsum"),
    pytest.param("einsum('ii->', M)", "Σ_a M[a,a]", lambda a: np.trace(a["M"]), id="einsum-trace"),
    pytest.param("x ** 2", "x[i]^2", lambda a: a["x"] ** 2, id="power"),
    pytest.param("1 / x", "x[i]^(-1)", lambda a: 1 / a["x"], id="reciprocal"),
    pytest.param("(x ** 2) ** 3", "x[i]^6", lambda a: (a["x"] ** 2) ** 3, id="power-of-power"),
    pytest.param("(x ** 2) ** 0.5", "abs(x)[i]", lambda a: np.abs(a["x"]), id="even-power-to-a-fraction-is-abs"),
    pytest.param("x ** t", "(x**t)[i]", lambda a: np.abs(a["x"]) ** a["t"], id="variable-exponent-stays-opaque"),
    pytest.param("exp(x)", "exp(x)[i]", lambda a: np.exp(a["x"]), id="elementwise-stays-opaque"),
    pytest.param("inv(M)", "(M^{-1})[i,j]", lambda a: np.linalg.inv(a["M"]), id="inverse-stays-opaque"),
    pytest.param("B + w", "B[i,j] + w[j] ones(3)[i]", lambda a: a["B"] + a["w"], id="broadcast-row-carries-ones"),
    pytest.param("A + t", "A[i,j] + t ones((2, 3))[i,j]", lambda a: a["A"] + a["t"], id="broadcast-scalar-carries-ones"),
    pytest.param("A - m", "A[i,j] - Σ_a m[i,a] ones(3)[j]", lambda a: a["A"] - a["m"], id="size-one-axis"),
    pytest.param("x * (u @ A + v)", "x[i] (u^T A + v)[i]", lambda a: a["x"] * (a["u"] @ a["A"] + a["v"]), id="sum-inside-a-product-stays-factored"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "formula", "reference"), CASES)
def test_element_formula_of_each_node_kind(text, formula, reference, rng):
    e = element(text)
    assert index_text(e) == formula
    arrays = {k: rng.standard_normal(s) for k, s in S.items() if k != "X"}
    arrays["X"] = rng.standard_normal((3, 3))
    arrays["x"] = np.abs(arrays["x"]) + 0.5  # x ** t needs a positive base
    np.testing.assert_allclose(value(e, arrays), reference(arrays), rtol=1e-12, atol=1e-12)


def test_fuse_factor_is_numpys_kron_and_column_major_vec():
    """F[I; a, b] = [I = a·|b| + b]: the einsum operand reshape of an identity."""
    F = _fuse(6, 2, 3)
    u, v = np.arange(1.0, 3.0), np.arange(1.0, 4.0)
    np.testing.assert_array_equal(np.einsum("iab,a,b->i", F, u, v), np.kron(u, v))


def test_lowering_with_the_wrong_number_of_indices_is_an_internal_error():
    with pytest.raises(AssertionError, match=r"^lowering A with 1 indices for 2 axes$"):
        lower(md.parse("A", S), (Idx("i", 2),))


def test_zero_raised_to_a_negative_power_is_refused():
    with pytest.raises(
        md.NotSupportedError, match=r"is identically zero and is raised to the power -1"
    ):
        lower(md.parse("(0 * x) ** -1", S), (Idx("i", 3),))


# carry: a broadcast operand keeps the indices it does not depend on ---------------------------

I_, J_ = Idx("i", 2), Idx("j", 4)
w = Var("w", (4,))


def test_carry_adds_a_ones_factor_over_the_indices_no_factor_carries():
    term = carry(tensor(w, (J_,)), (I_, J_))
    assert term.factors == (
        Factor("tensor", (J_,), w),
        Factor("tensor", (I_,), Ones((2,))),
    )


def test_carry_leaves_a_term_that_carries_every_index():
    term = tensor(Var("A", (2, 4)), (I_, J_))
    assert carry(term, (I_, J_)) is term


def test_carried_ones_make_a_sum_over_the_broadcast_axis_count_its_range():
    """Σ_i (B + w)[i, j] = Σ_i B[i, j] + 3 w[j]: the ones factor keeps the range of i."""
    e = element("sum(B + w, axis=0)")
    assert index_text(e) == "Σ_a B[a,i] + Σ_a w[i] ones(3)[a]"
    rng = np.random.default_rng(0)
    a = {"B": rng.standard_normal((3, 4)), "w": rng.standard_normal(4)}
    np.testing.assert_allclose(value(e, a), (a["B"] + a["w"]).sum(0), rtol=1e-12)


# merge_powers: (u^p)^q as one power ----------------------------------------------------------

x = Var("x", (3,))
MERGES = [
    pytest.param(Fraction(2), Fraction(3), Factor("tensor", (I_,), x, Fraction(6)), id="integer-powers-multiply"),
    pytest.param(Fraction(3), Fraction(1, 3), Factor("tensor", (I_,), x, Fraction(1)), id="odd-power-to-a-fraction"),
    pytest.param(Fraction(2), Fraction(1, 2), Factor("tensor", (I_,), Func("abs", x), Fraction(1)), id="even-power-to-a-fraction-is-abs"),
    pytest.param(Fraction(-2), Fraction(5, 2), Factor("tensor", (I_,), Func("abs", x), Fraction(-5)), id="negative-even-power"),
    pytest.param(Fraction(1, 2), Fraction(2), Factor("tensor", (I_,), x, Fraction(1)), id="fraction-then-integer"),
]  # fmt: skip


@pytest.mark.parametrize(("p", "q", "merged"), MERGES)
def test_merge_powers(p, q, merged):
    assert merge_powers(Factor("tensor", (I_,), x, p), q) == merged


@pytest.mark.parametrize("point", [-0.8, 0.7])
def test_merged_power_of_an_even_power_equals_numpy_at_negative_bases(point):
    e = element("(t ** 2) ** 2.5")
    assert index_text(e) == "abs(t)^5"
    np.testing.assert_allclose(value(e, {"t": np.float64(point)}), (point**2) ** 2.5)


def test_delta_and_tensor_build_single_factor_terms():
    assert delta(I_, J_) == Term(Fraction(1), (Factor("delta", (I_, J_)),))
    assert tensor(x, (I_,), Fraction(2)) == Term(
        Fraction(1), (Factor("tensor", (I_,), x, Fraction(2)),)
    )
