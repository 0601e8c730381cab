"""Fuzzing: hostile text only ever raises matderiv's errors, quickly; printed results parse back.

The same generators run longer in benchmarks/fuzz.py.
"""

from __future__ import annotations

import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matderiv as md
from matderiv.evaluation import Evaluator, bind_sizes
from matderiv.parsing import FUNCTIONS
from matderiv.verification import sample_inputs

from .strategies import problems

S = {"X": (2, 3), "Y": (3, 2), "A": ("n", "n"), "x": ("n",), "t": ()}
TOKENS = [
    *sorted(FUNCTIONS),
    "X",
    "Y",
    "A",
    "x",
    "t",
    "(",
    ")",
    "(",
    ")",
    ",",
    "@",
    "*",
    "+",
    "-",
    "/",
    "**",
    ".T",
    "1",
    "2.5",
    "axis=0",
    "'fro'",
    "'ij,jk->ik'",
    " ",
    "[",
    "]",
    "lambda",
    "^",
    "%",
    "==",
    "__import__",
    "os",
    "eye(n)",
    "ones((2, 3))",
]

text_soup = st.text(max_size=60)
token_soup = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)


def _only_matderiv_errors(text: str) -> None:
    start = time.perf_counter()
    try:
        e = md.parse(text, S)
        for v in sorted(e.variables(), key=lambda v: v.name):
            md.derive(e, v)
    except md.MatderivError:
        pass
    assert time.perf_counter() - start < 1.0, f"took over 1 s on {text!r}"


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(text_soup)
def test_random_text_raises_only_matderiv_errors(text):
    _only_matderiv_errors(text)


@settings(
    max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(token_soup)
def test_token_soup_raises_only_matderiv_errors(text):
    _only_matderiv_errors(text)


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(problems())
def test_printed_matrix_form_parses_back_to_the_same_numbers(problem):
    text, shapes, wrt = problem
    try:
        d = md.derive(text, wrt, shapes=shapes)
        code = d.code
    except md.NotSupportedError:
        return
    if code is None:
        return
    f = md.parse(text, shapes)
    again = md.parse(code, shapes)
    arrays = sample_inputs([f, d.wrt], rng=9)
    value = Evaluator(arrays, bind_sizes(f.variables() | {d.wrt}, arrays)).expr(again)
    np.testing.assert_allclose(
        np.broadcast_to(value, d.evaluate(arrays).shape), d.evaluate(arrays), rtol=1e-9, atol=1e-11
    )
