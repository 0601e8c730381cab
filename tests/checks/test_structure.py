"""check_derivative by a structured variable: each convention checked in its own sense, and a
claim in the other convention, or without the structure, refused."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md

SHAPES = {"S": md.structured(("n", "n"), "symmetric"), "A": ("n", "n"), "x": ("n",)}


@pytest.mark.parametrize("method", ["full", "directional", "exact"])
def test_each_convention_passes_in_its_own_sense_and_fails_in_the_other(method):
    claims = {"free": "2 * inv(S) - inv(S) * eye(n)", "frobenius": "inv(S)"}
    for convention, claim in claims.items():
        md.check_derivative(
            "logdet(S)", claim, wrt="S", shapes=SHAPES, symmetric=convention, method=method
        )
        other = "frobenius" if convention == "free" else "free"
        with pytest.raises(AssertionError, match=r"check failed"):
            md.check_derivative(
                "logdet(S)", claim, wrt="S", shapes=SHAPES, symmetric=other, method=method
            )


def test_the_unstructured_gradient_is_refused_as_not_symmetric():
    # ∂ tr(AS)/∂S ignoring the symmetry is Aᵀ: right along every symmetric direction in the
    # Frobenius sense only after projection, and not symmetric itself
    for method in ("full", "directional"):
        with pytest.raises(AssertionError, match=r"not symmetric in the variable's two axes"):
            md.check_derivative(
                "tr(A @ S)", "A.T", wrt="S", shapes=SHAPES, symmetric="frobenius", method=method
            )


ERRORS = [
    ({"f": "logdet(S)", "df": "inv(S)", "wrt": "S", "shapes": SHAPES}, md.LayoutError, r"'S' is symmetric, .*choose one"),
    ({"f": "logdet(S)", "df": md.derive("logdet(S)", "S", shapes=SHAPES, symmetric="free"), "symmetric": "frobenius"}, md.LayoutError, r"derived with symmetric='free', but the check was asked for symmetric='frobenius'"),
    ({"f": "logdet(S)", "df": "inv(S)", "wrt": "S", "shapes": SHAPES, "symmetric": "frobenius", "at": {"S": np.array([[2.0, 1.0], [0.0, 2.0]])}}, md.DomainError, r"S is declared symmetric, but the array given is not: entry \(0, 1\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "error", "message"), ERRORS, ids=["no-convention", "contradiction", "not-symmetric"]
)
def test_check_errors_by_a_structured_variable_are_clear(kwargs, error, message):
    with pytest.raises(error, match=message):
        md.check_derivative(**kwargs)


def test_a_derivative_checks_itself_in_its_own_convention():
    for convention in ("free", "frobenius"):
        d = md.derive("x @ S @ x + logdet(S)", "S", shapes=SHAPES, symmetric=convention)
        assert d.check().max_rel_error < 1e-8


@pytest.mark.parametrize("convention", ["free", "frobenius"])
def test_a_hessian_claim_is_checked_against_the_first_derivative_along_structured_moves(
    convention,
):
    """The function checked is itself a Derivative (the first derivative) and the claim a plain
    callable: the variable's structure comes from the Derivative (before, the check moved one
    entry of S alone and the evaluation refused the non-symmetric point)."""
    g = md.derive("logdet(S)", "S", shapes=SHAPES, symmetric=convention)
    h = md.derive(g, "S", symmetric=convention)
    s = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, 0.2], [0.5, 0.2, 4.0]])
    right = h.evaluate(S=s)
    for method in ("full", "directional"):
        md.check_derivative(
            g, lambda **_: right, at={"S": s}, wrt="S", symmetric=convention, method=method
        )
        with pytest.raises(AssertionError, match=r"derivative check failed"):
            md.check_derivative(
                g, lambda **_: 1.01 * right, at={"S": s}, wrt="S", symmetric=convention,
                method=method,
            )  # fmt: skip
