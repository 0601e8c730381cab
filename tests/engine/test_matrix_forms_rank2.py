"""Every derivative of rank ≤ 2 in matrix notation, the reason where there is none, and the
form with its repeated sub-expressions named.

The probe list is a case table of everyday derivatives (scalar losses' gradients above all,
Jacobians of vector maps, Hessians). Each matrix form is evaluated through ``form_expr`` (the
printed form read back as an expression) and compared with central finite differences, in
plain numpy (tests/finite.py), of the ORIGINAL expression. The sweep is slow; a sample runs in
the fast loop. Before the change the probe list had 0 index-only results and 128 matrix forms
(the gaps were clumsy forms: ``diag(W2 R^T F)`` for a bias gradient, ``(X - mu)^T ones(B)``).
"""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.index import Factor, Idx, IndexExpr, Term
from matderiv.engine.matrixform import Atom, Chain, Hadamard, MForm, form_expr, transpose
from matderiv.engine.naming import MIN_LENGTH, abbreviate
from matderiv.engine.reassembly_ops import axis_sum, best_axis_sum, hadamard_axis_sum
from matderiv.engine.why import no_matrix_form_reason
from matderiv.language.expression import Var
from matderiv.numeric.evaluation import evaluate
from matderiv.numeric.sampling import sample_inputs

from ..finite import central_jacobian

S = {
    "X": ("B", "n"), "W": ("n", "m"), "W1": ("n", "h"), "b1": ("h",), "W2": ("h", "m"),
    "b2": ("m",), "W3": ("m", "k"), "b3": ("k",), "W4": ("k", "m"), "b4": ("m",), "Y": ("B", "m"),
    "Yk": ("B", "k"), "w": ("n",), "y": ("B",), "x": ("n",), "A": ("n", "n"), "M": ("n", "n"),
    "Q": ("T", "d"), "K": ("T", "d"), "V": ("T", "e"), "G": ("T", "e"), "g": ("n",), "bb": ("n",),
    "mu": ("n",), "S": ("n", "n"), "U": ("B", "r"), "Vf": ("n", "r"), "Z": ("B", "n"),
    "c": ("n",), "a": ("n",), "C": ("m", "n"), "t": ("m",), "H": ("B", "h"),
}  # fmt: skip
SIZES = {"B": 6, "n": 3, "m": 2, "h": 4, "k": 3, "T": 4, "d": 3, "e": 2, "r": 2}

MLP1 = "(tanh(X @ W1 + b1) @ W2 + b2 - Y)"
MLP1R = "(relu(X @ W1 + b1) @ W2 + b2 - Y)"
MLP1S = "(sigmoid(X @ W1 + b1) @ W2 + b2 - Y)"
MLP1P = "(softplus(X @ W1 + b1) @ W2 + b2 - Y)"
MLP2 = "(tanh(tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3 - Yk)"
MLP3 = "(relu(tanh(tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3) @ W4 + b4 - Y)"
MLP4 = "(tanh(relu(tanh(tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3) @ W4 + b4) @ W.T - X)"
LN = "((X - mean(X, axis=1, keepdims=True)) / sqrt(var(X, axis=1, keepdims=True) + 1))"
BN = "((X - mean(X, axis=0, keepdims=True)) / sqrt(var(X, axis=0, keepdims=True) + 1))"
ATT = "(softmax(Q @ K.T, axis=1) @ V)"
CE2 = "-sum(Yk * log(softmax(tanh(X @ W1 + b1) @ W2 @ W3 + b3, axis=1)))"
BCE = "-sum(y*log(sigmoid(X@w)) + (1-y)*log(1-sigmoid(X@w)))"

