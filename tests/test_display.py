"""Notebook display: a derivation's steps show as typeset, aligned equations."""

from __future__ import annotations

import matderiv as md
from matderiv.steps import Steps, _aligned

SHAPES = {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}


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
    assert D._repr_latex_().startswith(r"$$d\left(")
