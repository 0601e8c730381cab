"""A derivation's steps: every step's formula evaluates to the final numbers, its text and LaTeX
print that formula, and a notebook shows the steps as typeset, aligned equations."""

from __future__ import annotations

import re

import numpy as np
import pytest

import matderiv as md
from matderiv.checks.finite import sample_inputs
from matderiv.engine.notation import einsum_code, index_latex, index_text
from matderiv.language.printing import latex_name, to_latex, to_text
from matderiv.numeric.evaluation import evaluate
from matderiv.steps import Steps, _aligned

from .test_derivative import CASES, IDS

SHAPES = {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}


def _sub(names: list[str], text: bool) -> str:
    if not names:
        return ""
    return f"[{','.join(names)}]" if text else "_{" + "".join(names) + "}"


@pytest.mark.parametrize(("name", "expr", "wrt", "shapes", "matrix", "index"), CASES, ids=IDS)
def test_every_step_evaluates_to_the_final_numbers(name, expr, wrt, shapes, matrix, index):
    d = md.derive(expr, wrt, shapes=shapes)
    e = md.parse(expr, shapes)
    arrays = sample_inputs([e, d.wrt], rng=1)
    final = d.evaluate(via="index", **arrays)
    if d.form is not None:
        np.testing.assert_allclose(d.evaluate(via="matrix", **arrays), final, rtol=1e-9, atol=1e-11)
    names = [s.name for s in d.steps]
    assert names[:3] == ["element", "differentiate", "contract"]
    assert names[3:] in (["reassemble"], ["collect", "reassemble"])
    element = d.steps[0].evaluate(**arrays)
    np.testing.assert_allclose(element, evaluate(e, **arrays), rtol=1e-10, atol=1e-12)
    for step in d.steps[1:]:
        np.testing.assert_allclose(
            step.evaluate(**arrays), final, rtol=1e-9, atol=1e-11, err_msg=step.name
        )


@pytest.mark.parametrize(("name", "expr", "wrt", "shapes", "matrix", "index"), CASES, ids=IDS)
def test_every_step_prints_its_formula(name, expr, wrt, shapes, matrix, index):
    """Text and LaTeX of each step: the function, then ∂f[i…]/∂W[p…] = the step's index form,
    and last the matrix form (or the einsum where there is none)."""
    d = md.derive(expr, wrt, shapes=shapes)
    e = md.parse(expr, shapes)
    free = [i.name for i in d.index_expr.free]
    out, var = free[: len(d.out_shape)], free[len(d.out_shape) :]
    lhs_t = f"∂f{_sub(out, True)}/∂{wrt}{_sub(var, True)}"
    lhs_l = (
        rf"\frac{{\partial f{_sub(out, False)}}}{{\partial {latex_name(wrt)}{_sub(var, False)}}}"
    )
    first = d.steps[0]
    assert first.text.startswith(f"f = {to_text(e)}\n")
    assert first.latex.startswith(f"f = {to_latex(e)} \\\\ ")
    assert index_text(first.index_expr) in first.text
    for step in d.steps[1:-1]:
        assert step.text == index_text(step.index_expr, lhs_t)
        assert step.latex == f"{lhs_l} = {index_latex(step.index_expr)}"
    has_delta = any(f.kind == "delta" for t in d.steps[1].index_expr for f in t.factors)
    assert (r"\delta_{" in d.steps[1].latex) == has_delta
    last = d.steps[-1]
    if d.form is not None:
        assert last.text == f"∂f/∂{wrt} = {d.matrix}"
        assert last.latex == d.latex()
    else:
        assert last.text == f"{lhs_t} = {einsum_code(d.index_expr)}"
        assert last.latex == f"{lhs_l} = {index_latex(d.index_expr)}"


def test_the_steps_of_least_squares():
    d = md.derive("sum((X @ W - Y)**2)", "W", shapes=SHAPES)
    assert [s.text for s in d.steps] == [
        "f = sum((X W - Y)**2)\nf = Σ_ab (X W - Y)[a,b]^2\n"
        "where (X W - Y)[i,j] = Σ_c X[i,c] W[c,j] - Y[i,j]",
        "∂f/∂W[p,q] = 2 Σ_abc (X W - Y)[a,b] X[a,c] δ[c,p] δ[b,q]",
        "∂f/∂W[p,q] = 2 Σ_a (X W - Y)[a,q] X[a,p]",
        "∂f/∂W = 2 X^T (X W - Y)",
    ]
    assert d.steps[1].latex == (
        r"\frac{\partial f}{\partial W_{pq}} = 2 \sum_{a,b,c} \left(X\, W - Y\right)_{ab}\, "
        r"X_{ac}\, \delta_{cp}\, \delta_{bq}"
    )


