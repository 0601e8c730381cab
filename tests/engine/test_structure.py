"""The deltas of a structured variable and the symmetric canonical form."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.index import Factor, Idx, IndexExpr, Term
from matderiv.engine.notation import index_text
from matderiv.engine.structure import canonical_symmetric, is_symmetric_node, variable_derivative
from matderiv.language.functions import Inv

S = md.var("S", ("n", "n"), structure="symmetric")
D = md.var("D", ("n", "n"), structure="diagonal")
X = md.var("X", ("n", "n"))
a, b, p, q = (Idx(c, "n") for c in "abpq")


def _tensor(expr: IndexExpr, n: int = 3) -> np.ndarray:
    """Evaluate ∂V_ab/∂V_pq as an n×n×n×n array (deltas only)."""
    out = np.zeros((n,) * 4)
    for t in expr.terms:
        for idx in np.ndindex(out.shape):
            env = dict(zip("abpq", idx, strict=True))
            value = float(t.coeff)
            for f in t.factors:
                i, j = (env[k.name] for k in f.indices)
                value *= float(i == j)
            out[idx] += value
    return out


@pytest.mark.parametrize(
    ("var", "convention", "expected"),
    [
        (X, None, lambda e: np.einsum("ap,bq->abpq", e, e)),
        (S, "free", lambda e: np.einsum("ap,bq->abpq", e, e) + np.einsum("aq,bp->abpq", e, e) - np.einsum("ap,bq,pq->abpq", e, e, e)),
        (S, "frobenius", lambda e: (np.einsum("ap,bq->abpq", e, e) + np.einsum("aq,bp->abpq", e, e)) / 2),
        (D, None, lambda e: np.einsum("ap,bq,pq->abpq", e, e, e)),
    ],
    ids=["general", "symmetric-free", "symmetric-frobenius", "diagonal"],
)  # fmt: skip
def test_the_deltas_of_each_structure(var, convention, expected):
    rule = IndexExpr(tuple(variable_derivative(var, (a, b), (p, q), convention)), (a, b, p, q))
    np.testing.assert_array_equal(_tensor(rule), expected(np.eye(3)))


def test_free_rule_prints_as_the_cookbook_structure_matrix():
    rule = IndexExpr(tuple(variable_derivative(S, (a, b), (p, q), "free")), (a, b, p, q))
    assert index_text(rule) == "δ[a,p] δ[b,q] + δ[a,q] δ[b,p] - δ[a,p] δ[b,q] δ[p,q]"


def test_symmetric_nodes_are_the_declared_ones_and_their_inverses():
    assert is_symmetric_node(S)
    assert is_symmetric_node(D)
    assert is_symmetric_node(Inv(S))
    assert not is_symmetric_node(X)
    assert not is_symmetric_node(Inv(X))


def test_canonical_form_puts_symmetric_indices_in_order_and_collects():
    terms = (
        Term(Fraction(1), (Factor("tensor", (q, p), S),)),
        Term(Fraction(1), (Factor("tensor", (q, p), X),)),
    )
    out = canonical_symmetric(IndexExpr(terms, (p, q)))
    assert [f.indices for t in out.terms for f in t.factors] == [(p, q), (q, p)]
    unchanged = IndexExpr(terms[1:], (p, q))
    assert canonical_symmetric(unchanged) is unchanged
