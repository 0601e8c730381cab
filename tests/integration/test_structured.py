"""Derivatives by symmetric and diagonal variables, each convention against finite differences
in its own sense, computed in plain numpy (tests/finite.py) on functions written in numpy:

- "free": the partial derivative by one free entry s_pq, moving S_pq and S_qp together;
- "frobenius": the unstructured finite-difference gradient projected onto the symmetric
  matrices, (G + Gᵀ)/2;
- diagonal: the partial derivative by each diagonal entry, 0 elsewhere.
"""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.numeric.evaluation import Evaluator, bind_sizes
from tests.finite import central_jacobian

SHAPES = {
    "S": md.structured(("n", "n"), "symmetric"),
    "D": md.structured(("n", "n"), "diagonal"),
    "A": ("n", "n"),
    "x": ("n",),
}

# (expression, the same function in numpy, with S and D given as keywords)
CASES = [
    ("logdet(S)", lambda S, **_: np.linalg.slogdet(S)[1]),
    ("det(S)", lambda S, **_: np.linalg.det(S)),
    ("tr(A @ S)", lambda S, A, **_: np.trace(A @ S)),
    ("x @ S @ x", lambda S, x, **_: x @ S @ x),
    ("sum(S**2)", lambda S, **_: np.sum(S**2)),
    ("tr(S @ A @ S)", lambda S, A, **_: np.trace(S @ A @ S)),
    ("tr(inv(S) @ A)", lambda S, A, **_: np.trace(np.linalg.inv(S) @ A)),
    ("sum(sigmoid(S @ x))", lambda S, x, **_: np.sum(1 / (1 + np.exp(-S @ x)))),
    ("S @ x", lambda S, x, **_: S @ x),
    ("inv(S)", lambda S, **_: np.linalg.inv(S)),
    ("logdet(S) + tr(A @ D @ S)", lambda S, A, D, **_: np.linalg.slogdet(S)[1] + np.trace(A @ D @ S)),
]  # fmt: skip
IDS = [c[0] for c in CASES]


def _point(rng, n=4):
    a = rng.standard_normal((n, n))
    return {
        "S": a @ a.T / n + np.eye(n),  # symmetric positive definite
        "D": np.diag(1.0 + rng.random(n)),
        "A": rng.standard_normal((n, n)),
        "x": rng.standard_normal(n),
    }


def free_entry_jacobian(fun, arrays, wrt, h=1e-6):
    """∂f/∂s_pq for every free entry, moving S_pq and S_qp together; entry (p, q) and (q, p)
    of the result both hold it (the free-entry convention)."""
    s = arrays[wrt]
    n = s.shape[0]
    out_shape = np.shape(fun(**arrays))
    jac = np.zeros(out_shape + s.shape)
    for p in range(n):
        for q in range(p, n):
            e = np.zeros((n, n))
            e[p, q] = e[q, p] = 1.0
            up = fun(**{**arrays, wrt: s + h * e})
            down = fun(**{**arrays, wrt: s - h * e})
            value = (np.asarray(up) - np.asarray(down)) / (2 * h)
            jac[..., p, q] = jac[..., q, p] = value
    return jac


def projected_gradient(fun, arrays, wrt):
    """The unstructured finite-difference derivative projected onto the symmetric matrices
    in the variable's two axes: (G + Gᵀ)/2 (the Frobenius convention)."""
    g = central_jacobian(fun, arrays, wrt)
    return (g + np.swapaxes(g, -1, -2)) / 2


@pytest.mark.parametrize(("expr", "fun"), CASES, ids=IDS)
def test_free_convention_is_the_derivative_by_the_free_entries(expr, fun, rng):
    arrays = _point(rng)
    d = md.derive(expr, "S", shapes=SHAPES, symmetric="free")
    expected = free_entry_jacobian(fun, arrays, "S")
    np.testing.assert_allclose(d.evaluate(arrays), expected, rtol=1e-6, atol=1e-7)
    if d.form is not None:
        np.testing.assert_allclose(d.evaluate(arrays, via="matrix"), expected, rtol=1e-6, atol=1e-7)
    own = {v.name for v in d.variables | {d.wrt}}
    compiled = d.compile()(**{k: v for k, v in arrays.items() if k in own})
    np.testing.assert_allclose(compiled, expected, rtol=1e-6, atol=1e-7)
    d.check()
    d.check(method="directional")


