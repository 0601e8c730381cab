"""Declaring structured variables: md.var(..., structure=...) and md.structured in shapes."""

from __future__ import annotations

import pytest

import matderiv as md
from matderiv.language.structure import needs_convention


def test_var_and_structured_shapes_declare_the_same_variable():
    S = md.var("S", ("n", "n"), structure="symmetric")
    parsed = md.parse("S", {"S": md.structured(("n", "n"), "symmetric")})
    assert parsed == S
    assert S.structure == "symmetric"
    assert md.var("S", ("n", "n")) != S  # the structure is part of the variable


def test_a_plain_tuple_stays_a_general_variable():
    assert md.parse("S", {"S": ("n", "n")}).structure == "general"


ERRORS = [
    (lambda: md.var("S", ("n", "m"), structure="symmetric"), md.ShapeError, r"'S' is declared symmetric, which needs a square matrix"),
    (lambda: md.var("v", ("n",), structure="diagonal"), md.ShapeError, r"'v' is declared diagonal, which needs a square matrix"),
    (lambda: md.var("S", ("n", "n"), structure="sym"), md.ShapeError, r"unknown structure 'sym' for 'S'; expected one of 'general', 'symmetric', 'diagonal'"),
    (lambda: md.structured((3, 4), "symmetric"), md.ShapeError, r"'a structured shape' is declared symmetric, which needs a square"),
    (lambda: md.derive("logdet(S)", "S", shapes={"S": md.structured(("n", "n"), "symmetric")}), md.LayoutError, r"'S' is symmetric, .* symmetric='frobenius' .* symmetric='free'"),
    (lambda: md.derive("logdet(S)", "S", shapes={"S": md.structured(("n", "n"), "symmetric")}, symmetric="half"), md.LayoutError, r"unknown convention symmetric='half'; expected one of 'frobenius', 'free'"),
    (lambda: md.derive(md.var("S", (2, 2), structure="symmetric") + md.var("S", (2, 2)), "S", symmetric="free"), md.ShapeError, r"variable 'S' is used with two structures"),
    (lambda: md.derive(md.var("x", ("n",)) @ md.var("S", ("n", "n"), structure="symmetric") @ md.var("x", ("n",)), md.var("S", ("n", "n"))), md.ShapeError, r"wrt 'S' is declared n×n \(general\), but the expression's 'S' is n×n \(symmetric\)"),
    (lambda: md.derive(md.var("x", ("n",)) @ md.var("x", ("n",)), md.var("x", ("m",))), md.ShapeError, r"wrt 'x' is declared m \(general\), but the expression's 'x' is n \(general\)"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "error", "message"), ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_structure_errors_are_clear(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_the_missing_convention_names_both_and_says_what_each_means():
    with pytest.raises(md.LayoutError) as info:
        needs_convention("S", "symmetric", None)
    text = str(info.value)
    assert "(G + G^T)/2" in text
    assert "G + G^T - G * I" in text
    assert "Cookbook" in text


def test_a_general_or_diagonal_variable_needs_no_convention():
    assert needs_convention("X", "general", None) is None
    assert needs_convention("D", "diagonal", None) is None
    d = md.derive(
        "tr(A @ D)", "D", shapes={"D": md.structured(("n", "n"), "diagonal"), "A": ("n", "n")}
    )
    assert d.matrix == "A^T * I"
    assert d.symmetric is None
