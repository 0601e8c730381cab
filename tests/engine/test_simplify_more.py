"""The last rewrites of the simplifier (engine/tidy.py) and its token measure.

Each rule has a case whose rewritten form is evaluated with numpy and compared with the form it
came from on random inputs, and whose printed form parses back (``form_expr``) to the same
numbers. End to end, derivatives that use the rules are checked against central finite
differences computed in plain numpy.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import matderiv as md
from matderiv.engine import simplify
from matderiv.engine.formprint import form_length, form_text, printed_length
from matderiv.engine.matrixform import (
    Atom,
    Chain,
    DiagOf,
    Hadamard,
    MForm,
    MSum,
    OnesVec,
    Scaled,
    form_expr,
    form_shape,
)
from matderiv.engine.tidy import negate_expr
from matderiv.language.expression import Var
from matderiv.numeric.evaluation import Evaluator, evaluate
from matderiv.numeric.sampling import sample_inputs

from ..finite import central_jacobian

SIZES = {"n": 3, "m": 4, "k": 2}
R, Q = Var("R", ("m", "n")), Var("Q", ("m", "n"))
P, Z, T = Var("P", ("n", "k")), Var("Z", ("k", "m")), Var("T", ("n", "n"))
a, b = Var("a", ("n",)), Var("b", ("n",))
y = Var("y", ("m",))
_VARS = {v.name: v.shape for v in (R, Q, P, Z, T, a, b, y)}


def E(text: str) -> md.Expr:
    return md.parse(text, _VARS)


def _arrays(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "R": rng.normal(size=(4, 3)),
        "Q": rng.normal(size=(4, 3)),
        "P": rng.normal(size=(3, 2)),
        "Z": rng.normal(size=(2, 4)),
        "T": rng.normal(size=(3, 3)),
        "a": rng.uniform(0.5, 2.0, size=3),  # positive: log(a) is defined
        "b": rng.normal(size=3),
        "y": rng.normal(size=4),
    }


def _value(f: MForm, arrays: dict[str, np.ndarray]) -> np.ndarray:
    return np.asarray(Evaluator(arrays, SIZES).form(f))


def _c(c: int, body: MForm | None) -> Scaled:
    return Scaled(Fraction(c), (), body)


def _s(c: int, scalar: md.Expr) -> Scaled:
    return Scaled(Fraction(c), ((Atom(scalar), Fraction(1)),), None)


RT = Atom(R, True)
EQR = Atom(E("exp(Q + R)"))
RULES = [
    # sums of reductions merge
    pytest.param(MSum((_s(1, E("sum(exp(a))")), _s(-1, E("sum(b)")))), "sum(exp(a) - b)",
                 id="merge-scalar-sums"),
    pytest.param(MSum((Atom(E("sum(exp(R), axis=0)")), _c(-1, Atom(E("sum(Q, axis=0)"))))),
                 "sum(exp(R) - Q, axis=0)", id="merge-column-sums"),
    pytest.param(MSum((Atom(E("sum(T, axis=0)")), Atom(E("sum(exp(T), axis=1)")))),
                 None, id="no-merge-over-other-axes"),
    # a column sum is a product with ones, and a common factor comes out
    pytest.param(MSum((Atom(E("sum(R, axis=0)")), _c(-1, Chain((RT, Hadamard((Atom(y), Atom(E("exp(y)"))))))))),
                 "R^T (1 - y * exp(y))", id="column-sum-common-factor"),
    pytest.param(MSum((Atom(E("sum(R, axis=1)")), Chain((Atom(R), Atom(a))))), "R (1 + a)",
                 id="row-sum-common-factor"),
    pytest.param(MSum((Chain((Atom(E("sum(P, axis=1)")), OnesVec("m", True))), _c(-1, Chain((Atom(P), Atom(Z)))))),
                 "P (1 - Z)", id="row-sum-times-ones-row"),
    pytest.param(MSum((Atom(E("sum(exp(R), axis=1)")), Atom(y))), "sum(exp(R), axis=1) + y",
                 id="row-sum-without-a-partner-stays"),
    # ones in an elementwise sum print as 1
    pytest.param(MSum((_c(-1, Atom(E("log(a)"))), _c(-1, OnesVec("n")))), "-log(a) - 1",
                 id="ones-vector-is-one"),
    pytest.param(MSum((Chain((OnesVec("m"), OnesVec("n", True))), _c(-1, Atom(R)))), "1 - R",
                 id="ones-matrix-is-one"),
    # a diagonal scaling is a Hadamard product, and a common Hadamard factor comes out
    pytest.param(MSum((Hadamard((EQR, Atom(Q))), _c(-1, Chain((DiagOf(Atom(y)), EQR))))),
                 "exp(Q + R) * (Q - y ones(n)^T)", id="diag-left-hadamard-factor"),
    pytest.param(MSum((Hadamard((EQR, Atom(Q))), _c(-1, Chain((EQR, DiagOf(Atom(a))))))),
                 "exp(Q + R) * (Q - ones(m) a^T)", id="diag-right-hadamard-factor"),
    pytest.param(MSum((Hadamard((Atom(R), Atom(Q))), _c(-1, Chain((DiagOf(Atom(y)), Atom(R)))))),
                 None, id="diag-stays-when-shorter"),
    pytest.param(MSum((Atom(Q), _c(-1, Chain((DiagOf(Atom(y)), Atom(R)))))), None,
                 id="diag-without-a-partner-stays"),
    # a leading minus moves into a difference
    pytest.param(_c(-1, Chain((RT, Atom(E("y - R @ a"))))), "R^T (R a - y)", id="sign-into-atom"),
    pytest.param(_c(-1, Chain((Atom(E("Q - R")), Atom(P)))), "(R - Q) P", id="sign-into-left-factor"),
    pytest.param(_c(-1, Chain((RT, MSum((Atom(y), _c(-1, Chain((Atom(R), Atom(a))))))))),
                 "R^T (R a - y)", id="sign-into-sum"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "text"), RULES)
def test_every_rule_is_an_identity(form: MForm, text: str | None, rng) -> None:
    out = simplify.simplify_form(form)
    assert out is not None
    assert form_text(out) == (form_text(form) if text is None else text)
    arrays = _arrays(rng)
    before, after = _value(form, arrays), _value(out, arrays)
    np.testing.assert_allclose(np.broadcast_to(after, before.shape), before, atol=1e-9)
    if form_shape(out) != (1, 1):  # the expression the printed form parses back to
        again = np.asarray(evaluate(form_expr(out), **arrays, **SIZES))
        np.testing.assert_allclose(again.reshape(before.shape), before, atol=1e-9)


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        pytest.param("y - R @ a", "R a - y", id="difference"),
        pytest.param("-2 * y + R @ a", "2 y - R a", id="coefficient"),
        pytest.param("exp(y)", "-exp(y)", id="no-sum"),
    ],
)
def test_negate_expr(expr: str, want: str, rng) -> None:
    e = md.parse(expr, {"y": ("m",), "R": ("m", "n"), "a": ("n",)})
    neg = negate_expr(e)
    assert str(neg) == want
    arrays = _arrays(rng)
    np.testing.assert_allclose(evaluate(neg, **arrays), -evaluate(e, **arrays))


def test_lengths_are_tokens_then_characters() -> None:
    assert printed_length("X^T (sigmoid(X w) - y)") == 12
    f = MSum((Atom(R), _c(-1, Atom(Q))))
    assert form_length(f) == (3, len("R - Q"))


SHAPES = {"X": ("B", "n"), "w": ("n",), "y": ("B",), "b": (), "V": ("m", "k"), "W": ("m", "r"),
          "H": ("r", "k"), "p": ("n",), "d": (), "Qa": ("T", "e"), "Ka": ("S", "e"),
          "Va": ("S", "f"), "G": ("T", "f")}  # fmt: skip
POS = {"V": "positive", "W": "positive", "H": "positive", "p": "positive", "d": "positive"}

END_TO_END = [
    pytest.param("sum(softplus(X @ w + b) - y * (X @ w + b))", "b", "sum(sigmoid(X w + b) - y)",
                 id="logistic-bias"),
    pytest.param("sum(X @ w + y * exp(-(X @ w)))", "w", "X^T (1 - y * exp(-X w))",
                 id="exponential-log-link"),
    pytest.param("sum(V * log(V / (W @ H)) - V + W @ H)", "H", "W^T (1 - V / W H)", id="nmf-kl-H"),
    pytest.param("sum(V * log(V / (W @ H)) - V + W @ H)", "W", "(1 - V / W H) H^T", id="nmf-kl-W"),
    pytest.param("0.5 * sum((V - W @ H)**2)", "H", "W^T (W H - V)", id="nmf-H"),
    pytest.param("-sum(p * log(p))", "p", "-log(p) - 1", id="entropy"),
    # the scalar d moves into the elementwise part, where d / d cancels
    pytest.param("sum(d**2 * (sqrt(1 + ((X @ w - y) / d)**2) - 1))", "w",
                 "X^T ((X w - y) / sqrt(1 + (X w - y)**2 / d^2))", id="pseudo-huber-delta"),
    # diag(r) P as (r 1^T) * P: the softmax factor of attention comes out
    pytest.param("sum(G * (softmax(Qa @ Ka.T, axis=1) @ Va))", "Qa",
                 "(softmax(Qa Ka^T) * (G Va^T - sum(G * softmax(Qa Ka^T) Va, axis=1) ones(S)^T)) Ka",
                 id="attention-Q"),
    # a Hadamard product over a scalar needs no parentheses
    pytest.param("sum(y * exp(X @ w)) / d", "w", "X^T (y * exp(X w)) / d", id="scaled-product"),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "matrix"), END_TO_END)
def test_derivatives_read_as_textbooks_and_match_finite_differences(expr, wrt, matrix) -> None:
    d = md.derive(expr, wrt, shapes=SHAPES)
    assert d.matrix == matrix
    e = md.parse(expr, SHAPES)
    names = {v.name for v in e.variables()}
    arrays = sample_inputs(e, 3, constraints={k: v for k, v in POS.items() if k in names})
    fd = central_jacobian(lambda **kw: evaluate(e, **kw), arrays, wrt)
    assert d.code is not None
    back = np.asarray(evaluate(md.parse(d.code, SHAPES), **arrays))
    np.testing.assert_allclose(np.broadcast_to(back, fd.shape), fd, rtol=1e-5, atol=1e-6)