@pytest.mark.parametrize(("expr", "fun"), CASES, ids=IDS)
def test_frobenius_convention_is_the_projected_gradient(expr, fun, rng):
    arrays = _point(rng)
    d = md.derive(expr, "S", shapes=SHAPES, symmetric="frobenius")
    expected = projected_gradient(fun, arrays, "S")
    np.testing.assert_allclose(d.evaluate(arrays), expected, rtol=1e-6, atol=1e-7)
    if d.form is not None:
        np.testing.assert_allclose(d.evaluate(arrays, via="matrix"), expected, rtol=1e-6, atol=1e-7)
    own = {v.name for v in d.variables | {d.wrt}}
    compiled = d.compile()(**{k: v for k, v in arrays.items() if k in own})
    np.testing.assert_allclose(compiled, expected, rtol=1e-6, atol=1e-7)
    d.check()
    d.check(method="directional")


@pytest.mark.parametrize(
    ("expr", "fun"),
    [
        ("tr(A @ D)", lambda D, A, **_: np.trace(A @ D)),
        ("logdet(D)", lambda D, **_: np.linalg.slogdet(D)[1]),
        ("x @ D @ x", lambda D, x, **_: x @ D @ x),
        ("D @ x", lambda D, x, **_: D @ x),
    ],
    ids=["trace", "logdet", "quadratic", "vector"],
)
def test_diagonal_variable_is_differentiated_by_its_diagonal_entries(expr, fun, rng):
    arrays = _point(rng)
    n = arrays["D"].shape[0]
    g = central_jacobian(fun, arrays, "D")
    expected = g * np.eye(n)  # G∘I: the diagonal entries are the free ones
    for convention in (None, "free", "frobenius"):
        d = md.derive(expr, "D", shapes=SHAPES, symmetric=convention)
        np.testing.assert_allclose(d.evaluate(arrays), expected, rtol=1e-6, atol=1e-7)
        d.check()


def test_the_two_conventions_differ_by_the_off_diagonal_factor_two(rng):
    arrays = _point(rng)
    free = md.derive("logdet(S)", "S", shapes=SHAPES, symmetric="free").evaluate(arrays)
    frob = md.derive("logdet(S)", "S", shapes=SHAPES, symmetric="frobenius").evaluate(arrays)
    off = 1 - np.eye(4)
    np.testing.assert_allclose(free * off, 2 * frob * off)
    np.testing.assert_allclose(np.diag(free), np.diag(frob))


def test_printed_forms_are_the_textbook_ones():
    d = lambda e, c: md.derive(e, "S", shapes=SHAPES, symmetric=c)  # noqa: E731
    assert d("logdet(S)", "free").matrix == "2 S^{-1} - S^{-1} * I"
    assert d("logdet(S)", "frobenius").matrix == "S^{-1}"
    assert d("tr(A @ S)", "free").matrix == "A^T + A - A^T * I"
    assert (
        d("tr(A @ S)", "frobenius").matrix == "0.5 A^T + 0.5 A"
    )  # fewer tokens than 0.5 (A^T + A)
    assert d("x @ S @ x", "frobenius").matrix == "x x^T"
    assert r"\odot" in d("logdet(S)", "free").latex()


def test_printed_matrix_forms_parse_back_and_agree(rng):
    arrays = _point(rng)
    for convention in ("free", "frobenius"):
        for expr, _ in CASES:
            d = md.derive(expr, "S", shapes=SHAPES, symmetric=convention)
            if d.code is None:
                continue
            back = md.parse(d.code, SHAPES)
            sizes = bind_sizes(back.variables(), arrays)
            got = np.broadcast_to(Evaluator(arrays, sizes).expr(back), d.evaluate(arrays).shape)
            np.testing.assert_allclose(got, d.evaluate(arrays), rtol=1e-9, atol=1e-12)


