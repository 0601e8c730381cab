"""numpy reductions as users write them: keepdims, var/std, size-1 broadcasting, named sizes.

Every derivative is compared with central finite differences of a hand-written numpy function,
never with another output of matderiv.
"""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.numeric.evaluation import Evaluator, evaluate

from ..finite import central_jacobian

EPS = 1e-5


def _layer_norm(X: np.ndarray) -> np.ndarray:
    mu = X.mean(axis=1, keepdims=True)
    return (X - mu) / np.sqrt(X.var(axis=1, keepdims=True) + EPS)


SHAPES = {"X": (4, 3), "g": (3,), "x": (5,), "m": (4, 1), "r": (1, 3), "t": ()}

# expression, wrt, the same function in numpy
CASES = [
    pytest.param(
        "sum(X, axis=1, keepdims=True)",
        "X",
        lambda X, **_: X.sum(1, keepdims=True),
        id="sum-keepdims",
    ),
    pytest.param(
        "mean(X, axis=0, keepdims=True)",
        "X",
        lambda X, **_: X.mean(0, keepdims=True),
        id="mean-keepdims",
    ),
    pytest.param(
        "logsumexp(X, axis=1, keepdims=True)",
        "X",
        lambda X, **_: np.log(np.exp(X).sum(1, keepdims=True)),
        id="logsumexp-keepdims",
    ),
    pytest.param(
        "softmax(X, axis=0, keepdims=True)",
        "X",
        lambda X, **_: np.exp(X) / np.exp(X).sum(0, keepdims=True),
        id="softmax-keepdims",
    ),
    pytest.param("var(x)", "x", lambda x, **_: x.var(), id="var-vector"),
    pytest.param("std(x)", "x", lambda x, **_: x.std(), id="std-vector"),
    pytest.param("var(X, axis=0)", "X", lambda X, **_: X.var(0), id="var-axis0"),
    pytest.param(
        "std(X, axis=1, keepdims=True)",
        "X",
        lambda X, **_: X.std(1, keepdims=True),
        id="std-axis1-keepdims",
    ),
    pytest.param("var(X, axis=(0, 1))", "X", lambda X, **_: X.var(axis=(0, 1)), id="var-all-axes"),
    pytest.param(
        "sum(g * ((X - mean(X, axis=1, keepdims=True)) / sqrt(var(X, axis=1, keepdims=True) + 1e-5)))",
        "X",
        lambda X, g, **_: (g * _layer_norm(X)).sum(),
        id="layer-norm",
    ),
    pytest.param(
        "(X - mean(X, axis=1, keepdims=True)) / sqrt(var(X, axis=1, keepdims=True) + 1e-5)",
        "X",
        lambda X, **_: _layer_norm(X),
        id="layer-norm-jacobian",
    ),
    pytest.param(
        "sum((X - m)**2)", "m", lambda X, m, **_: ((X - m) ** 2).sum(), id="column-broadcast"
    ),
    pytest.param("X * r", "r", lambda X, r, **_: X * r, id="row-broadcast-jacobian"),
    pytest.param(
        "sum(sigmoid(X * r - m))",
        "m",
        lambda X, r, m, **_: (1 / (1 + np.exp(-(X * r - m)))).sum(),
        id="both-broadcast",
    ),
    pytest.param("m * r", "m", lambda m, r, **_: m * r, id="outer-by-broadcasting"),
]


@pytest.mark.parametrize(("expr", "wrt", "f"), CASES)
def test_reduction_derivative_matches_finite_differences(expr, wrt, f, rng):
    d = md.derive(expr, wrt, shapes=SHAPES)
    arrays = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    used = {v.name for v in d.variables}
    arrays = {k: v for k, v in arrays.items() if k in used}
    want = central_jacobian(f, arrays, wrt)
    np.testing.assert_allclose(d.evaluate(**arrays), want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(d.evaluate(arrays, via="index"), want, rtol=1e-6, atol=1e-7)
    # the expression itself evaluates like numpy
    e = md.parse(expr, {k: SHAPES[k] for k in used})
    np.testing.assert_allclose(evaluate(e, **arrays), f(**arrays), rtol=1e-12, atol=1e-12)
    if d.code is not None:  # the printed matrix form parses back to the same numbers
        back = md.parse(d.code, {k: SHAPES[k] for k in used})
        np.testing.assert_allclose(
            np.reshape(evaluate(back, **arrays), want.shape), want, rtol=1e-6, atol=1e-7
        )


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        pytest.param("sum(X, axis=1, keepdims=True)", "sum(X, axis=1, keepdims=True)", id="sum"),
        pytest.param("logsumexp(X, keepdims=True)", "logsumexp(X, keepdims=True)", id="logsumexp"),
        pytest.param("var(x)", "mean((x - mean(x, keepdims=True))**2)", id="var"),
    ],
)
def test_keepdims_prints_and_parses_back(expr, text):
    e = md.parse(expr, SHAPES)
    assert str(e) == text
    assert md.parse(str(e), SHAPES) == e


def test_keepdims_shapes_follow_numpy():
    assert md.parse("sum(X, axis=1, keepdims=True)", SHAPES).shape == (4, 1)
    assert md.parse("mean(X, keepdims=True)", SHAPES).shape == (1, 1)
    assert md.parse("logsumexp(X, axis=0, keepdims=True)", SHAPES).shape == (1, 3)
    assert md.parse("std(x, keepdims=True)", SHAPES).shape == (1,)
    assert md.parse("X - m", SHAPES).shape == (4, 3)
    assert md.parse("m * r", SHAPES).shape == (4, 3)


