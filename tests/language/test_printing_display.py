"""The display printers (text, LaTeX) write an outer product and a matrix power as the sources
do, ``u v^T`` and ``(X^T)^7``; the code printer keeps the parseable spelling."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.checks.finite import sample_inputs
from matderiv.language.printing import to_code, to_latex, to_text
from matderiv.numeric import evaluation

SHAPES = {
    "x": ("n",),
    "mu": ("n",),
    "a": ("n",),
    "X": ("n", "n"),
    "A": ("n", "n"),
    "s": (),
    "t": (),
}

CASES = [
    pytest.param("outer(x - mu, x - mu)", "(x - mu) (x - mu)^T",
                 r"\left(x - \mu\right)\, \left(x - \mu\right)^{\top}", id="outer"),
    pytest.param("outer(a, x)", "a x^T", r"a\, x^{\top}", id="outer-names"),
    pytest.param("A @ outer(a, x) @ A", "A a x^T A", r"A\, a\, x^{\top}\, A", id="outer-in-a-product"),
    pytest.param("matrix_power(X.T, 7)", "(X^T)^7", r"\left(X^{\top}\right)^{7}", id="power-of-transpose"),
    pytest.param("matrix_power(X, 12)", "X^12", r"X^{12}", id="power-two-digits"),
    pytest.param("A @ matrix_power(inv(X), 2) @ A", "A X^{-2} A", r"A\, X^{-2}\, A", id="inverse-power"),
    pytest.param("t * s**(-2)", "t / s^2", r"\frac{t}{s^{2}}", id="negative-power-as-division"),
    pytest.param("x * a**(-3) * s**(-1)", "x / (s a**3)", None, id="negative-powers-below-the-bar"),
    pytest.param("a @ X @ X", "a^T X^2", r"a^{\top}\, X^{2}", id="row-then-power"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "want", "latex"), CASES)
def test_display_and_code(text: str, want: str, latex: str | None) -> None:
    e = md.parse(text, SHAPES)
    assert to_text(e) == want
    if latex is not None:
        assert to_latex(e) == latex
    back = md.parse(to_code(e), SHAPES)  # the code printer still reads back, with equal values
    arrays = sample_inputs(e, rng=0)
    np.testing.assert_allclose(
        evaluation.evaluate(back, **arrays), evaluation.evaluate(e, **arrays), rtol=1e-12
    )
