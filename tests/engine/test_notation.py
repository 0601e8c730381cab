"""Index notation as text, LaTeX and einsum code; readable index names that avoid array names."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.index import Factor, Idx, IndexExpr, Term
from matderiv.engine.notation import (
    einsum_code,
    einsum_letters,
    free_names,
    index_latex,
    index_text,
    rename_summed,
)
from matderiv.language.expression import Var
from matderiv.numeric.evaluation import Evaluator

X, x = Var("X", ("n", 3)), Var("x", (3,))
i, p = Idx("i", "n"), Idx("p", 3)
s = Idx("_7", 3)  # a fresh summed index, as the engine names them

# 2 Σ_s X[i,s] x[s]^(-1/2) - Σ_s δ[s,p] / n
EXPR = IndexExpr(
    (
        Term(Fraction(2), (Factor("tensor", (i, s), X), Factor("tensor", (s,), x, Fraction(-1, 2)))),
        Term(Fraction(-1), (Factor("delta", (s, p)), Factor("dim", (), None, Fraction(-1), name="n"))),
    ),
    (i, p),
)  # fmt: skip


def test_index_text():
    assert index_text(rename_summed(EXPR), "D[i,p]") == (
        "D[i,p] = 2 Σ_a X[i,a] x[a]^(-0.5) - Σ_a δ[a,p] n^(-1)"
    )


def test_index_latex():
    assert index_latex(rename_summed(EXPR)) == (
        r"2 \sum_{a} X_{ia}\, {x_{a}}^{-0.5} - \sum_{a} \delta_{ap}\, {n}^{-1}"
    )


def test_einsum_code_is_numpy_code_for_the_same_numbers():
    code = einsum_code(rename_summed(EXPR))
    assert code == (
        "2 * np.einsum('ia,a,p->ip', X, x ** (-0.5), np.ones(3), optimize=True) "
        "- n ** (-1) * np.einsum('ap,i->ip', np.eye(3), np.ones(n))"
    )
    rng = np.random.default_rng(0)
    arrays = {"X": rng.standard_normal((4, 3)), "x": rng.uniform(0.5, 2.0, 3)}
    got = eval(code, {"np": np, "n": 4, **arrays})
    want = 2 * np.outer(arrays["X"] @ arrays["x"] ** -0.5, np.ones(3)) - np.ones((4, 3)) / 4
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(Evaluator(arrays, {"n": 4}).index(EXPR), want, rtol=1e-12)


def test_a_zero_keeps_its_shape_in_every_notation():
    assert index_text(IndexExpr((), (i,)), "D[i]") == "D[i] = 0"
    assert index_latex(IndexExpr((), (i, p))) == "0"
    assert einsum_code(IndexExpr((), (i, p))) == "np.zeros((n, 3,))"
    assert einsum_code(IndexExpr((), ())) == "0.0"


def test_summed_names_skip_the_names_of_arrays():
    """A summed index never reads like a variable: with an array named ``a`` it is ``b``."""
    assert index_text(rename_summed(EXPR, {"a"})) == (
        "2 Σ_b X[i,b] x[b]^(-0.5) - Σ_b δ[b,p] n^(-1)"
    )
    assert (
        md.derive("sum(a * x)", "x", shapes={"a": (3,), "x": (3,)})
        .steps[0]
        .text.endswith("f = Σ_b a[b] x[b]")
    )


def test_summed_names_skip_free_names():
    e = IndexExpr(
        (Term(Fraction(1), (Factor("tensor", (Idx("a", 3), s), Var("M", (3, 3))),)),),
        (Idx("a", 3),),
    )
    assert index_text(rename_summed(e)) == "Σ_b M[a,b]"


FREE = [
    pytest.param(2, set(), 0, ["i", "j"], id="output-letters"),
    pytest.param(2, set(), 1, ["p", "q"], id="variable-letters"),
    pytest.param(2, set(), 2, ["t", "u"], id="second-variable-letters"),
    pytest.param(3, {"i", "j"}, 0, ["k", "l", "p"], id="taken-letters-are-skipped"),
    pytest.param(2, {"p"}, 1, ["q", "r"], id="an-array-named-p"),
]  # fmt: skip


@pytest.mark.parametrize(("count", "used", "group", "names"), FREE)
def test_free_names(count, used, group, names):
    assert free_names(count, used, group) == names


def test_einsum_letters_keep_single_letter_names_and_fill_in_the_rest():
    e = IndexExpr((Term(Fraction(1), (Factor("tensor", (i, s), X),)),), (i,))
    assert einsum_letters(e) == {i: "i", s: "a"}


def test_more_than_52_indices_is_not_supported():
    idx = tuple(Idx(f"i{n}", 2) for n in range(53))
    with pytest.raises(md.NotSupportedError, match=r"more than 52 distinct indices"):
        einsum_letters(IndexExpr((Term(Fraction(1)),), idx))