@pytest.mark.parametrize(
    ("expr", "error", "match"),
    [
        pytest.param(
            "X - mean(X, axis=1)", md.ShapeError, r"X \(4×3\).*keepdims=True", id="no-keepdims"
        ),
        pytest.param(
            "sum(X, keepdims=1)", md.ParseError, "keepdims must be True or False", id="keepdims-int"
        ),
        pytest.param("var(X, ddof=1)", md.ParseError, "unexpected keyword 'ddof'", id="ddof"),
        pytest.param("x + g", md.ShapeError, "sizes 5 .* and 3 .* differ", id="vectors"),
    ],
)
def test_reduction_errors(expr, error, match):
    with pytest.raises(error, match=match):
        md.parse(expr, SHAPES)


# named dimensions stand for their sizes --------------------------------------------------


def test_named_dimension_is_its_size():
    shapes = {"X": ("B", "M"), "b": ("M",)}
    d = md.derive("sum(X + b)", "b", shapes=shapes)
    assert d.matrix == "B ones(M)"
    assert d.code == "B * ones(M)"
    back = md.parse(d.code, shapes)
    X, b = np.ones((4, 3)), np.zeros(3)
    np.testing.assert_allclose(d.evaluate(X=X, b=b), [4.0, 4.0, 4.0])
    np.testing.assert_allclose(Evaluator({}, {"B": 4, "M": 3}).expr(back), [4.0, 4.0, 4.0])


def test_named_dimension_in_a_derivative():
    d = md.derive("sum(N * x**2)", "x", shapes={"x": ("N",)})
    assert d.matrix == "2 N x"
    x = np.arange(3.0)
    np.testing.assert_allclose(d.evaluate(x=x), 2 * 3 * x)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        pytest.param(
            lambda: md.parse("n * x", {"x": ("n",), "n": ()}),
            "'n' is both a variable and a dimension .*'x'",
            id="parse",
        ),
        pytest.param(
            lambda: md.derive(md.var("n") * md.var("x", ("n",)), "n"),
            "'n' is both a variable and a dimension",
            id="builder",
        ),
        pytest.param(
            lambda: md.derive("sum(pi * x)", "x", shapes={"pi": (2,), "x": (2,)}),
            "shapes names a variable 'pi', but pi is the constant π",
            id="pi-in-shapes",
        ),
        pytest.param(lambda: md.var("pi", (2,)), "variable name 'pi' is taken", id="pi-builder"),
    ],
)
def test_variable_with_a_taken_name_is_an_error(build, match):
    with pytest.raises(md.ShapeError, match=match):
        build()


def test_check_samples_a_size_only_the_expression_names():
    d = md.derive("sum(t * ones(n))", "t", shapes={"t": ()})
    assert d.matrix == "n"
    assert d.check().method == "full"
    assert md.check_derivative(
        "sum(t * ones(n))", "3", wrt="t", shapes={"t": ()}, at={"t": 1.0, "n": 3}
    )
    with pytest.raises(
        AssertionError, match=r"the analytic value is 3 but finite differences give 4"
    ):
        md.check_derivative(
            "sum(t * ones(n))", "3", wrt="t", shapes={"t": ()}, at={"t": 1.0, "n": 4}
        )


def test_a_claimed_derivative_may_be_a_named_size():
    shapes = {"x": ("n",), "t": ()}
    assert md.check_derivative("sum(x + t)", "n", wrt="t", shapes=shapes)
    with pytest.raises(AssertionError, match=r"the analytic value is 1 but finite differences"):
        md.check_derivative("sum(x + t)", "1", wrt="t", shapes=shapes)


def test_sizes_cancel_like_numbers():
    shapes = {"X": ("B", "n"), "m": ("n",)}
    assert md.hessian("sum((X - m)**2) / B", "m", shapes=shapes).matrix == "2 I"
    assert md.derive("sum(x**2) / n", "x", shapes={"x": ("n",)}).matrix == "2 x / n"


CENTRED = [
    "sum(G * (X - mean(X, axis=0, keepdims=True))**3)",
    "sum(sin(X - mean(X, axis=1, keepdims=True)) * G)",
    "sum(X - mean(X)) * sum(G * X)",
    "sum(G * (X - mean(X, axis=0)) * (X - mean(X, axis=0)))",
    "sum((Y - mean(Y, axis=1)) * H)",  # centred along no summed axis: nothing may vanish
    "var(v) * sum(v)",
]


@pytest.mark.parametrize("expr", CENTRED, ids=[f"centred-{n}" for n in range(len(CENTRED))])
def test_centred_sums_vanish_only_where_they_are_zero(expr):
    """Σ (x - mean(x)) = 0 is used to simplify; every output must still match finite
    differences, including where the pattern looks alike but is not centred on the sum."""
    from matderiv.testing.oracle import check_problem

    shapes = {"X": (3, 4), "G": (3, 4), "Y": (4, 4), "H": (4, 4), "v": (4,)}
    names = sorted({n for n in shapes if n in expr.replace("mean", "")})
    for wrt in names:
        checked = check_problem(expr, shapes, (wrt,), seed=1)
        assert checked.stage == "derived", checked.detail
        assert not [o for o in checked.failures() if o.status != "unsure"], (expr, wrt)
