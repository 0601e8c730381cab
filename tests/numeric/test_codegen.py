"""Generated numpy code: compile() equals evaluate() everywhere, with keyword-only arguments,
shapes checked against the declaration and sizes given by name."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import matderiv as md
from matderiv.catalogue import CATALOGUE
from matderiv.checks.finite import sample_inputs

from ..finite import central_jacobian


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e.name for e in CATALOGUE])
def test_compiled_function_equals_evaluate(entry):
    d = entry.derive()
    f = md.parse(entry.expr, entry.shapes)
    arrays = sample_inputs([f, d.wrt], rng=0, constraints=entry.constraints)
    fn = d.compile()
    np.testing.assert_allclose(fn(**arrays), d.evaluate(arrays), rtol=1e-10, atol=1e-12)
    assert "eval(" not in d.to_source()


@pytest.mark.parametrize("layout", ["numerator", "denominator", "mixed", "mit"])
def test_compiled_function_follows_the_layout(layout):
    d = md.derive("A @ x", "x", shapes={"A": (2, 3), "x": (3,)}).to_layout(layout)
    a = sample_inputs(md.parse("A @ x", {"A": (2, 3), "x": (3,)}), rng=1)
    np.testing.assert_allclose(d.compile()(**a), d.evaluate(a))


CODEGEN_ERRORS = [
    (lambda: md.derive("sum(x)", "x", shapes={"x": (2,)}).to_source("not a name"), md.ParseError, r"function name 'not a name' is not a valid identifier"),
    (lambda: md.var("lambda", (2,)), md.ShapeError, r"variable name 'lambda' is not a valid identifier \(or is a Python keyword\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"), CODEGEN_ERRORS, ids=[e[2][:30] for e in CODEGEN_ERRORS]
)
def test_codegen_errors_are_clear(call, error, message):
    with pytest.raises(error, match="^" + message):
        call()


# keyword-only arguments, a chosen positional order, checked shapes -------------------------

LSQ = "sum((X @ W - Y)**2)"
LSQ_SHAPES = {"X": (3, 3), "W": (3, 3), "Y": (3, 3)}  # equal shapes: a swap would go unnoticed


def _lsq(X, W, Y):
    return np.sum((X @ W - Y) ** 2)


@pytest.fixture
def lsq_arrays():
    rng = np.random.default_rng(11)
    return {k: rng.standard_normal(v) for k, v in LSQ_SHAPES.items()}


def test_compiled_functions_take_keyword_only_arguments(lsq_arrays):
    d = md.derive(LSQ, "W", shapes=LSQ_SHAPES)
    f = d.compile()
    assert str(inspect.signature(f)) == "(*, W, X, Y)"
    with pytest.raises(TypeError, match=r"takes 0 positional arguments but 3 were given"):
        f(lsq_arrays["X"], lsq_arrays["W"], lsq_arrays["Y"])
    fd = central_jacobian(_lsq, lsq_arrays, "W")
    np.testing.assert_allclose(f(**lsq_arrays), fd, rtol=1e-6, atol=1e-6)
    vg = md.value_and_grad(LSQ, "W", shapes=LSQ_SHAPES)
    assert str(inspect.signature(vg)) == "(*, W, X, Y)"
    value, grad = vg(**lsq_arrays)
    assert value == pytest.approx(_lsq(**lsq_arrays))
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6)


def test_args_chooses_a_positional_order(lsq_arrays):
    X, W, Y = lsq_arrays["X"], lsq_arrays["W"], lsq_arrays["Y"]
    fd = central_jacobian(_lsq, lsq_arrays, "W")
    f = md.derive(LSQ, "W", shapes=LSQ_SHAPES).compile(args=("X", "W", "Y"))
    assert str(inspect.signature(f)) == "(X, W, Y)"
    np.testing.assert_allclose(f(X, W, Y), fd, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(f(X, W=W, Y=Y), fd, rtol=1e-6, atol=1e-6)
    vg = md.value_and_grad(LSQ, "W", shapes=LSQ_SHAPES, args=("X", "W", "Y"))
    assert str(inspect.signature(vg)) == "(X, W, Y)"
    np.testing.assert_allclose(vg(X, W, Y)[1], fd, rtol=1e-6, atol=1e-6)
    source = md.derive(LSQ, "W", shapes=LSQ_SHAPES).to_source("grad", args=("Y", "X", "W"))
    assert "def grad(Y, X, W):" in source


ARGS_ERRORS = [
    (("X", "W"), r"args does not name 'Y'; name every variable exactly once \(variables: W, X, Y\)"),
    (("X", "W", "Y", "Z"), r"args names 'Z', which is not a variable \(variables: W, X, Y\)"),
    (("X", "W", "X", "Y"), r"args names 'X' twice; name every variable exactly once"),
    ("XWY", r"args must be a tuple of variable names such as \('W', 'X', 'Y'\), got 'XWY'"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), ARGS_ERRORS, ids=[str(a) for a, _ in ARGS_ERRORS])
def test_args_must_name_every_variable_once(args, message):
    d = md.derive(LSQ, "W", shapes=LSQ_SHAPES)
    with pytest.raises(md.ParseError, match="^" + message):
        d.compile(args=args)
    with pytest.raises(md.ParseError, match="^" + message):
        md.value_and_grad(LSQ, "W", shapes=LSQ_SHAPES, args=args)


NAMED = {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}
SHAPE_ERRORS = [
    ({"X": (4, 3), "W": (3,), "Y": (4, 2)}, r"the array for 'W' has shape \(3,\), but W was declared N×M \(2 axes\)"),
    ({"X": (4, 3), "W": (5, 2), "Y": (4, 2)}, r"dimension 'N' is 5 in the array for 'W' \(shape \(5, 2\)\) but 3 in the array for 'X' \(shape \(4, 3\)\); X was declared B×N"),
    ({"X": (4, 3), "W": (3, 2), "Y": (5, 2)}, r"dimension 'B' is 4 in the array for 'X' \(shape \(4, 3\)\) but 5 in the array for 'Y' \(shape \(5, 2\)\); Y was declared B×M"),
]  # fmt: skip


@pytest.mark.parametrize(("shapes", "message"), SHAPE_ERRORS, ids=["ndim", "N", "B"])
def test_compiled_functions_check_shapes_against_the_declaration(shapes, message):
    f = md.derive(LSQ, "W", shapes=NAMED).compile()
    arrays = {k: np.ones(v) for k, v in shapes.items()}
    with pytest.raises(md.ShapeError, match="^" + message):
        f(**arrays)
    with pytest.raises(md.ShapeError, match="^" + message):
        md.value_and_grad(LSQ, "W", shapes=NAMED)(**arrays)


def test_an_int_dimension_is_checked_too():
    f = md.derive(LSQ, "W", shapes=LSQ_SHAPES).compile(args=("X", "W", "Y"))
    with pytest.raises(
        md.ShapeError,
        match=r"^the array for 'Y' has shape \(3, 2\), but Y was declared 3×3: axis 1 must have "
        r"size 3",
    ):
        f(np.ones((3, 3)), np.ones((3, 3)), np.ones((3, 2)))


# sizes that no argument gives --------------------------------------------------------------


def test_a_size_no_argument_gives_is_a_keyword_of_its_own():
    d = md.derive("sum(t * ones(n))", "t", shapes={"t": ()})
    f = d.compile()
    assert str(inspect.signature(f)) == "(*, t, n=None)"
    assert float(f(t=0.3, n=4)) == 4.0
    assert float(d.evaluate(t=0.3, n=4)) == 4.0
    message = (
        r"^the size of dimension 'n' is not known: no array given has an axis declared 'n'; "
        r"pass the size by name as an int, e\.g\. n=4"
    )
    with pytest.raises(md.ShapeError, match=message):
        f(t=0.3)
    with pytest.raises(md.ShapeError, match=message):
        d.evaluate(t=0.3)
    with pytest.raises(md.ShapeError, match=r"^the size of dimension 'n' must be a positive int"):
        f(t=0.3, n=2.5)
    with pytest.raises(md.ShapeError, match=r"^the size of dimension 'n' must be a positive int"):
        f(t=0.3, n=0)
    g = md.derive("sum(x + t * ones(n))", "t", shapes={"x": ("n",), "t": ()})
    assert str(inspect.signature(g.compile())) == "(*, t, x)"  # n is read off x
    with pytest.raises(
        md.ShapeError,
        match=r"^the size of dimension 'n' was given as n=5, but it is 3 in the array for 'x'",
    ):
        g.evaluate(t=0.3, x=np.ones(3), n=5)


# constants as operands, results that keep their shape ---------------------------------------

CONSTANT_CASES = [
    ("pi * outer(x, x)", "x", {"x": (2,)}, lambda x: np.pi * np.outer(x, x)),
    ("step(3) * s", "s", {"s": ()}, lambda s: 1.0 * s),
    ("2 * sum(x) * ones(3)", "x", {"x": (2,)}, lambda x: 2 * np.sum(x) * np.ones(3)),
    ("sum(pi * x)", "x", {"x": (3,)}, lambda x: np.sum(np.pi * x)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("expr", "wrt", "shapes", "fun"), CONSTANT_CASES, ids=[c[0] for c in CONSTANT_CASES]
)
def test_constants_are_array_operands(expr, wrt, shapes, fun):
    d = md.derive(expr, wrt, shapes=shapes)
    arrays = {k: np.random.default_rng(3).standard_normal(v) for k, v in shapes.items()}
    fd = central_jacobian(fun, arrays, wrt)
    np.testing.assert_allclose(d.compile()(**arrays), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d.evaluate(arrays), fd, rtol=1e-6, atol=1e-8)


ZERO_CASES = [
    ("step(x * s) * x", "s", {"x": (5,), "s": ()}),
    ("step(x * s) * x", "s", {"x": (1,), "s": ()}),
    ("step(X * s)", "s", {"X": (3, 1), "s": ()}),
    ("step(X * s)", "X", {"X": (1, 1), "s": ()}),
    ("sum(step(x)) * ones(2)", "x", {"x": (3,)}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("expr", "wrt", "shapes"), ZERO_CASES, ids=[f"{c[0]}-{c[2]}" for c in ZERO_CASES]
)
@pytest.mark.parametrize("layout", ["tensor", "numerator", "denominator", "mixed", "mit"])
def test_a_zero_derivative_keeps_its_shape(expr, wrt, shapes, layout):
    f = md.parse(expr, shapes)
    try:
        d = md.derive(expr, wrt, shapes=shapes, layout=layout)
    except md.LayoutError:
        return  # undefined in this convention (a matrix by a matrix, ...)
    arrays = {k: np.full(v, 0.7) for k, v in shapes.items()}
    want = tuple(int(n) for n in d.shape)
    assert want == md.layout.arranged_shape(f.shape, d.wrt.shape, layout)
    for value in (d.evaluate(arrays), d.compile()(**arrays)):
        assert value.shape == want
        np.testing.assert_array_equal(value, np.zeros(want))
    assert eval(d.einsum, {"np": np}).shape == tuple(d.tensor_shape)


def test_user_names_cannot_shadow_numpy_or_temporaries():
    shapes = {"np": (3,), "_t0": (3,), "_check": ()}
    expr = "sum(sigmoid(np * _t0) * sigmoid(np * _t0)) * _check"
    f = md.derive(expr, "np", shapes=shapes).compile()
    rng = np.random.default_rng(4)
    arrays = {k: rng.standard_normal(v) for k, v in shapes.items()}

    def fun(np_, t0, check):
        s = 1 / (1 + np.exp(-np_ * t0))
        return np.sum(s * s) * check

    fd = central_jacobian(
        lambda np_: fun(np_, arrays["_t0"], arrays["_check"]), {"np_": arrays["np"]}, "np_"
    )
    np.testing.assert_allclose(f(**arrays), fd, rtol=1e-6, atol=1e-8)