# (expression, variable): first derivatives
GRADIENTS = [
    # regression and GLMs
    ("sum((X @ w - y)**2)", "w"), ("sum((X @ W - Y)**2)", "W"),
    ("sum((X @ W - Y)**2) + 3 * sum(W**2)", "W"), ("sum(abs(X @ w - y))", "w"), (BCE, "w"),
    ("sum(exp(X @ w) - y * (X @ w))", "w"), ("sum(softplus(X @ w) - y * (X @ w))", "w"),
    ("sum(log(1 + exp(-y * (X @ w))))", "w"), ("sum(relu(1 - y * (X @ w)))", "w"),
    ("-sum(Y*log(softmax(X@W, axis=1)))", "W"),
    ("sum(logsumexp(X @ W, axis=1)) - sum(Y * (X @ W))", "W"),
    ("sum(sqrt((X @ w - y)**2 + 1))", "w"), ("norm(X @ w - y)", "w"),
    ("sum(log(1 + (X @ w)**2))", "w"), ("mean((X @ W - Y)**2)", "W"),
    ("sum(softmax(X @ W, axis=1) * Y)", "W"),
    ("-sum(Y * log(sigmoid(X @ W)) + (1 - Y) * log(1 - sigmoid(X @ W)))", "W"),
    ("sum(y * (X @ w)) - sum(exp(X @ w))", "w"), ("sum((X @ w - y)**2 * y)", "w"),
    ("logsumexp(X @ w)", "w"), ("sum(log(softmax(X @ W, axis=1)) * Y)", "X"),
    # MLPs with biases, 1 to 4 layers
    (f"sum({MLP1}**2)", "W1"), (f"sum({MLP1}**2)", "b1"), (f"sum({MLP1}**2)", "W2"),
    (f"sum({MLP1}**2)", "b2"), (f"sum({MLP1}**2)", "X"), (f"sum({MLP1R}**2)", "W1"),
    (f"sum({MLP1R}**2)", "b1"), (f"sum({MLP1S}**2)", "W1"), (f"sum({MLP1S}**2)", "b1"),
    (f"sum({MLP1P}**2)", "W1"), (f"sum({MLP1P}**2)", "b1"), (f"sum({MLP2}**2)", "W1"),
    (f"sum({MLP2}**2)", "b1"), (f"sum({MLP2}**2)", "W2"), (f"sum({MLP2}**2)", "b2"),
    (f"sum({MLP3}**2)", "W1"), (f"sum({MLP3}**2)", "b1"), (f"sum({MLP3}**2)", "b3"),
    (f"sum({MLP4}**2)", "W1"), (f"sum({MLP4}**2)", "b4"), (CE2, "W1"), (CE2, "b1"),
    ("sum(tanh(X @ W1 + b1) * H)", "b1"), ("sum(relu(X @ W1 + b1) @ W2)", "b1"),
    ("sum(sigmoid(X @ W + b2) * Y)", "b2"), ("sum((tanh(X @ W1) @ W2 - Y)**2)", "X"),
    # normalisation layers
    (f"sum(Z * {LN})", "X"), (f"sum({LN} @ W)", "X"), (f"sum(Z * {BN})", "X"),
    (f"sum(Z * (g * {LN} + bb))", "g"), (f"sum(Z * (g * {LN} + bb))", "X"),
    ("sum(Z * (g * (X - mean(X, axis=1, keepdims=True))))", "X"),
    ("sum(Z * (X * g + bb))", "g"), ("sum(Z * (X * g + bb))", "bb"),
    # attention
    (f"sum(G * {ATT})", "Q"), (f"sum(G * {ATT})", "K"), (f"sum(G * {ATT})", "V"),
    (f"sum({ATT}**2)", "V"), (f"sum(G * {ATT}) + sum(Q * Q)", "Q"),
    # Gaussian likelihoods, Mahalanobis
    ("(x - mu) @ inv(S) @ (x - mu)", "mu"), ("(x - mu) @ inv(S) @ (x - mu)", "S"),
    ("0.5 * logdet(S) + 0.5 * (x - mu) @ inv(S) @ (x - mu)", "S"),
    ("sum(((X - mu) @ inv(S)) * (X - mu))", "mu"),
    ("sum(((X - mu) @ inv(S)) * (X - mu)) + 6 * logdet(S)", "S"),
    ("sum(((X - mu) @ A) * (X - mu))", "A"), ("sum(((X - mu) @ A) * (X - mu))", "X"),
    # PCA and factorisation
    ("sum((Z - U @ Vf.T)**2)", "U"), ("sum((Z - U @ Vf.T)**2)", "Vf"),
    ("sum((X - X @ W @ W.T)**2)", "W"), ("tr(W.T @ X.T @ X @ W)", "W"),
    ("sum((X @ W) * (X @ W))", "X"), ("tr(X @ W @ W.T @ X.T)", "X"),
    # logsumexp, normalised vectors, norms, statistics
    ("logsumexp(x)", "x"), ("norm(x)", "x"), ("log(sum(exp(x)))", "x"),
    ("a @ (x / norm(x))", "x"), ("sum(x**2) / sum(x)", "x"), ("var(x)", "x"), ("std(x)", "x"),
    ("sum(x * log(x))", "x"), ("sum(exp(x) * (A @ x))", "x"),
    # the Matrix Cookbook's trace, determinant and inverse rules
    ("tr(A @ M)", "M"), ("tr(M @ A @ M.T)", "M"), ("det(M)", "M"), ("logdet(M)", "M"),
    ("tr(inv(M) @ A)", "M"), ("a @ inv(M) @ c", "M"), ("a @ M @ M @ c", "M"),
    ("tr(M @ M @ M)", "M"), ("logdet(X.T @ X)", "X"), ("sum(M * A)", "M"),
    # Jacobians of vector maps
    ("softmax(x)", "x"), ("x / norm(x)", "x"), ("tanh(x)", "x"), ("sigmoid(x) * x", "x"),
    ("relu(A @ x)", "x"), ("exp(x) / sum(exp(x))", "x"), ("A @ tanh(x)", "x"),
    ("x * (A @ x)", "x"), ("C @ x - t", "x"), ("tanh(C @ x)", "x"), ("x * sum(x)", "x"),
    ("tanh(X @ w)", "w"), ("softmax(A @ x)", "x"), ("sum(tanh(X @ W1 + b1) @ W2, axis=0)", "b1"),
    ("sum(tanh(X @ W1 + b1) @ W2, axis=1)", "b1"), ("(X @ w) * (X @ w)", "w"), ("x / sum(x)", "x"),
]  # fmt: skip

