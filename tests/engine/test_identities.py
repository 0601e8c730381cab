"""The identities of the elementwise functions (engine/identities.py) and declared stochastic
rows (engine/structure.py): every rewrite checked numerically, before -> after pinned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matderiv as md
from matderiv.engine import simplify
from matderiv.engine.identities import form_cost, simplify_pointwise
from matderiv.engine.matrixform import Atom, Chain, Hadamard, MSum, Scaled, form_expr
from matderiv.language import nodes
from matderiv.numeric.evaluation import Evaluator
from matderiv.numeric.sampling import sample_inputs
from tests.finite import central_jacobian

x, y, z = md.var("x", ("n",)), md.var("y", ("n",)), md.var("z", ("n",))
A, B = md.var("A", ("n", "m")), md.var("B", ("n", "m"))
t = md.var("t", ())


def _sig(v: Any) -> Any:
    return 1 / (1 + np.exp(-v))


def _value(e: nodes.Expr, arrays: dict[str, Any]) -> Any:
    return Evaluator(arrays, {"n": 4, "m": 3}).expr(e)


def _inputs(rng: np.random.Generator, positive: bool = False) -> dict[str, Any]:
    draw = {"x": (4,), "y": (4,), "z": (4,), "A": (4, 3), "B": (4, 3), "t": ()}
    out = {k: rng.standard_normal(s) for k, s in draw.items()}
    return {k: 0.5 + np.abs(v) for k, v in out.items()} if positive else out


# one identity at a time: an atom before -> its printed form after ------------------------------

S = nodes.Func("sigmoid", x)
SP = nodes.Func("sigmoid'", x)
T = nodes.Func("tanh", x)
TP = nodes.Func("tanh'", x)
E = nodes.Func("exp", x)

IDENTITIES = [
    pytest.param(S**-1 * SP, "1 - sigmoid(x)", False, id="sigmoid-prime-over-sigmoid"),
    pytest.param((1 - S) ** -1 * SP, "sigmoid(x)", False, id="sigmoid-prime-over-1-sigmoid"),
    pytest.param(
        SP * S, "sigmoid(x)**2 - sigmoid(x)**3", False, id="sigmoid-prime-next-to-sigmoid"
    ),
    pytest.param(T * TP, "tanh(x) - tanh(x)**3", False, id="tanh-prime-value"),
    pytest.param(TP, "1 - tanh(x)**2", False, id="tanh-prime-alone"),
    pytest.param(nodes.Func("log", E), "x", False, id="log-exp"),
    pytest.param(nodes.Func("exp", nodes.Func("log", x)), "x", True, id="exp-log-positive"),
    pytest.param(E * (1 + E) ** -1, "sigmoid(x)", False, id="exp-over-1-plus-exp"),
    pytest.param((1 + E) ** -1, "sigmoid(-x)", False, id="one-over-1-plus-exp"),
    pytest.param(nodes.Func("log", 1 + E) * y**-1, "softplus(x) / y", True, id="log-1-plus-exp"),
    pytest.param(x * y * x**-1, "y", True, id="x-over-x-domain-widens"),
    pytest.param(A * B * A**-1 + B, "2 B", True, id="matrix-collect"),
    pytest.param(
        nodes.Transpose(A) * nodes.Transpose(B) * nodes.Transpose(A) ** -1,
        "B^T",
        True,
        id="transposed-operands",
    ),
    pytest.param((y - x * y) * (1 - x) ** -1, "y", True, id="cancel-common-factor"),
]


@pytest.mark.parametrize(("before", "after", "positive"), IDENTITIES)
def test_identity_rewrites_to_an_equal_shorter_form(before, after, positive, rng):
    form = Atom(before)
    out = simplify_pointwise(form)
    from matderiv.engine.formprint import form_text

    assert form_text(out) == after
    assert form_cost(out) <= form_cost(form)
    for _ in range(3):
        arrays = _inputs(rng, positive)
        want, got = _value(before, arrays), _value(form_expr(out), arrays)
        np.testing.assert_allclose(np.broadcast_to(got, np.shape(want)), want, rtol=1e-10)


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(Atom(nodes.Func("sqrt", x**2)), id="sqrt-of-square-not-touched"),
        pytest.param(Atom(nodes.Func("log", x**2) * x**-1), id="log-of-square-not-split"),
        pytest.param(Atom(SP), id="sigmoid-prime-alone-shorter"),
        pytest.param(Atom(x + y), id="nothing-to-do"),
    ],
)
def test_forms_without_a_shorter_identity_are_kept(form):
    assert simplify_pointwise(form) is form


def test_transposed_atoms_in_a_part_stay_transposed(rng):
    Bt = Atom(nodes.Mul((B, nodes.Func("sigmoid'", B), nodes.Func("sigmoid", B) ** -1)), t=True)
    out = simplify_pointwise(Hadamard((Atom(A, t=True), Bt)))
    arrays = _inputs(rng)
    got = _value(form_expr(out), arrays)
    s = _sig(arrays["B"])
    np.testing.assert_allclose(got, (arrays["A"] * arrays["B"] * (1 - s)).T)


def test_opaque_forms_and_scalars_survive_a_rewrite(rng):
    chain = Chain((Atom(A), Atom(nodes.Ones(("m",)))))  # an n-vector that is not an atom
    part = MSum(
        (
            Hadamard((chain, Atom(S**-1 * SP))),
            Scaled(md_fraction(-1), (), Hadamard((chain, Atom(nodes.Func("sigmoid", x) * 0 + 1)))),
        )
    )
    out = simplify_pointwise(part)
    arrays = _inputs(rng)
    want, got = _value(form_expr(part), arrays), _value(form_expr(out), arrays)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert form_cost(out) < form_cost(part)


def md_fraction(v: int) -> Any:
    from fractions import Fraction

    return Fraction(v)


# a property: simplify_pointwise never changes the value --------------------------------------

_LEAVES = [x, y, nodes.Const(md_fraction(2))]
_SAFE = ["exp", "sigmoid", "sigmoid'", "tanh", "tanh'", "softplus"]


def _exprs(depth: int = 3) -> st.SearchStrategy[nodes.Expr]:
    """Random elementwise expressions over x and y, ``depth`` operations deep at most."""
    leaves = st.sampled_from(_LEAVES)
    if depth == 0:
        return leaves
    inner = _exprs(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(inner, inner).map(lambda p: nodes.Add(p)),
        st.tuples(inner, inner).map(lambda p: nodes.Mul(p)),
        st.tuples(st.sampled_from(_SAFE), inner).map(lambda p: nodes.Func(*p)),
        inner.map(lambda e: nodes.Func("log", nodes.Func("exp", e))),
        inner.map(lambda e: nodes.Func("log", 1 + nodes.Func("exp", e))),
        inner.map(lambda e: (1 + nodes.Func("exp", e)) ** -1),
        inner.map(lambda e: nodes.Func("sigmoid", e) ** -1),
        inner.map(lambda e: e**2),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(e=_exprs(), seed=st.integers(0, 2**16))
def test_simplify_pointwise_never_changes_the_value(e, seed):
    form = Atom(e)
    out = simplify_pointwise(form)
    arrays = {"x": np.random.default_rng(seed).uniform(-2, 2, 4), "y": np.linspace(-1, 1.5, 4)}
    with np.errstate(all="ignore"):
        want = np.broadcast_to(_value(e, arrays), (4,) if e.ndim else ())
        got = np.broadcast_to(_value(form_expr(out), arrays), np.shape(want))
    ok = np.isfinite(want) & (np.abs(want) < 1e8)
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-7, atol=1e-9)


# end to end: derive, pinned before -> after, against finite differences ----------------------

LOGIT = {"X": ("n", "d"), "w": ("d",), "y": ("n",)}


def _logistic(X, w, y):  # type: ignore[no-untyped-def]
    s = _sig(X @ w)
    return -np.sum(y * np.log(s) + (1 - y) * np.log(1 - s))


CASES = [
    pytest.param(
        "-sum(y * log(sigmoid(X @ w)) + (1 - y) * log(1 - sigmoid(X @ w)))", "w", LOGIT,
        "X^T (sigmoid'(X w) * ((1 - y) * (1 - sigmoid(X w))**(-1) - y * sigmoid(X w)**(-1)))",
        "X^T (sigmoid(X w) - y)", _logistic, id="logistic-loss",
    ),
    pytest.param(
        "sum(softplus(X @ w))", "w", LOGIT, "X^T sigmoid(X w)", "X^T sigmoid(X w)",
        lambda X, w: np.sum(np.logaddexp(0, X @ w)), id="softplus-stays",
    ),
    pytest.param(
        "sum(log(sigmoid(z)))", "z", {"z": ("n",)}, "sigmoid(z)**(-1) * sigmoid'(z)",
        "1 - sigmoid(z)", lambda z: np.sum(np.log(_sig(z))), id="log-sigmoid",
    ),
    pytest.param(
        "sum(tanh(x)**2)", "x", {"x": ("n",)}, "2 (tanh(x) * tanh'(x))",
        "2 tanh(x) - 2 tanh(x)**3", lambda x: np.sum(np.tanh(x) ** 2), id="tanh-squared",
    ),
    pytest.param(
        "sum(log(1 + exp(-y * (X @ w))))", "w", LOGIT,
        "-X^T ((1 + exp(-y * X w))**(-1) * exp(-y * X w) * y)",
        "-X^T (y * sigmoid(-y * X w))",
        lambda X, w, y: np.sum(np.log1p(np.exp(-y * (X @ w)))), id="logistic-margin",
    ),
    pytest.param(
        "sum(exp(X @ w) - y * (X @ w))", "w", LOGIT, "X^T (exp(X w) - y)", "X^T (exp(X w) - y)",
        lambda X, w, y: np.sum(np.exp(X @ w) - y * (X @ w)), id="poisson-stays",
    ),
    pytest.param(
        "sum(log(1 + exp(x)))", "x", {"x": ("n",)}, "(1 + exp(x))**(-1) * exp(x)",
        "sigmoid(x)", lambda x: np.sum(np.log1p(np.exp(x))), id="log1p-exp",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "shapes", "before", "after", "fun"), CASES)
def test_derivative_reads_shorter_and_matches_finite_differences(
    expr, wrt, shapes, before, after, fun, rng, monkeypatch
):
    d = md.derive(expr, wrt, shapes=shapes)
    assert d.matrix == after
    arrays = sample_inputs(md.parse(expr, shapes), rng=rng)
    want = central_jacobian(fun, arrays, wrt)
    np.testing.assert_allclose(d.evaluate(arrays, via="matrix"), want, rtol=1e-5, atol=1e-7)
    monkeypatch.setattr(simplify, "simplify_pointwise", lambda f: f)
    assert md.derive(expr, wrt, shapes=shapes).matrix == before


# declared stochastic rows -------------------------------------------------------------------

XENT = "-sum(Y * log(softmax(X @ W, axis=1)))"
STOCH = {"X": ("n", "d"), "W": ("d", "k"), "Y": md.structured(("n", "k"), "stochastic")}


def _xent(X, W, Y):  # type: ignore[no-untyped-def]
    Z = X @ W
    logp = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.sum(Y * logp)


@pytest.mark.parametrize(
    ("shapes", "matrix"),
    [
        pytest.param(STOCH, "X^T (softmax(X W) - Y)", id="declared"),
        pytest.param(
            {**STOCH, "Y": ("n", "k")}, "X^T (diag(sum(Y, axis=1)) softmax(X W) - Y)",
            id="not-declared-nothing-assumed",
        ),
    ],
)  # fmt: skip
def test_softmax_cross_entropy_with_stochastic_rows(shapes, matrix, rng):
    d = md.derive(XENT, "W", shapes=shapes)
    assert d.matrix == matrix
    arrays = sample_inputs(md.parse(XENT, STOCH), rng=rng)
    np.testing.assert_allclose(arrays["Y"].sum(axis=1), 1.0)
    assert np.all(arrays["Y"] >= 0)
    want = central_jacobian(_xent, arrays, "W")
    np.testing.assert_allclose(d.evaluate(arrays), want, rtol=1e-5, atol=1e-7)
    d.check()  # raises when the claim is wrong


def test_a_stochastic_vector_sums_to_one(rng):
    shapes = {"p": md.structured(("k",), "stochastic"), "z": ("k",)}
    d = md.derive("-p @ log(softmax(z))", "z", shapes=shapes)
    assert d.matrix == "softmax(z) - p"
    arrays = sample_inputs(md.parse("p @ z", shapes), rng=rng)

    def f(p, z):  # type: ignore[no-untyped-def]
        return -p @ (z - np.log(np.sum(np.exp(z))))

    np.testing.assert_allclose(d.evaluate(arrays), central_jacobian(f, arrays, "z"), atol=1e-7)


def test_stochastic_declaration_in_var_and_structured():
    Y = md.var("Y", ("n", "k"), structure="stochastic")
    assert Y.structure == "stochastic"
    assert md.structured(("k",), "stochastic").structure == "stochastic"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        pytest.param(lambda: md.derive(XENT, "Y", shapes=STOCH), md.NotSupportedError,
                     "declared stochastic .* not free", id="derive-by-stochastic"),
        pytest.param(lambda: md.var("Y", ("n", "k", "m"), structure="stochastic"), md.ShapeError,
                     "probability vector", id="three-axes"),
        pytest.param(
            lambda: md.derive(XENT, "W", shapes=STOCH).evaluate(
                X=np.ones((2, 3)), W=np.ones((3, 2)), Y=np.ones((2, 2))),
            md.DomainError, "row 0 sums to 2.0", id="rows-not-summing-to-one"),
        pytest.param(
            lambda: md.derive(XENT, "W", shapes=STOCH).evaluate(
                X=np.ones((2, 3)), W=np.ones((3, 2)), Y=np.array([[1.5, -0.5], [0.5, 0.5]])),
            md.DomainError, "least entry -0.5", id="negative-entry"),
    ],
)  # fmt: skip
def test_stochastic_errors(call: Callable[[], Any], error: type[Exception], match: str):
    with pytest.raises(error, match=match):
        call()


def test_a_transposed_opaque_matrix_inside_a_part_is_kept_whole():
    # this Hessian's part holds tanh'(X W1 + b1)^T next to elementwise factors; it used to
    # recurse without end (simplifying the kept-whole matrix was simplifying the part again)
    shapes = {"X": ("B", "n"), "W1": ("n", "h"), "b1": ("h",), "W2": ("h", "m"), "Y": ("B", "m")}
    h = md.hessian("sum((tanh(X @ W1 + b1) @ W2 - Y)**2)", "b1", shapes=shapes)
    assert h.matrix is not None
    assert "tanh'(X W1 + b1)^T" in h.matrix
    assert h.check(method="full").method == "full"


def test_a_part_on_a_size_one_axis_never_becomes_a_scalar():
    # found by the fuzzer: exp(v - v)**(-1) is 1, but v has shape (1,), and diag(1) is no matrix
    d = md.derive("einsum('ij,ij->', M, M / exp(v - v))", "M", shapes={"M": (1, 1), "v": (1,)})
    assert d.matrix == "2 M diag(exp(v - v)**(-1))"
    assert d.check(method="full").method == "full"
    shapes = {"M": (1, 1), "v": (1,)}
    assert md.check_derivative(d.of, d.code, wrt="M", shapes=shapes).method == "full"


def test_a_part_whose_expression_form_does_not_exist_is_left_alone():
    # found by the 20,000-expression fuzz (seed 5): a product with a 1x1 "scalar" inside made
    # form_expr raise KeyError from the shape check of a part; it now refuses the rewrite
    text = (
        "softmax((softmax((M / exp(s)), axis=0).T @ ((v - N) / exp(softmax((u / exp(s)), "
        "axis=0)))), axis=1)"
    )
    shapes = {"M": (1, 1), "s": (), "N": (1, 2), "v": (2,), "u": (2,)}
    d = md.derive(text, "s", shapes=shapes)
    assert d.matrix is not None
    assert d.check(method="full").method == "full"


@pytest.mark.parametrize(
    ("text", "shapes", "wrt"),
    [
        pytest.param(
            "mean((M @ (softmax(N / exp(s), axis=0) + P)) / exp(sum(Q, axis=0)))",
            {"M": (3, 3), "N": (3, 1), "s": (), "P": (3, 1), "Q": (2, 1)}, "s",
            id="row-times-n-by-1-is-no-scalar",
        ),
        pytest.param(
            "concatenate([sigmoid(softplus(v)) - (sum(M / exp(v), axis=0) - u[0::-1]), w], axis=0)",
            {"v": (1,), "M": (1, 1), "u": (1,), "w": (4,)}, "v",
            id="one-entry-vectors-stay-vectors",
        ),
    ],
)  # fmt: skip
def test_a_one_by_one_product_with_an_axis_is_not_a_scalar(text, shapes, wrt):
    # found by the 20,000-expression fuzz (seed 6): r^T M with M of shape (n, 1) is 1x1 on paper
    # but has one axis; read as a scalar, the code had shape (1,) for a scalar gradient (wrong)
    # and a Jacobian's evaluation crashed in matmul
    d = md.derive(text, wrt, shapes=shapes)
    assert d.check(method="full").method == "full"
    assert md.check_derivative(text, d.code, wrt=wrt, shapes=shapes).method == "full"
