"""The expression tree: structural equality, shapes, operators and their errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

import matderiv as md
from matderiv.language.expression import Const, Func, MatMul, Var, as_expr

X, W, Y = md.var("X", ("B", "N")), md.var("W", ("N", "M")), md.var("Y", ("B", "M"))
x, A = md.var("x", ("n",)), md.var("A", ("n", "n"))


def test_equal_trees_are_equal_and_hash_alike():
    assert (X @ W - Y) == (X @ W - Y)
    assert hash(X @ W - Y) == hash(X @ W - Y)
    assert (X @ W) != (X @ W).T


SHAPES = [
    ("matmul", lambda: X @ W, ("B", "M")),
    ("transpose", lambda: (X @ W).T, ("M", "B")),
    ("vector transpose is a no-op", lambda: x.T, ("n",)),
    ("quadratic form", lambda: x @ A @ x, ()),
    ("broadcast a row", lambda: X @ W + md.var("b", ("M",)), ("B", "M")),
    ("scalar times matrix", lambda: 2 * X / 3 - 1, ("B", "N")),
    ("right operators", lambda: 1 - 2 / (1 + x), ("n",)),
    ("power", lambda: -(x**2), ("n",)),
    ("rmatmul", lambda: MatMul(A, x), ("n",)),
]


@pytest.mark.parametrize(("name", "build", "shape"), SHAPES, ids=[s[0] for s in SHAPES])
def test_operators_infer_shapes(name, build, shape):
    assert build().shape == shape


def test_numbers_become_exact_constants():
    assert as_expr(0.1) == Const(Fraction(1, 10))
    assert as_expr(3) == Const(Fraction(3))


ERRORS = [
    (lambda: X @ X, md.ShapeError, r"cannot multiply X \(B×N\) by X \(B×N\) with '@': inner sizes N \(axis 1 of X\) and B \(axis 0 of X\) differ"),
    (lambda: X + W, md.ShapeError, r"cannot combine X \(B×N\) and W \(N×M\) with '\+' or '-': sizes B \(axis 0 of X\) and N \(axis 0 of W\) differ"),
    (lambda: as_expr(True), TypeError, r"cannot use the boolean True in an expression"),
    (lambda: X + "y", TypeError, r"cannot use 'y' of type str in an expression; expected an expression or a number"),
    (lambda: Var("2x", (2,)), md.ShapeError, r"variable name '2x' is not a valid identifier"),
    (lambda: Func("gelu", x), md.NotSupportedError, r"elementwise function 'gelu' is not supported"),
    (lambda: md.var("S", (2, 3, 4)) @ md.var("T", (5, 4, 2)), md.NotSupportedError,
     r"'@' of S \(2×3×4\) and T \(5×4×2\): stacks of matrices are supported only with equal leading axes"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "error", "message"), ERRORS, ids=[e[2][:30] for e in ERRORS])
def test_invalid_construction_raises(build, error, message):
    with pytest.raises(error, match="^" + message):
        build()


def test_stacks_of_matrices_multiply_slice_by_slice():
    S, T = md.var("S", (2, 3, 4)), md.var("T", (2, 4, 5))
    assert (S @ T).shape == (2, 3, 5)
    d = md.derive(md.parse("sum(S @ T)", {"S": S, "T": T}), S)
    d.check(method="full")


def test_repr_and_str_show_the_expression():
    assert str(X @ W - Y) == "X W - Y"
    assert repr(X @ W) == "Expr('X @ W', shape=('B', 'M'))"
    assert (X @ W)._repr_latex_() == r"$X\, W$"


def test_a_name_with_two_shapes_is_refused():
    x3, x4 = md.var("x", (3,)), md.var("x", (4,))
    assert x3 != x4
    with pytest.raises(
        md.ShapeError,
        match=r"^variable 'x' is used with two shapes, 3 and 4; give each variable one shape",
    ):
        md.derive(md.parse("sum(a) + sum(b)", {"a": x3, "b": x4}), x3)