# (expression, variable): Hessians
HESSIANS = [
    ("x @ A @ x", "x"), ("sum(tanh(x))", "x"), ("logsumexp(x)", "x"), ("sum((C @ x - t)**2)", "x"),
    ("sum(exp(C @ x))", "x"), ("norm(x)", "x"), ("a @ x * (c @ x)", "x"),
    ("sum(softplus(X @ w))", "w"), ("sum(tanh(X @ w))", "w"),
    ("sum(log(sigmoid(y * (X @ w))))", "w"), ("sum(tanh(X @ W + b2)**2)", "b2"),
    ("sum((tanh(X @ W1 + b1) @ W2 - Y)**2)", "b1"), ("logsumexp(X @ w)", "w"),
    ("sum(x * log(x))", "x"), ("sum(exp(x) * (A @ x))", "x"), (BCE, "w"), ("var(x)", "x"),
    ("sum(relu(X @ w)**2)", "w"), ("norm(x)**3", "x"),
]  # fmt: skip

PROBES = [pytest.param(t, w, False, id=f"d/d{w} {t}") for t, w in GRADIENTS] + [
    pytest.param(t, w, True, id=f"hessian/d{w} {t}") for t, w in HESSIANS
]
FAST = {f"d/d{w} {t}" for t, w in GRADIENTS[::9]} | {f"hessian/d{w} {t}" for t, w in HESSIANS[::6]}


def _inputs(text: str, seed: int) -> tuple[md.Expr, dict[str, object]]:
    e = md.parse(text, S)
    spd = {"S": "spd"} if any(v.name == "S" for v in e.variables()) else None
    return e, sample_inputs(e, rng=seed, sizes=SIZES, constraints=spd)


