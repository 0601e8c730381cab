"""The matrix-level simplifier (engine/algebra.py, engine/symmetry.py, engine/simplify.py).

Every rewrite rule has a case below whose rewritten form is evaluated with numpy and compared
with the form it came from, on random inputs (a symmetric variable drawn symmetric). End to end,
the printed matrix form is parsed back and compared with central finite differences of the
original expression, computed in plain numpy.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matderiv as md
from matderiv.engine import simplify
from matderiv.engine.algebra import Budget, BudgetExhaustedError, simplify_algebra
from matderiv.engine.formprint import form_latex, form_text
from matderiv.engine.matrixform import (
    Atom,
    Chain,
    DiagOf,
    Hadamard,
    Identity,
    MatPow,
    MForm,
    MSum,
    Scaled,
    form_expr,
    form_shape,
    mat_pow,
    transpose,
)
from matderiv.engine.symmetry import is_symmetric_expr
from matderiv.language.expression import Var
from matderiv.numeric.evaluation import Evaluator, evaluate
from matderiv.numeric.sampling import sample_inputs

from ..finite import central_jacobian

N = 3
X, Y, A, B = (Var(n, ("n", "n")) for n in "XYAB")
S = Var("S", ("n", "n"), "symmetric")
R = Var("R", ("m", "n"))  # rectangular
a, b = Var("a", ("n",)), Var("b", ("n",))
t = Var("t", ())
SIZES = {"n": N, "m": 4}


def _arrays(rng: np.random.Generator) -> dict[str, np.ndarray]:
    out = {v.name: rng.normal(size=(N, N)) for v in (X, Y, A, B)}
    s = rng.normal(size=(N, N))
    return {
        **out,
        "S": s + s.T + 2 * N * np.eye(N),
        "R": rng.normal(size=(4, N)),
        "a": rng.normal(size=N),
        "b": rng.normal(size=N),
        "t": np.asarray(rng.normal()),
    }


def _value(f: MForm, arrays: dict[str, np.ndarray]) -> np.ndarray:
    return np.asarray(Evaluator(arrays, SIZES).form(f))


def _at(e: object, tr: bool = False) -> Atom:
    assert isinstance(e, md.Expr)
    return Atom(e, tr)


def _c(c: int | Fraction, body: MForm) -> Scaled:
    return Scaled(Fraction(c), (), body)


XT, AT = _at(X, True), _at(A, True)
SYM_XTX = X.T @ X
RULES = [
    # like terms, cancellation, coefficients
    pytest.param(MSum((XT, XT)), "2 X^T", id="like-terms"),
    pytest.param(MSum((_c(2, Chain((_at(A), _at(B)))), _c(3, Chain((_at(A), _at(B)))))), "5 A B",
                 id="coefficients-merge"),
    pytest.param(MSum((_at(A), _c(-1, _at(A)), _at(B))), "B", id="terms-cancel"),
    pytest.param(MSum((_at(A), _c(-1, _at(A)))), "0", id="all-cancel"),
    pytest.param(MSum((_c(4, Chain((XT, XT, XT))), Chain((MSum((XT,) * 12), XT, XT)))),
                 "16 (X^T)^3", id="nested-like-terms"),
    # scalars move out of products, identities vanish
    pytest.param(Chain((_at(X), _c(2, _at(Y)))), "2 X Y", id="scalar-out-of-chain"),
    pytest.param(Chain((_at(X), Identity("n"), _at(Y))), "X Y", id="identity-in-chain"),
    pytest.param(Hadamard((_c(2, _at(A)), _at(B))), "2 (A * B)", id="scalar-out-of-hadamard"),
    pytest.param(DiagOf(_c(3, _at(a))), "3 diag(a)", id="scalar-out-of-diag"),
    pytest.param(Chain((_at(a), _at(b, True), _at(a))), "a b^T a", id="inner-product-stays"),
    pytest.param(Scaled(Fraction(1), ((_at(t), Fraction(1)), (_at(t), Fraction(1))), _at(A)),
                 "t^2 A", id="scalar-powers-merge"),
    # powers
    pytest.param(Chain((XT, XT)), "(X^T)^2", id="power-of-transpose"),
    pytest.param(Chain((_at(X), _at(X), _at(X), _at(Y))), "X^3 Y", id="power-then-factor"),
    pytest.param(Chain((_at(md.parse("inv(X)", {"X": ("n", "n")})),) * 2), "X^{-2}",
                 id="power-of-inverse"),
    # structural symmetry
    pytest.param(_at(SYM_XTX, True), "X^T X", id="sym-XtX"),
    pytest.param(_at(A @ A.T, True), "A A^T", id="sym-AAt"),
    pytest.param(_at(X + X.T, True), "X + X^T", id="sym-X-plus-Xt"),
    pytest.param(_at(S, True), "S", id="sym-declared"),
    pytest.param(_at(md.parse("inv(R.T @ R)", {"R": ("m", "n")}), True), "(R^T R)^{-1}",
                 id="sym-inverse"),
    pytest.param(_at(X.T @ S @ X + A @ A.T, True), "X^T S X + A A^T", id="sym-sum-of-congruences"),
    pytest.param(MSum((_at(md.parse("inv(X.T @ X)", {"X": ("n", "n")})),
                       _at(md.parse("inv(X.T @ X)", {"X": ("n", "n")}), True))),
                 "2 (X^T X)^{-1}", id="sym-inverse-transpose-collects"),
    pytest.param(_at(X @ Y, True), "(X Y)^T", id="not-sym-product"),
    pytest.param(_at(X.T @ Y @ X, True), "(X^T Y X)^T", id="not-sym-middle"),
    pytest.param(_at(X + Y.T, True), "(X + Y^T)^T", id="not-sym-sum"),
    # common factors, only when shorter
    pytest.param(MSum((Chain((XT, _at(A))), _c(-1, Chain((XT, _at(B)))))), "X^T (A - B)",
                 id="left-factor"),
    pytest.param(MSum((Chain((_at(A), AT)), Chain((_at(B), AT)))), "(A + B) A^T",
                 id="right-factor"),
    pytest.param(MSum((_c(Fraction(1, 3), AT), _c(Fraction(1, 3), _at(B)))), "1/3 (A^T + B)",
                 id="scalar-factor"),
    # lengths are tokens: 0.5 (A^T + B) has one more than 0.5 A^T + 0.5 B
    pytest.param(MSum((_c(Fraction(1, 2), AT), _c(Fraction(1, 2), _at(B)))), "0.5 A^T + 0.5 B",
                 id="scalar-factor-not-shorter-in-tokens"),
    pytest.param(MSum((_c(-1, AT), _c(-1, _at(B)))), "-A^T - B", id="scalar-factor-not-shorter"),
    pytest.param(MSum((Hadamard((_at(X), Chain((_at(A), _at(B))))), _c(-1, Hadamard((_at(X), _at(Y)))))),
                 "X * (A B - Y)", id="hadamard-factor"),
    pytest.param(MSum((Chain((_at(X), _at(a))), Chain((_at(X), _at(b))))), "X a + X b",
                 id="factor-not-shorter"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "text"), RULES)
def test_every_rule_is_an_identity(form, text, rng):
    out = simplify.simplify_form(form)
    assert out is not None
    assert form_text(out) == text
    assert form_latex(out)
    arrays = _arrays(rng)
    before, after = _value(form, arrays), _value(out, arrays)
    np.testing.assert_allclose(np.broadcast_to(after, before.shape), before, atol=1e-9)
    if form_shape(out) != (1, 1):  # the expression the printed form parses back to
        again = np.asarray(evaluate(form_expr(out), **arrays, n=N, m=4))
        np.testing.assert_allclose(again.reshape(before.shape), before, atol=1e-9)


def test_a_matrix_power_is_a_product_everywhere_but_in_print(rng):
    p = mat_pow(XT, 15)
    assert isinstance(p, MatPow)
    assert (p.k, p.base) == (15, XT)
    assert mat_pow(XT, 1) == XT
    assert form_text(p) == "(X^T)^15"
    assert form_latex(p) == r"\left(X^{\top}\right)^{15}"
    assert form_text(transpose(p)) == "X^15"
    arrays = _arrays(rng)
    expected = np.linalg.matrix_power(arrays["X"].T, 15)
    np.testing.assert_allclose(_value(p, arrays), expected, rtol=1e-9)
    np.testing.assert_allclose(evaluate(form_expr(p), **arrays), expected, rtol=1e-9)


@pytest.mark.parametrize(
    ("expr", "symmetric"),
    [
        pytest.param(X.T @ X, True, id="XtX"),
        pytest.param(X @ S @ X.T, True, id="XSXt"),
        pytest.param(2 * (X + X.T) * S, True, id="hadamard-of-symmetric"),
        pytest.param(A @ A.T @ A @ A.T, True, id="AAtAAt"),
        pytest.param(A @ A.T @ A, False, id="AAtA"),
        pytest.param(X + Y, False, id="general-sum"),
        pytest.param(X @ X, False, id="square"),
    ],
)
def test_structural_symmetry_agrees_with_numbers(expr, symmetric, rng):
    assert is_symmetric_expr(expr) is symmetric
    value = np.asarray(evaluate(expr, **_arrays(rng)))
    assert np.allclose(value, value.T) is symmetric


# end to end: the printed form parsed back, against finite differences -----------------------

SQ = {"X": ("n", "n"), "A": ("m", "n")}
SYM = {"S": md.structured(("n", "n"), "symmetric"), "C": ("n", "n")}
TEXTBOOK = [
    pytest.param("tr(" + "@".join(["X"] * 16) + ")", "X", SQ, "16 (X^T)^15", id="trace-power-16"),
    pytest.param("logdet(A.T @ A)", "A", SQ, "2 A (A^T A)^{-1}", id="logdet-gram"),
    pytest.param("tr(inv(X.T @ X + A.T @ A))", "X", SQ, "-2 X (X^T X + A^T A)^{-2}",
                 id="trace-inverse-of-gram-sum"),
    pytest.param("-sum(Y*log(softmax(Z@W, axis=1)))", "W",
                 {"Z": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")},
                 "Z^T (diag(sum(Y, axis=1)) softmax(Z W) - Y)", id="softmax-cross-entropy"),
    pytest.param("logsumexp(z)", "z", {"z": ("n",)}, "softmax(z)", id="no-axis-none"),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "shapes", "matrix"), TEXTBOOK)
def test_printed_forms_parse_back_to_the_finite_differences(expr, wrt, shapes, matrix):
    d = md.derive(expr, wrt, shapes=shapes)
    assert d.matrix == matrix
    e = md.parse(expr, shapes)
    arrays = sample_inputs(e, 3)
    fd = central_jacobian(lambda **kw: evaluate(e, **kw), arrays, wrt)
    assert d.code is not None
    back = np.asarray(evaluate(md.parse(d.code, shapes), **arrays))
    np.testing.assert_allclose(back.reshape(fd.shape), fd, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("convention", "matrix"),
    [
        pytest.param("frobenius", "S^{-1} - 0.5 S^{-1} (C^T + C) S^{-1}", id="frobenius"),
        pytest.param(
            "free",
            "2 S^{-1} + I * (S^{-1} C^T S^{-1} - S^{-1}) - S^{-1} (C^T + C) S^{-1}",
            id="free",
        ),
    ],
)
def test_a_declared_symmetric_variable_reads_cleanly(convention, matrix):
    d = md.derive("logdet(S) + tr(inv(S) @ C)", "S", shapes=SYM, symmetric=convention)
    assert d.matrix == matrix
    d.check()  # finite differences along symmetric directions, in the convention
    arrays = sample_inputs(md.parse("logdet(S) + tr(inv(S) @ C)", SYM), 2)
    assert d.code is not None
    back = np.asarray(evaluate(md.parse(d.code, SYM), **arrays))
    np.testing.assert_allclose(back, d.evaluate(arrays, via="index"), rtol=1e-9)


# the budget ----------------------------------------------------------------------------------


def test_an_exhausted_budget_shows_the_form_unsimplified_and_says_so(monkeypatch):
    monkeypatch.setattr(simplify, "BUDGET", 3)
    d = md.derive("tr(X @ X @ X)", "X", shapes=SQ)
    assert d.matrix == "3 X^T X^T"
    assert d.note == simplify.BUDGET_EXHAUSTED
    step = next(s for s in d.steps if s.name == "reassemble")
    assert "simplifier budget exhausted; the form is shown unsimplified" in step.title
    d.check()
    monkeypatch.undo()
    full = md.derive("tr(X @ X @ X)", "X", shapes=SQ)
    assert (full.matrix, full.note) == ("3 (X^T)^2", None)
    assert "budget" not in next(s for s in full.steps if s.name == "reassemble").title


def test_the_budget_raises_inside_and_the_driver_keeps_the_form():
    form = MSum((XT, XT))
    with pytest.raises(BudgetExhaustedError):
        simplify_algebra(form, Budget(1))
    assert simplify.simplify_with_note(None) == (None, None)


def _spent(form: MForm) -> int:
    budget = Budget(10**9)
    simplify_algebra(form, budget)
    return 10**9 - budget.left


def test_the_work_grows_linearly_with_the_size():
    """Budget units (visits and rule applications), not time: doubling the size about doubles
    them, for long products, many equal terms and many distinct terms."""
    for make in (
        lambda k: Chain((XT,) * k),
        lambda k: MSum((XT,) * k),
        lambda k: MSum(
            tuple(_c(n + 1, Chain((_at(A),) * (n % 3 + 1) + (_at(B),))) for n in range(k))
        ),
    ):
        small, large = _spent(make(16)), _spent(make(64))
        assert large <= 6 * small, (small, large)


# random sums of products: numbers never change ----------------------------------------------

_ATOMS = [_at(X), XT, _at(A), AT, _at(S), Identity("n")]
_products = st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=4).map(
    lambda items: items[0] if len(items) == 1 else Chain(tuple(items))
)
_terms = st.tuples(st.integers(-2, 2), _products).map(lambda p: _c(p[0], p[1]))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(_terms, min_size=1, max_size=6))
def test_random_sums_of_products_keep_their_numbers(terms):
    form = MSum(tuple(terms))
    out = simplify.simplify_form(form)
    assert out is not None
    arrays = _arrays(np.random.default_rng(0))
    before, after = _value(form, arrays), _value(out, arrays)
    np.testing.assert_allclose(np.broadcast_to(after, before.shape), before, atol=1e-8)
    assert len(form_text(out)) <= len(form_text(form)) or form_text(out) == "0"
