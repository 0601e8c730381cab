"""Resolving a derivative check's inputs: options, seed, variable, functions and point."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.checks.resolve import (
    Inputs,
    as_function,
    check_options,
    resolve_inputs,
    resolve_variable,
    seeded,
    upcast,
)

SHAPES = {"A": (3, 3), "x": (3,)}


def _inputs(f, df, at=None, wrt="x", shapes=None, constraints=None, seed=0) -> Inputs:
    return resolve_inputs(f, df, at, wrt, shapes, constraints, np.random.default_rng(seed))


OPTION_ERRORS = [
    pytest.param("rows", "auto", md.LayoutError, r"^unknown layout 'rows'; expected one of 'tensor', 'numerator', 'denominator', 'mixed', 'mit'$", id="unknown-layout"),
    pytest.param("tensor", "sideways", ValueError, r"^unknown method 'sideways'; expected 'auto', 'directional', 'full' or 'exact'$", id="unknown-method"),
]  # fmt: skip


@pytest.mark.parametrize(("layout", "method", "error", "message"), OPTION_ERRORS)
def test_unknown_options_are_refused_before_anything_runs(layout, method, error, message):
    with pytest.raises(error, match=message):
        check_options(layout, method)


@pytest.mark.parametrize("layout", ["tensor", "numerator", "denominator", "mixed", "mit"])
@pytest.mark.parametrize("method", ["auto", "directional", "full", "exact"])
def test_every_known_layout_and_method_is_accepted(layout, method):
    check_options(layout, method)


def test_the_seed_is_0_by_default_and_none_for_a_callers_generator():
    gen = np.random.default_rng(5)
    assert seeded(None)[0] == 0
    assert seeded(12)[0] == 12
    assert seeded(gen) == (None, gen)
    assert seeded(None)[1].standard_normal() == np.random.default_rng(0).standard_normal()


def test_the_variable_and_shapes_come_from_a_derivative():
    d = md.derive("x @ A @ x", "x", shapes=SHAPES)
    wrt, shapes = resolve_variable(d, None, None, None)
    assert wrt == d.wrt
    assert shapes is not None
    assert {name: v.shape for name, v in shapes.items()} == {"A": (3, 3), "x": (3,)}


def test_the_point_fixes_the_shapes_when_none_are_given():
    wrt, shapes = resolve_variable("2 * x", {"x": np.ones(4), "A": np.ones((4, 4))}, "x", None)
    assert (wrt, shapes) == ("x", {"x": (4,), "A": (4, 4)})


def test_given_shapes_win_over_the_point():
    _wrt, shapes = resolve_variable("2 * x", {"x": np.ones(4)}, "x", SHAPES)
    assert shapes is SHAPES


def test_a_check_without_a_variable_is_refused():
    with pytest.raises(
        md.ShapeError, match=r"^check_derivative needs wrt= \(the variable's name\)$"
    ):
        resolve_variable("(A + A.T) @ x", None, None, SHAPES)


POINT_ERRORS = [
    pytest.param({"f": lambda x: x @ x, "df": lambda x: 2 * x}, md.ShapeError, r"^check_derivative needs at= \(the point\) when f is a callable$", id="callable-without-point"),
    pytest.param({"f": lambda x: x @ x, "df": lambda x: 2 * x, "at": {"y": np.ones(2)}}, md.ShapeError, r"^the point has no array for 'x'; give it in at=$", id="point-without-variable"),
    pytest.param({"f": "x @ A @ x", "df": "(A + ", "shapes": SHAPES}, md.ParseError, r"^invalid syntax at column 1: '\(A \+'", id="claim-that-does-not-parse"),
    pytest.param({"f": "x @ A @ x", "df": "2 * x", "shapes": {"x": (3,)}}, md.ParseError, r"unknown name 'A'", id="undeclared-variable"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "error", "message"), POINT_ERRORS)
def test_inputs_that_cannot_make_a_point_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        _inputs(**kwargs)


def test_a_sampled_point_is_seeded_float64_and_honours_constraints():
    one = _inputs("sum(log(x))", "1 / x", shapes=SHAPES, constraints={"x": "positive"}, seed=3)
    two = _inputs("sum(log(x))", "1 / x", shapes=SHAPES, constraints={"x": "positive"}, seed=3)
    assert one.wrt == "x"
    assert one.x0.dtype == np.float64
    assert np.all(one.x0 > 0)
    assert np.array_equal(one.x0, two.x0)


def test_a_derivative_is_checked_where_its_expression_is_sampled():
    g = md.derive("sum(log(x)) + x @ A @ x", "x", shapes=SHAPES)
    inputs = _inputs(g, md.hessian("sum(log(x)) + x @ A @ x", "x", shapes=SHAPES))
    assert set(inputs.point) == {"A", "x"}
    assert np.all(inputs.x0 > 0)  # log's domain, read off the expression g derives


def test_a_given_point_is_upcast_and_the_functions_evaluate_it(rng):
    A, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    inputs = _inputs("x @ A @ x", "(A + A.T) @ x", at={"A": A, "x": x}, shapes=SHAPES)
    assert inputs.point["x"] is not x  # a copy: the check never moves the caller's array
    assert float(inputs.f(**inputs.point)) == pytest.approx(x @ A @ x)
    assert np.allclose(inputs.df(**inputs.point), (A + A.T) @ x)


def test_single_precision_is_upcast_with_a_warning_naming_the_input():
    with pytest.warns(
        UserWarning, match=r"^check_derivative: upcasting float32 input 'x' to float64"
    ):
        point = upcast({"x": np.ones(3, dtype=np.float32)}, {"x"})
    assert point["x"].dtype == np.float64


def test_an_int_under_a_name_that_is_no_variable_stays_a_named_size():
    point = upcast({"x": [1, 2], "n": 4, "k": 2}, {"x", "k"})
    assert point["n"] == 4
    assert isinstance(point["n"], int)
    assert point["k"].dtype == np.float64
    assert point["k"].shape == ()
    assert point["x"].dtype == np.float64


def test_a_declared_variable_lends_its_size_to_a_claim_that_does_not_mention_it():
    run, e = as_function("ones(n)", {"x": ("n",)})
    assert e is not None
    assert np.array_equal(run(x=np.zeros(4)), np.ones(4))


def test_a_callable_is_used_as_it_is_and_has_no_expression():
    def f(x):
        return 2 * x

    assert as_function(f, None) == (f, None)