def _numeric(e: md.Expr, arrays: dict[str, object], wrt: str, hessian: bool) -> np.ndarray:
    """Central differences (plain numpy) of the original expression: once, or twice."""

    def f(**a: object) -> np.ndarray:
        return np.asarray(evaluate(e, **a))

    if not hessian:
        return central_jacobian(f, arrays, wrt)
    return central_jacobian(lambda **a: central_jacobian(f, a, wrt, h=1e-4), arrays, wrt, h=1e-4)


def check_probe(text: str, wrt: str, hessian: bool) -> md.Derivative:
    d = md.hessian(text, wrt, shapes=S) if hessian else md.derive(text, wrt, shapes=S)
    if d.form is None:  # never silent: the reason is stated
        assert d.why_index is not None
        assert d.why_index.startswith("no matrix form: ")
        return d
    assert d.why_index is None
    e, arrays = _inputs(text, 7)
    got = np.asarray(evaluate(form_expr(d.form), **{**SIZES, **arrays}))
    want = _numeric(e, arrays, wrt, hessian)
    tol = {"rtol": 1e-4, "atol": 1e-5} if hessian else {"rtol": 1e-6, "atol": 1e-7}
    np.testing.assert_allclose(got.reshape(want.shape), want, **tol)
    return d


@pytest.mark.parametrize(("text", "wrt", "hessian"), [p for p in PROBES if p.id in FAST])
def test_a_sample_of_the_probes_has_a_matrix_form_equal_to_finite_differences(text, wrt, hessian):
    assert check_probe(text, wrt, hessian).matrix is not None


@pytest.mark.slow
@pytest.mark.parametrize(("text", "wrt", "hessian"), PROBES)
def test_every_probe_has_a_matrix_form_equal_to_finite_differences(text, wrt, hessian):
    assert check_probe(text, wrt, hessian).matrix is not None


def test_the_probe_list_is_long_enough_and_every_probe_has_rank_two_at_most():
    assert len(PROBES) >= 60
    for t, w in GRADIENTS:
        assert len(md.derive(t, w, shapes=S).shape) <= 2


# the forms this change prints, pinned (each also checked against finite differences) -------

PINNED = [
    pytest.param(f"sum({MLP1R}**2)", "b1", "2 sum(step(X W1 + b1) * (relu(X W1 + b1) W2 + b2 - Y) W2^T, axis=0)", id="relu-bias-gradient-is-a-column-sum"),
    pytest.param(f"sum({MLP1}**2)", "b2", "2 sum(tanh(X W1 + b1) W2 + b2 - Y, axis=0)", id="output-bias-gradient"),
    pytest.param("sum(tanh(X @ W1 + b1) * H)", "b1", "sum(H * tanh'(X W1 + b1), axis=0)", id="diag-of-a-product-becomes-a-column-sum"),
    pytest.param("sum(((X - mu) @ inv(S)) * (X - mu))", "mu", "-(S^{-1} + S^{-T}) sum(X - mu, axis=0)", id="a-matrix-leaves-the-column-sum"),
    pytest.param("sum(softmax(X @ W, axis=1) * Y)", "W", "X^T (softmax(X W) * (Y - sum(Y * softmax(X W), axis=1) ones(m)^T))", id="row-sum-of-a-hadamard-product"),
    pytest.param(f"sum(G * {ATT})", "Q", "(softmax(Q K^T) * (G V^T - sum(G * softmax(Q K^T) V, axis=1) ones(T)^T)) K", id="attention-by-Q"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "wrt", "matrix"), PINNED)
def test_new_forms_print_as_pinned_and_equal_finite_differences(text, wrt, matrix):
    d = check_probe(text, wrt, False)
    assert d.matrix == matrix
    e, arrays = _inputs(text, 3)  # the code of the form parses back to the same numbers
    back = md.parse(d.code, S)
    np.testing.assert_allclose(
        evaluate(back, **arrays), _numeric(e, arrays, wrt, False), rtol=1e-6, atol=1e-7
    )


# the rewrites, each checked numerically on random matrices ----------------------------------

