"""The same input gives the same result in every run, and every reassembly order is right.

Results must not depend on string hashing (``PYTHONHASHSEED``) or on what was derived before in
the same process (the fresh-index counter). Reassembly once took summed indices in set order,
and one of those orders transposed a column ``diag(M)`` without marking it a row, so the
evaluated second derivative of ``tr(kron(M0, exp(M1 * s0 @ Q0 @ M1)))`` was wrong under one hash
seed and raised under others.
"""

from __future__ import annotations

import numpy as np

import matderiv as md
from matderiv.evaluation import Evaluator
from matderiv.matrixform import Atom, DiagOf, Hadamard, form_expr, form_text, transpose
from matderiv.parsing import parse

KRON_SHAPES = {"M0": (2, 2), "M1": (3, 3), "Q0": (3, 3), "s0": ()}
KRON = "tr(kron(M0, exp(M1 * s0 @ Q0 @ M1)))"


def _fd_second(f, x: float, h: float = 1e-3) -> float:
    return float((f(x + h) - 2 * f(x) + f(x - h)) / h**2)


def test_the_transposed_diagonal_of_a_matrix_is_a_row():
    shapes = {"M": (3, 3)}
    col = DiagOf(Atom(parse("M", shapes)), vector=True)
    row = transpose(col)
    assert form_text(row) == "diag(M)^T"
    assert transpose(row) == col
    a = np.arange(9.0).reshape(3, 3)
    ev = Evaluator({"M": a}, {})
    assert ev.form(col).shape == (3, 1)
    assert ev.form(row).shape == (1, 3)
    # a row times a row is elementwise, never the outer product of a row and a column
    had = Hadamard((transpose(Atom(parse("diag(M)", shapes))), row))
    np.testing.assert_array_equal(ev.form(had), np.diag(a)[None, :] ** 2)
    assert form_expr(had).shape == (3,)


def test_kron_exp_second_derivative_matches_finite_differences(rng):
    arrays = {k: 0.5 * rng.standard_normal(v) for k, v in KRON_SHAPES.items()}
    arrays["s0"] = np.array(0.3)
    d = md.derive(md.derive(KRON, "s0", shapes=KRON_SHAPES), "s0")

    def f(s0: float) -> float:
        a = arrays["M1"] * s0 @ arrays["Q0"] @ arrays["M1"]
        return float(np.trace(np.kron(arrays["M0"], np.exp(a))))

    fd = _fd_second(f, 0.3)
    assert np.isclose(float(d.evaluate(arrays, via="index")), fd, rtol=1e-6)
    if d.form is not None:
        assert np.isclose(float(d.evaluate(arrays, via="matrix")), fd, rtol=1e-6)