def test_a_step_without_a_formula_cannot_be_evaluated():
    step = md.Step("note", "A note", "text", "latex")
    with pytest.raises(md.NotSupportedError, match=r"^step 'note' has no formula to evaluate$"):
        step.evaluate()


def test_steps_display_as_numbered_aligned_equations():
    d = md.derive("sum((X @ W - Y)**2)", "W", shapes=SHAPES)
    assert isinstance(d.steps, Steps)
    assert isinstance(d.steps, tuple)
    text = d.steps._repr_markdown_()
    assert text.startswith("**1. Write one element of the output in index notation**")
    assert "**4. Reassemble into matrix notation**" in text
    assert text.count(r"\begin{aligned}") == len(d.steps)
    assert r"\frac{\partial f}{\partial W} &= 2\, X^{\top}\, \left(X\, W - Y\right)" in text


def test_a_single_step_displays_alone():
    d = md.derive("sum((X @ W - Y)**2)", "W", shapes=SHAPES)
    assert d.steps[2]._repr_markdown_().startswith("**Contract the deltas (sifting property)**")


def test_alignment_ignores_an_equals_sign_inside_a_call():
    row = r"f = \operatorname{sum}\left(X, axis=1\right) \\ \text{where } u_{i} = 2"
    assert _aligned(row) == (
        "$$\n\\begin{aligned}\n"
        r"f &= \operatorname{sum}\left(X, axis=1\right) \\" + "\n"
        r"\text{where } u_{i} &= 2" + "\n\\end{aligned}\n$$"
    )


def test_derivative_displays_its_result_typeset():
    d = md.derive("x @ A @ x", "x", shapes={"x": ("n",), "A": ("n", "n")})
    assert d._repr_markdown_().startswith(r"$$\frac{\partial f}{\partial x} = ")
    assert d._repr_latex_() == f"$${d.latex()}$$"


def test_a_differential_displays_typeset():
    D = md.differential("x @ A @ x", "x", shapes={"x": ("n",), "A": ("n", "n")})
    assert D._repr_markdown_() == f"$${D.latex()}$$"
    assert D._repr_latex_() == (
        r"$$d\left(x^{\top}\, A\, x\right) = \left(\left(A + A^{\top}\right)\, x\right) : dx$$"
    )


# the letters a step uses mean one thing on the page ----------------------------------
def _summed_letters(text: str) -> set[str]:
    return {c for group in re.findall(r"Σ_(\w+)", text) for c in group}


@pytest.mark.parametrize(
    ("expr", "wrt", "shapes", "upstream"),
    [
        pytest.param(
            "x @ W + b", "W", {"x": (3,), "W": (3, 2), "b": (2,)}, "g", id="contracted-bias"
        ),
        pytest.param(
            "sum(c * (A @ x + b))",
            "x",
            {"x": (3,), "A": (3, 3), "b": (3,), "c": (3,)},
            None,
            id="weighted-affine",
        ),
        pytest.param(
            "sum(a * (B @ x + c))",
            "x",
            {"x": (3,), "B": (3, 3), "c": (3,), "a": (3,)},
            None,
            id="letters-a-and-c-taken",
        ),
    ],
)
def test_summed_letters_of_a_definition_skip_array_names(expr, wrt, shapes, upstream):
    d = md.derive(expr, wrt, shapes=shapes)
    if upstream is not None:
        d = d.contract(upstream)
    names = {v.name for v in d.variables}
    text = d.steps[0].text
    assert "where" in text  # the case exercises the definition of a factored sum
    assert not _summed_letters(text) & names, text


def test_contracted_affine_map_defines_its_factor_with_a_fresh_letter():
    d = md.derive("x @ W + b", "W", shapes={"x": (3,), "W": (3, 2), "b": (2,)}).contract("g")
    assert d.steps[0].text.splitlines()[-1] == "where (x^T W + b)[i] = Σ_c x[c] W[c,i] + b[i]"
