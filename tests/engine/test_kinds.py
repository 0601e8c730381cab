"""Typed kinds: factor kinds, reductions and matrix-form scalars are checked when built, and
every match on them handles each case or raises NotSupportedError naming the unknown one."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, get_args

import numpy as np
import pytest

import matderiv as md
from matderiv.engine.delta import contract
from matderiv.engine.formprint import form_latex, form_text
from matderiv.engine.index import FACTOR_KINDS, Factor, Idx, IndexExpr, Term, normalize_term
from matderiv.engine.lowering import lower
from matderiv.engine.matrixform import (
    SCALAR_OPS,
    Atom,
    Chain,
    DiagOf,
    Hadamard,
    Identity,
    KronOf,
    MForm,
    MSum,
    OnesVec,
    ScalarOf,
    Scaled,
    VecOf,
    form_expr,
    form_shape,
    transpose,
)
from matderiv.engine.notation import einsum_code, index_latex, index_text
from matderiv.engine.reassembly import reassemble
from matderiv.errors import NotSupportedError, check_kind, unknown_kind
from matderiv.language.expression import Var
from matderiv.language.functions import REDUCE_OPS, Ones, Reduce, ReduceOp, as_reduce_op
from matderiv.numeric.codegen import compile_source, generate
from matderiv.numeric.evaluation import Evaluator, evaluate, reduction

from ..finite import central_jacobian

I_, J_ = Idx("i", 3), Idx("j", 3)
X = Var("X", (3, 3))
V = Var("v", (3,))


def _forced(obj: Any, **fields: object) -> Any:
    """``obj`` with fields set past the constructor's check: a kind that a future edit adds
    to one place and forgets in another."""
    for name, value in fields.items():
        object.__setattr__(obj, name, value)
    return obj


# built and checked --------------------------------------------------------------------------


def test_the_kind_tuples_list_every_literal_value():
    assert set(FACTOR_KINDS) == {"tensor", "delta", "dim", "fuse"}
    assert REDUCE_OPS == get_args(ReduceOp) == ("sum", "mean")
    assert set(SCALAR_OPS) == {"tr", "sum", "dim"}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: Factor("kron", (I_,)),  # type: ignore[arg-type]
            r"unknown factor kind 'kron'; expected one of 'tensor', 'delta', 'dim', 'fuse'",
            id="unknown-kind",
        ),
        pytest.param(
            lambda: Factor("delta", (I_, J_, I_)),
            "a delta factor carries 2 indices, not 3",
            id="delta-with-three-indices",
        ),
        pytest.param(
            lambda: Factor("fuse", (I_, J_)), "a fuse factor carries 3 indices, not 2", id="fuse"
        ),
        pytest.param(
            lambda: Factor("dim", (I_,), name="N"),
            "a dim factor carries 0 indices, not 1",
            id="dim-with-an-index",
        ),
        pytest.param(lambda: Factor("dim", ()), "a dim factor needs a name", id="dim-no-name"),
        pytest.param(
            lambda: Factor("tensor", (I_,)), "a tensor factor needs a node", id="tensor-no-node"
        ),
        pytest.param(
            lambda: Factor("delta", (I_, J_), X),
            "a delta factor has no node, got X",
            id="delta-node",
        ),
        pytest.param(
            lambda: Factor("tensor", (I_, J_), X, name="N"),
            "a tensor factor has no name, got 'N'",
            id="tensor-name",
        ),
    ],
)
def test_a_malformed_factor_raises_when_built(build, message):
    with pytest.raises(NotSupportedError, match=message):
        build()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: Reduce("max", V),  # type: ignore[arg-type]
            r"unknown reduction 'max'; expected one of 'sum', 'mean'",
            id="reduce-node",
        ),
        pytest.param(
            lambda: as_reduce_op("prod"),
            r"unknown reduction 'prod'; expected one of 'sum', 'mean'",
            id="as-reduce-op",
        ),
        pytest.param(
            lambda: ScalarOf("det", Atom(X)),  # type: ignore[arg-type]
            r"unknown scalar of a form 'det'; expected one of 'tr', 'sum', 'dim'",
            id="scalar-of-op",
        ),
        pytest.param(
            lambda: ScalarOf("dim"), r"ScalarOf\('dim'\) takes a name and no form", id="dim-bare"
        ),
        pytest.param(
            lambda: ScalarOf("dim", Atom(X), name="N"),
            r"ScalarOf\('dim'\) takes a name and no form",
            id="dim-with-form",
        ),
        pytest.param(
            lambda: ScalarOf("tr"), r"ScalarOf\('tr'\) takes a form and no name", id="tr-bare"
        ),
    ],
)
def test_an_unknown_op_raises_when_built(build, message):
    with pytest.raises(NotSupportedError, match=message):
        build()


def test_check_kind_accepts_an_allowed_value_and_names_the_allowed_ones_otherwise():
    check_kind("sum", REDUCE_OPS, "reduction")
    with pytest.raises(NotSupportedError, match=r"unknown colour 'red'; expected one of 'blue'"):
        check_kind("red", ("blue",), "colour")
    with pytest.raises(NotSupportedError, match=r"^unknown colour 'red'$"):
        unknown_kind("red", "colour")  # type: ignore[arg-type]


def test_a_ones_factor_is_zero_one_by_its_class():
    ones = Factor("tensor", (I_,), Ones((3,)))
    assert ones.is_zero_one
    assert Factor("delta", (I_, J_)).is_zero_one
    assert not Factor("tensor", (I_,), V).is_zero_one
    # a 0/1 factor times itself is itself; any other factor's powers add
    assert normalize_term(Term(Fraction(1), (ones, ones))) == Term(Fraction(1), (ones,))
    squared = normalize_term(Term(Fraction(1), (Factor("tensor", (I_,), V),) * 2))
    assert squared is not None
    assert [f.power for f in squared.factors] == [2]


# every match raises on an unknown case ----------------------------------------------------


def _with_unknown_factor() -> IndexExpr:
    bogus = _forced(Factor("delta", (I_, J_)), kind="bogus")
    return IndexExpr((Term(Fraction(1), (bogus,)),), (I_, J_))


@pytest.mark.parametrize(
    "consumer",
    [
        pytest.param(index_text, id="index-text"),
        pytest.param(index_latex, id="index-latex"),
        pytest.param(einsum_code, id="einsum-code"),
        pytest.param(contract, id="contract"),
        pytest.param(reassemble, id="reassemble"),
        pytest.param(lambda e: Evaluator({}, {}).index(e), id="evaluate"),
        pytest.param(lambda e: generate("f", [], [(e, (3, 3), "")]), id="codegen"),
    ],
)
def test_an_unknown_factor_kind_raises_in_every_consumer(consumer):
    with pytest.raises(NotSupportedError, match="unknown factor kind 'bogus'"):
        consumer(_with_unknown_factor())


@pytest.mark.parametrize(
    "consumer",
    [
        pytest.param(lambda e: lower(e, ()), id="lower"),
        pytest.param(lambda e: evaluate(e, v=np.ones(3)), id="evaluate"),
        pytest.param(lambda e: generate("f", [V], [(e, (), "")]), id="codegen"),
        pytest.param(lambda e: reduction(e.op), id="numpy-function"),
    ],
)
def test_an_unknown_reduction_raises_rather_than_computing_a_mean(consumer):
    with pytest.raises(NotSupportedError, match="unknown reduction 'max'"):
        consumer(_forced(Reduce("mean", V), op="max"))


@pytest.mark.parametrize(
    "consumer",
    [
        pytest.param(form_text, id="text"),
        pytest.param(form_expr, id="language"),
        pytest.param(lambda f: Evaluator({"X": np.eye(3)}, {}).form(f), id="evaluate"),
    ],
)
def test_an_unknown_scalar_of_a_form_raises(consumer):
    with pytest.raises(NotSupportedError, match="unknown scalar of a form 'det'"):
        consumer(_forced(ScalarOf("tr", Atom(X)), op="det"))


@dataclass(frozen=True)
class _Rotated(MForm):
    """A matrix form that no behaviour knows."""

    arg: MForm


@pytest.mark.parametrize(
    "behaviour",
    [
        pytest.param(transpose, id="transpose"),
        pytest.param(form_text, id="text"),
        pytest.param(form_latex, id="latex"),
        pytest.param(form_expr, id="language"),
        pytest.param(form_shape, id="shape"),
        pytest.param(lambda f: Evaluator({}, {}).form(f), id="evaluate"),
    ],
)
def test_an_unknown_matrix_form_raises_in_every_behaviour(behaviour):
    with pytest.raises(NotSupportedError, match="unknown matrix form _Rotated"):
        behaviour(_Rotated(Atom(X)))


# every known case is handled -------------------------------------------------------------

M = Var("M", (3, 3))
u = Var("u", (3,))
FORMS: list[MForm] = [
    Atom(M),
    Atom(u, t=True),
    Identity(3),
    OnesVec(3),
    OnesVec(3, t=True),
    Chain((Atom(M), Atom(u))),
    Hadamard((Atom(u), Atom(u))),
    DiagOf(Atom(u)),
    DiagOf(Atom(M), vector=True),
    DiagOf(Atom(M), vector=True, t=True),
    ScalarOf("tr", Atom(M)),
    ScalarOf("sum", Atom(u)),
    ScalarOf("dim", name="n"),
    KronOf(Atom(M), Atom(M)),
    VecOf(Atom(M)),
    VecOf(Atom(M), t=True),
    Scaled(Fraction(2), ((ScalarOf("tr", Atom(M)), Fraction(1)),), Atom(M)),
    MSum((Atom(M), Identity(3))),
]


def test_the_cases_cover_every_matrix_form_class():
    known = {cls for cls in MForm.__subclasses__() if not cls.__name__.startswith("_")}
    assert {type(f) for f in FORMS} == known


@pytest.mark.parametrize("form", [pytest.param(f, id=form_text(f)) for f in FORMS])
def test_every_matrix_form_prints_transposes_and_evaluates_as_its_expression(form, rng):
    arrays = {"M": rng.normal(size=(3, 3)), "u": rng.normal(size=3)}
    ev = Evaluator(arrays, {"n": 3})
    value = np.asarray(ev.form(form))
    rows, cols = (ev.size(d) for d in form_shape(form))
    assert value.size == rows * cols
    assert form_latex(form)
    np.testing.assert_allclose(np.asarray(ev.form(transpose(form))), value.T, atol=1e-12)
    # the expression of the form has the same entries as the form (vectors are 1-D there)
    as_expr = np.asarray(evaluate(form_expr(form), **arrays, n=3))
    np.testing.assert_allclose(as_expr.ravel(), value.ravel(), atol=1e-12)


# every reduction against plain numpy -----------------------------------------------------

NUMPY = {"sum": np.sum, "mean": np.mean}
AXES = [None, 0, 1, (0, 1)]


def test_the_numpy_table_of_this_test_covers_every_reduction():
    assert set(NUMPY) == set(REDUCE_OPS)


@pytest.mark.parametrize("op", REDUCE_OPS)
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_each_reduction_evaluates_and_compiles_as_numpy(op, axis, rng):
    A = Var("A", (3, 4))
    e = Reduce(op, A, axis)
    a = rng.normal(size=(3, 4))
    want = NUMPY[op](a, axis=axis)
    np.testing.assert_allclose(evaluate(e, A=a), want, rtol=1e-12)
    fn = compile_source(generate("f", [A], [(e, e.shape, "")]), "f")
    np.testing.assert_allclose(fn(A=a), want, rtol=1e-12)


@pytest.mark.parametrize("op", REDUCE_OPS)
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_each_reduction_differentiates_as_finite_differences_say(op, axis, rng):
    d = md.derive(f"{op}(A * A, axis={axis!r})", "A", shapes={"A": (3, 4)})
    a = rng.normal(size=(3, 4))
    fd = central_jacobian(lambda A: NUMPY[op](A * A, axis=axis), {"A": a}, "A")
    np.testing.assert_allclose(d.evaluate(A=a), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d.compile()(A=a), fd, rtol=1e-6, atol=1e-8)
