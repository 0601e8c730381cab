"""Index notation's data: canonical keys, normalisation and expanded products."""

from __future__ import annotations

from fractions import Fraction

import pytest

from matderiv.engine.index import (
    Factor,
    Idx,
    IndexExpr,
    Term,
    canonical_key,
    fresh,
    multiply,
    normalize_term,
)
from matderiv.language.expression import Var
from matderiv.language.functions import Ones

X, Y, x = Var("X", (3, 3)), Var("Y", (3, 3)), Var("x", (3,))
i, j, p, q = (Idx(n, 3) for n in "ijpq")
a, b, c, e = (Idx(n, 3) for n in "abce")


def t(node, *idx, power=1):
    return Factor("tensor", idx, node, Fraction(power))


def d(u, v):
    return Factor("delta", (u, v))


def key(*factors, free=(p,)):
    return canonical_key(Term(Fraction(1), factors), free)


EQUAL = [
    pytest.param((t(X, p, a), t(x, a)), (t(X, p, b), t(x, b)), id="summed-index-renamed"),
    pytest.param((t(X, p, a), t(x, a)), (t(x, c), t(X, p, c)), id="factors-reordered"),
    pytest.param((t(x, a), d(a, p)), (d(p, b), t(x, b)), id="delta-indices-swapped"),
    pytest.param((t(X, a, b), t(X, b, a), t(x, p)), (t(x, p), t(X, c, e), t(X, e, c)), id="tie-between-equal-factors"),
]  # fmt: skip


@pytest.mark.parametrize(("left", "right"), EQUAL)
def test_terms_equal_under_renaming_share_a_key(left, right):
    assert key(*left) == key(*right)


DIFFERENT = [
    pytest.param((t(X, p, a), t(x, a)), (t(X, a, p), t(x, a)), id="transposed"),
    pytest.param((t(X, p, a), t(x, a)), (t(Y, p, a), t(x, a)), id="another-array"),
    pytest.param((t(X, p, a), t(x, a)), (t(X, p, a), t(x, a, power=2)), id="another-power"),
    pytest.param((t(X, a, b), t(X, b, a)), (t(X, a, b), t(X, a, b)), id="trace-of-square-vs-sum-of-squares"),
    pytest.param((t(x, p),), (t(x, a), d(a, a), t(x, p)), id="extra-factor"),
]  # fmt: skip


@pytest.mark.parametrize(("left", "right"), DIFFERENT)
def test_different_terms_have_different_keys(left, right):
    assert key(*left) != key(*right)


def test_the_position_of_a_free_index_matters():
    """X[i,p] and X[p,i] differ though both carry the same two free indices."""
    assert key(t(X, i, p), free=(i, p)) != key(t(X, p, i), free=(i, p))
    assert key(t(X, i, p), free=(i, p)) == key(t(X, i, p), free=(i, p))


def test_indices_compare_by_name_only():
    assert Idx("a", 3) == Idx("a", "n")
    assert hash(Idx("a", 3)) == hash(Idx("a", "n"))
    assert fresh(3) != fresh(3)
    assert fresh("n").dim == "n"


def test_normalize_merges_equal_factors_and_drops_zero_terms():
    merged = normalize_term(Term(Fraction(2), (t(x, a), t(X, p, a), t(x, a))))
    assert merged == Term(Fraction(2), (t(x, a, power=2), t(X, p, a)))
    assert normalize_term(Term(Fraction(0), (t(x, a),))) is None


def test_normalize_keeps_zero_one_factors_idempotent():
    """δ δ = δ, F F = F and ones · ones = ones: 0/1-valued factors do not gain powers."""
    assert normalize_term(Term(Fraction(1), (d(a, p), d(a, p)))) == Term(Fraction(1), (d(a, p),))
    ones = t(Ones((3,)), a)
    assert normalize_term(Term(Fraction(1), (ones, ones))) == Term(Fraction(1), (ones,))


def test_a_cancelled_factor_leaves_its_indices_as_ones():
    """x[a]^-1 x[a] = 1, but a still runs over its range: a ones factor carries it."""
    out = normalize_term(Term(Fraction(1), (t(x, a, power=-1), t(x, a))))
    assert out == Term(Fraction(1), (t(Ones((3,)), a),))


def test_multiply_expands_products_of_sums():
    s1 = [Term(Fraction(1), (t(x, a),)), Term(Fraction(2))]
    s2 = [Term(Fraction(3), (t(x, a),)), Term(Fraction(-1))]
    assert multiply(s1, s2) == [
        Term(Fraction(3), (t(x, a, power=2),)),
        Term(Fraction(-1), (t(x, a),)),
        Term(Fraction(6), (t(x, a),)),
        Term(Fraction(-2)),
    ]


def test_summed_indices_are_those_not_free_in_order_of_appearance():
    e = IndexExpr((Term(Fraction(1), (t(X, b, p), t(x, a), t(x, b))),), (p,))
    assert e.summed(e.terms[0]) == [b, a]
    assert not e.is_zero
    assert IndexExpr((), (p,)).is_zero
