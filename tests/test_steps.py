"""The steps of a derivation: the letters they use mean one thing on the page."""

from __future__ import annotations

import re

import pytest

import matderiv as md


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