def test_hessian_by_a_symmetric_variable_in_each_convention(rng):
    arrays = _point(rng)
    fun = lambda S, **_: np.linalg.slogdet(S)[1]  # noqa: E731
    for convention, first in (("free", free_entry_jacobian), ("frobenius", projected_gradient)):
        h = md.hessian("logdet(S)", "S", shapes=SHAPES, symmetric=convention)
        g = md.derive("logdet(S)", "S", shapes=SHAPES, symmetric=convention)

        # g takes symmetric S only (it raises otherwise); g(sym(X)) extends it to every X
        def extended(S, g=g, **_):
            return g.evaluate(S=(S + S.T) / 2)

        expected = first(extended, arrays, "S")
        np.testing.assert_allclose(h.evaluate(arrays), expected, rtol=1e-6, atol=1e-7)
        # and the gradient itself against the numpy function
        np.testing.assert_allclose(g.evaluate(arrays), first(fun, arrays, "S"), rtol=1e-6)
        h.check()


def test_value_and_grad_differential_and_contract(rng):
    arrays = _point(rng)
    f = md.value_and_grad("logdet(S) + x @ S @ x", "S", shapes=SHAPES, symmetric="frobenius")
    value, grad = f(S=arrays["S"], x=arrays["x"])
    fun = lambda S, x, **_: np.linalg.slogdet(S)[1] + x @ S @ x  # noqa: E731
    assert value == pytest.approx(fun(**arrays))
    np.testing.assert_allclose(grad, projected_gradient(fun, arrays, "S"), rtol=1e-6)
    dl = md.differential("logdet(S)", "S", SHAPES, symmetric="frobenius")
    assert str(dl) == "d(logdet(S)) = (S^{-1}) : dS"
    d = md.derive("S @ x", "S", shapes=SHAPES, symmetric="free")
    c = d.contract("G")
    assert c.symmetric == "free"
    c.check()


def test_builder_variables_carry_the_structure(rng):
    S = md.var("S", ("n", "n"), structure="symmetric")
    x = md.var("x", ("n",))
    d = md.derive(x @ S @ x, S, symmetric="free")
    assert d.matrix == "2 x x^T - diag(x)^2"
    assert d.symmetric == "free"
    d.check()


def test_steps_show_the_rule_of_the_structure():
    d = md.derive("tr(A @ S)", "S", shapes=SHAPES, symmetric="free")
    differentiate = next(s for s in d.steps if s.name == "differentiate")
    assert differentiate.text.startswith("∂S[a,b]/∂S[p,q] = δ[a,p] δ[b,q] + δ[a,q] δ[b,p] - ")
    d = md.derive("logdet(S)", "S", shapes=SHAPES, symmetric="frobenius")
    assert any(s.title == "Collect equal terms (using S^T = S)" for s in d.steps)


def test_every_step_evaluates_to_the_result_on_structured_inputs(rng):
    arrays = _point(rng)
    for convention in ("free", "frobenius"):
        d = md.derive("tr(inv(S) @ A) + x @ S @ x", "S", shapes=SHAPES, symmetric=convention)
        want = d.evaluate(arrays)
        for step in d.steps[1:]:
            np.testing.assert_allclose(step.evaluate(arrays), want, rtol=1e-9, atol=1e-12)


def test_exact_check_in_each_convention():
    for convention in ("free", "frobenius"):
        d = md.derive("logdet(S) + tr(A @ S)", "S", shapes=SHAPES, symmetric=convention)
        assert str(d.check(method="exact")).startswith("exact check passed on ")
    d = md.derive("tr(A @ D)", "D", shapes=SHAPES)
    assert str(d.check(method="exact")).startswith("exact check passed on ")


def test_a_derivative_by_another_variable_uses_the_symmetry(rng):
    arrays = _point(rng)
    d = md.derive("tr(A @ S)", "A", shapes=SHAPES)
    assert d.matrix == "S"  # Sᵀ = S, declared
    np.testing.assert_allclose(d.evaluate(arrays), central_jacobian(
        lambda S, A, **_: np.trace(A @ S), arrays, "A"), rtol=1e-6)  # fmt: skip
