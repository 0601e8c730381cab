"""Derivative rules, one node at a time: ∂ node[idx] / ∂ wrt[p] on a tiny case.

Each rule's terms (Kronecker deltas left in place, nothing contracted) are evaluated with einsum
and compared with central differences of the same node written by hand in numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.differentiation import Differentiator
from matderiv.engine.index import Factor, Idx, IndexExpr
from matderiv.engine.rules import opaque_derivative
from matderiv.language.expression import Func, Var
from matderiv.numeric.evaluation import Evaluator

from ..finite import central_jacobian

S = {"x": (3,), "y": (3,), "M": (3, 3), "Z": (2, 3), "t": ()}


def _sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-z))


def _softmax(z: Any, axis: int | None) -> Any:
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def rule_terms(node: md.Expr, wrt: str) -> IndexExpr:
    """∂ node[i…] / ∂ wrt[p…] as the rules write it, with free indices node's then wrt's."""
    w = next(v for v in node.variables() if v.name == wrt)
    idx = tuple(Idx("ijkl"[n], d) for n, d in enumerate(node.shape))
    widx = tuple(Idx("pqrs"[n], d) for n, d in enumerate(w.shape))
    terms = Differentiator(w, widx).factor(Factor("tensor", idx, node))
    return IndexExpr(tuple(terms), idx + widx)


def positive(a: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.abs(v) + 0.5 for k, v in a.items()}


def invertible(a: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {**a, "M": a["M"] / 3 + 2 * np.eye(3)}


def away_from_zero(a: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.sign(v) * (np.abs(v) + 0.5) for k, v in a.items()}


# node (text), variable, the node in plain numpy, how to draw the point
ELEMENTWISE = [
    ("exp(x)", np.exp, None),
    ("log(x)", np.log, positive),
    ("sin(x)", np.sin, None),
    ("cos(x)", np.cos, None),
    ("tanh(x)", np.tanh, None),
    ("sigmoid(x)", _sigmoid, None),
    ("relu(x)", lambda z: np.maximum(z, 0), away_from_zero),
    ("softplus(x)", lambda z: np.logaddexp(0, z), None),
    ("sqrt(x)", np.sqrt, positive),
    ("abs(x)", np.abs, away_from_zero),
    ("step(x)", lambda z: (z > 0) * 1.0, away_from_zero),
    ("sign(x)", np.sign, away_from_zero),
]


def _of_x(f: Callable[[Any], Any]) -> Callable[[dict[str, Any]], Any]:
    return lambda a: f(a["x"])


CASES = [
    *(pytest.param(t, "x", _of_x(f), how, id=t) for t, f, how in ELEMENTWISE),
    pytest.param("x ** 3", "x", lambda a: a["x"] ** 3, None, id="constant-power"),
    pytest.param("x ** t", "x", lambda a: a["x"] ** a["t"], positive, id="variable-power-by-base"),
    pytest.param("x ** t", "t", lambda a: a["x"] ** a["t"], positive, id="variable-power-by-exponent"),
    pytest.param("2 ** x", "x", lambda a: 2.0 ** a["x"], None, id="constant-base"),
    pytest.param("inv(M)", "M", lambda a: np.linalg.inv(a["M"]), invertible, id="inv"),
    pytest.param("det(M)", "M", lambda a: np.linalg.det(a["M"]), invertible, id="det"),
    pytest.param("logdet(M)", "M", lambda a: np.linalg.slogdet(a["M"])[1], invertible, id="logdet"),
    pytest.param("softmax(x)", "x", lambda a: _softmax(a["x"], None), None, id="softmax-vector"),
    pytest.param("softmax(Z, axis=0)", "Z", lambda a: _softmax(a["Z"], 0), None, id="softmax-axis0"),
    pytest.param("softmax(Z, axis=1)", "Z", lambda a: _softmax(a["Z"], 1), None, id="softmax-axis1"),
    pytest.param("softmax(Z)", "Z", lambda a: _softmax(a["Z"], -1), None, id="softmax-default-last-axis"),
    pytest.param("softmax(Z, axis=None)", "Z", lambda a: _softmax(a["Z"], None), None, id="softmax-all"),
    pytest.param("logsumexp(x)", "x", lambda a: np.log(np.exp(a["x"]).sum()), None, id="logsumexp"),
    pytest.param("logsumexp(Z, axis=1)", "Z", lambda a: np.log(np.exp(a["Z"]).sum(1)), None, id="logsumexp-axis1"),
    pytest.param("norm(x)", "x", lambda a: np.linalg.norm(a["x"]), None, id="norm"),
    pytest.param("norm(Z, 'fro')", "Z", lambda a: np.linalg.norm(a["Z"]), None, id="frobenius-norm"),
    pytest.param("inv(M @ M.T + M)", "M", lambda a: np.linalg.inv(a["M"] @ a["M"].T + a["M"]), invertible, id="chain-through-a-linear-argument"),
    pytest.param("exp(x * y)", "x", lambda a: np.exp(a["x"] * a["y"]), None, id="chain-through-a-product"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "wrt", "reference", "how"), CASES)
def test_rule_matches_finite_differences_of_the_element_formula(text, wrt, reference, how, rng):
    node = md.parse(text, S)
    arrays = {k: rng.standard_normal(s) for k, s in S.items()}
    arrays = how(arrays) if how else arrays
    got = Evaluator(arrays, {}).index(rule_terms(node, wrt))
    want = central_jacobian(lambda **a: reference(a), arrays, wrt)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["tanh'", "sigmoid'"])
def test_derivatives_of_the_printed_primes_match_finite_differences(name, rng):
    """tanh' and sigmoid' occur in first derivatives; a second derivative differentiates them."""
    x = Var("x", (3,))
    prime = {
        "tanh'": lambda z: 1 - np.tanh(z) ** 2,
        "sigmoid'": lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
    }
    a = {"x": rng.standard_normal(3)}
    got = Evaluator(a, {}).index(rule_terms(Func(name, x), "x"))
    want = central_jacobian(lambda x: prime[name](x), a, "x")
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_a_variable_differentiates_to_one_delta_per_axis():
    M = Var("M", (3, 3))
    d = rule_terms(M, "M")
    assert [f.kind for t in d for f in t.factors] == ["delta", "delta"]
    np.testing.assert_array_equal(
        Evaluator({"M": np.zeros((3, 3))}, {}).index(d),
        np.einsum("ip,jq->ijpq", np.eye(3), np.eye(3)),
    )


@pytest.mark.parametrize("text", ["ones(3) * 2", "pi", "step(x)", "sign(x)"])
def test_constant_and_piecewise_constant_nodes_have_no_terms(text):
    node = md.parse(text, {**S, "x": (3,)})
    idx = tuple(Idx("ijkl"[n], d) for n, d in enumerate(node.shape))
    widx = (Idx("p", 3),)
    diff = Differentiator(Var("x", (3,)), widx)
    assert opaque_derivative(node, idx, diff.dlower) == []


def test_a_power_other_than_one_is_differentiated_by_the_power_rule(rng):
    """Factor x[i]^3 (as lowering merges x * x * x): 3 x[i]^2 δ[i,p]."""
    x = Var("x", (3,))
    i, p = Idx("i", 3), Idx("p", 3)
    terms = Differentiator(x, (p,)).factor(Factor("tensor", (i,), x, Fraction(3)))
    (term,) = terms
    assert term.coeff == 3
    assert {(f.kind, f.power) for f in term.factors} == {("tensor", 2), ("delta", 1)}
    a = {"x": rng.standard_normal(3)}
    got = Evaluator(a, {}).index(IndexExpr(tuple(terms), (i, p)))
    np.testing.assert_allclose(got, np.diag(3 * a["x"] ** 2), rtol=1e-12)