n, m, p = 3, 4, 5
VA, VB, VC = Var("A", ("n", "m")), Var("B", ("m", "p")), Var("C", ("n", "m"))


def _eval(f: MForm, arrays: dict[str, np.ndarray]) -> np.ndarray:
    return np.asarray(evaluate(form_expr(f), **arrays))


@pytest.fixture
def mats(rng) -> dict[str, np.ndarray]:
    return {"A": rng.standard_normal((n, m)), "B": rng.standard_normal((m, p)),
            "C": rng.standard_normal((n, m))}  # fmt: skip


def test_a_column_sum_of_a_product_moves_to_its_first_factor(mats):
    f = axis_sum(Chain((Atom(VA), Atom(VB))), 0)
    assert f is not None
    assert isinstance(f, Chain)
    np.testing.assert_allclose(_eval(f, mats), (mats["A"] @ mats["B"]).sum(axis=0))


def test_a_row_sum_of_a_product_moves_to_its_last_factor(mats):
    f = axis_sum(Chain((Atom(VA), Atom(VB))), 1)
    assert f is not None
    assert isinstance(f, Chain)
    np.testing.assert_allclose(_eval(f, mats), (mats["A"] @ mats["B"]).sum(axis=1))


def test_the_diagonal_of_a_product_is_a_column_sum_of_a_hadamard_product(mats):
    a, c = Atom(VA), Atom(VC)  # Σ_k A[j,k] C^T[k,j] = diag(A C^T)[j]
    f = hadamard_axis_sum(transpose(a), transpose(c), a, c)
    assert f is not None
    np.testing.assert_allclose(_eval(f, mats), np.diag(mats["A"] @ mats["C"].T))


def test_the_sum_over_one_axis_keeps_the_orientation_with_fewer_transposes(mats):
    f = best_axis_sum(Hadamard((Atom(VA, t=True), Atom(VC, t=True))))
    assert f is not None
    assert "^T" not in md.engine.formprint.form_text(f)
    np.testing.assert_allclose(_eval(f, mats), (mats["A"] * mats["C"]).sum(axis=1))


def test_a_form_without_an_expression_keeps_its_previous_writing():
    col = Atom(Var("u", ("n",)))
    assert axis_sum(Chain((col, Atom(Var("v", ("m",)), t=True))), 0) is not None  # an outer one
    assert axis_sum(col, 0) is None  # a column has no second axis


# the reason a result has no matrix form -----------------------------------------------------

WHY = [
    pytest.param("tanh(W @ x + b)", "W", {"W": ("m", "n"), "x": ("n",), "b": ("m",)}, "the result has 3 axes (matrix notation writes at most 2)", id="three-axes"),
    pytest.param("outer(x, x)", "x", {"x": ("n",)}, "the result has 3 axes (matrix notation writes at most 2)", id="outer-product-by-its-vector"),
    pytest.param('sum(einsum("ijk,k->ij", T, x)**2)', "x", {"T": ("a", "b", "n"), "x": ("n",)}, "the factor T carries 3 indices", id="three-index-factor-in-a-gradient"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "wrt", "shapes", "reason"), WHY)
def test_an_index_form_says_why_it_has_no_matrix_form(text, wrt, shapes, reason):
    d = md.derive(text, wrt, shapes=shapes)
    assert d.matrix is None
    assert d.why_index == f"no matrix form: {reason}"
    assert reason in d.steps[-1].title
    assert "stays an index (einsum) tensor" in d.steps[-1].title


def test_a_summed_index_in_three_factors_that_nothing_joins_is_named():
    A, B, C, D, E = (Var(s, ("n", "n")) for s in "ABCDE")
    i, j, k, q = (Idx(s, "n") for s in "ijkq")
    t = lambda v, a, b: Factor("tensor", (a, b), v)  # noqa: E731
    term = Term(1, (t(A, k, q), t(B, k, i), t(C, q, i), t(D, k, j), t(E, q, j)))
    reason = no_matrix_form_reason(IndexExpr((term,), (i, j)))
    assert reason == (
        "no matrix form: the summed index k appears in 3 factors, which no Hadamard product "
        "or diag joins"
    )


