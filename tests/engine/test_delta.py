"""Delta contraction and collection on hand-built index forms.

Each rewrite must keep the value: the contracted form is evaluated with einsum before and after.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.delta import centred_sum, collect, contract, contract_term
from matderiv.engine.index import Factor, Idx, IndexExpr, Term
from matderiv.engine.notation import index_text
from matderiv.language.expression import Var
from matderiv.language.functions import Ones
from matderiv.numeric.evaluation import Evaluator

X, x, y = Var("X", (3, 4)), Var("x", (3,)), Var("y", (4,))
i, j, p, q = Idx("i", 3), Idx("j", 4), Idx("p", 3), Idx("q", 4)
a, b, c = Idx("a", 3), Idx("b", 3), Idx("c", 4)
n = Idx("n_", "n")  # a summed index over a named range


def t(node: md.Expr, *idx: Idx, power: int = 1) -> Factor:
    return Factor("tensor", idx, node, Fraction(power))


def d(u: Idx, v: Idx) -> Factor:
    return Factor("delta", (u, v))


def term(*factors: Factor, coeff: int = 1) -> Term:
    return Term(Fraction(coeff), factors)


def evaluate(e: IndexExpr) -> np.ndarray:
    rng = np.random.default_rng(1)
    arrays = {
        "X": rng.standard_normal((3, 4)),
        "x": rng.standard_normal(3),
        "y": rng.standard_normal(4),
    }
    return Evaluator(arrays, {"n": 5}).index(e)


# free indices, term before, its text after contraction
CONTRACTIONS = [
    pytest.param((p,), term(t(x, a), d(a, p)), "x[p]", id="sifting-replaces-the-summed-index"),
    pytest.param((p,), term(t(x, a), d(p, a)), "x[p]", id="sifting-either-order"),
    pytest.param((i, p), term(t(x, i), d(i, p)), "x[i] δ[i,p]", id="free-free-delta-is-kept"),
    pytest.param((p, q), term(t(X, a, c), d(a, p), d(c, q)), "X[p,q]", id="two-deltas"),
    pytest.param((p,), term(d(a, b), d(b, p)), "1", id="a-chain-of-deltas-sifts-to-its-end"),
    pytest.param((), term(d(a, b)), "3", id="trace-of-identity-is-the-range"),
    pytest.param((), term(d(a, a)), "3", id="delta-on-one-index-is-the-range"),
    pytest.param((p,), term(t(x, p), d(a, b)), "3 x[p]", id="an-index-left-by-every-factor-multiplies-by-its-range"),
    pytest.param((p,), term(t(x, p), d(n, n)), "x[p] n", id="a-named-range-becomes-a-size-factor"),
    pytest.param((p,), term(t(x, p), t(Ones((3,)), a)), "3 x[p]", id="summed-ones-is-its-range"),
    pytest.param((i, j), term(t(y, j), t(Ones((3,)), i)), "y[j] ones(3)[i]", id="free-ones-is-kept"),
]  # fmt: skip


@pytest.mark.parametrize(("free", "before", "after"), CONTRACTIONS)
def test_contraction(free, before, after):
    e = IndexExpr((before,), free)
    contracted = contract(e)
    assert index_text(IndexExpr(contracted.terms, free)) == after
    np.testing.assert_allclose(evaluate(contracted), evaluate(e), rtol=1e-12)


def test_contract_term_returns_none_for_a_zero_term():
    assert contract_term(term(t(x, p), coeff=0), (p,)) is None


def test_contraction_keeps_the_value_of_a_mixed_sum():
    e = IndexExpr(
        (
            term(t(X, a, c), t(y, c), d(a, p), coeff=2),
            term(t(x, b), d(b, p), d(c, c)),
            term(t(x, p), coeff=-1),
        ),
        (p,),
    )
    out = contract(e)
    assert index_text(out) == "2 Σ_c X[p,c] y[c] + 4 x[p] - x[p]"
    np.testing.assert_allclose(evaluate(out), evaluate(e), rtol=1e-12)


# collect: equal terms up to summed-index names and factor order -------------------------------

COLLECT = [
    pytest.param((term(t(x, p)), term(t(x, p))), "2 x[p]", id="equal-terms"),
    pytest.param((term(t(X, p, c), t(y, c)), term(t(y, j), t(X, p, j))), "2 Σ_c X[p,c] y[c]", id="renamed-and-reordered"),
    pytest.param((term(t(x, p), coeff=3), term(t(x, p), coeff=-3)), "0", id="cancelling-terms-vanish"),
    pytest.param((term(t(x, p)), term(t(x, p, power=2))), "x[p] + x[p]^2", id="different-powers-stay-apart"),
]  # fmt: skip


@pytest.mark.parametrize(("terms", "text"), COLLECT)
def test_collect(terms, text):
    free = (p,)
    e = IndexExpr(terms, free)
    out = collect(e)
    assert index_text(out) == text
    np.testing.assert_allclose(evaluate(out), evaluate(e), rtol=1e-12)


# centred sums: Σ_a (x - mean(x))_a = 0 -----------------------------------------------------------


def test_a_centred_array_summed_over_its_centring_axis_is_zero():
    e = md.parse("x - mean(x)", {"x": (3,)})
    assert centred_sum(term(t(e, a), t(y, q)), (q,))
    assert not centred_sum(term(t(e, p), t(y, q)), (p, q))  # the index is free: not summed
    assert not centred_sum(term(t(e, a), t(x, a)), ())  # another factor weighs the sum
    assert not centred_sum(term(t(e, a, power=2)), ())  # squared: not a plain sum


def test_contract_drops_a_centred_sum():
    e = md.parse("x - mean(x)", {"x": (3,)})
    assert contract(IndexExpr((term(t(e, a), t(y, q)), term(t(y, q))), (q,))) == IndexExpr(
        (term(t(y, q)),), (q,)
    )