def test_a_result_with_a_matrix_form_has_no_reason():
    d = md.derive("sum((X @ W - Y)**2)", "W", shapes=S)
    assert d.why_index is None
    assert no_matrix_form_reason(d.index_expr) is None


# named intermediates ------------------------------------------------------------------------

NAMED = [
    pytest.param(f"sum(G * {ATT})", "Q", "(P * (G V^T - sum(G * P V, axis=1) ones(T)^T)) K where P = softmax(Q K^T)", id="attention-softmax-is-P"),
    pytest.param(f"sum({MLP1}**2)", "W2", "2 H^T (H W2 + b2 - Y) where H = tanh(X W1 + b1)", id="activation-is-H"),
    pytest.param("sum((relu(relu(X @ W1 + b1) @ W2 + b2) @ W3 + b3 - Yk)**2)", "W1", "2 X^T (step(Z1) * (step(Z2) * (relu(Z2) W3 + b3 - Yk) W3^T) W2^T) where Z1 = X W1 + b1, Z2 = relu(Z1) W2 + b2", id="pre-activations-numbered-in-reading-order"),
    pytest.param("logsumexp(A @ x)", "x", "softmax(A x)^T A", id="nothing-repeats"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "wrt", "named"), NAMED)
def test_repeated_sub_expressions_get_names(text, wrt, named):
    d = md.derive(text, wrt, shapes=S)
    if "logsumexp" in text:
        d = d.to_layout("numerator")
    assert d.abbreviated == named
    assert d.matrix is not None
    assert " where " not in d.matrix


def test_names_never_clash_with_the_variables():
    shapes = {"Q": ("T", "d"), "K": ("T", "d"), "V": ("T", "e"), "P": ("T", "e")}
    d = md.derive(f"sum(P * {ATT})", "Q", shapes=shapes)
    assert d.abbreviated == (
        "(P1 * (P V^T - sum(P * P1 V, axis=1) ones(T)^T)) K where P1 = softmax(Q K^T)"
    )


def test_a_vector_gets_a_lower_case_name_and_short_repeats_none():
    d = md.hessian("logsumexp(A @ x)", "x", shapes=S)
    assert d.abbreviated == "A^T (diag(p) - p p^T) A where p = softmax(A x)"
    d = md.derive("sum((X @ w - y)**2) + sum(X @ w)", "w", shapes=S)
    assert len("X w") < MIN_LENGTH
    assert " where " not in (d.abbreviated or "")


@pytest.mark.parametrize(("text", "wrt", "named"), NAMED[:3])
def test_the_named_form_with_its_definitions_bound_equals_the_full_form(text, wrt, named, rng):
    d = md.derive(text, wrt, shapes=S)
    assert d.form is not None
    a = abbreviate(d.form, {v.name for v in d.variables} | set(SIZES))
    e, arrays = _inputs(text, 5)
    bound = {**SIZES, **arrays}
    for v, definition in a.names:  # innermost first
        bound[v.name] = np.asarray(evaluate(definition, **bound))
    np.testing.assert_allclose(
        evaluate(form_expr(a.form), **bound), _numeric(e, arrays, wrt, False), rtol=1e-6, atol=1e-7
    )


def test_the_latex_display_shows_the_named_form():
    d = md.derive(f"sum(G * {ATT})", "Q", shapes=S)
    latex = d.abbreviated_latex()
    assert latex is not None
    assert r"\text{where}" in latex
    assert latex in d._repr_markdown_()
    plain = md.derive("sum((X @ W - Y)**2)", "W", shapes=S)
    assert plain.abbreviated == plain.matrix
    assert r"\text{where}" not in plain._repr_markdown_()
    none = md.derive("tanh(W @ x)", "W", shapes={"W": ("m", "n"), "x": ("n",)})
    assert none.abbreviated is None
    assert none.abbreviated_latex() is None
