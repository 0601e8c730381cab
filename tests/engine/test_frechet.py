"""The VJP closed forms of matrix functions (engine/frechet.py): Σ_ij G_ij L_f(X)[i, j, p, q]
reassembles to L_f(Xᵀ, G), printed ``expm_frechet(X^T, G)``; each printed form parses back,
and every output (index form, matrix form, compiled code, the parsed-back form) is compared
with central finite differences of plain numpy functions."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import pytest

import matderiv as md
from matderiv.language import kernels
from matderiv.language.printing import to_latex
from matderiv.numeric.evaluation import evaluate

from ..finite import central_jacobian

MATFUN = ("expm", "logm", "sqrtm", "sinm", "cosm")
SHAPES = {"X": (3, 3), "A": (3, 3), "B": (3, 3)}


def _point(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """X diagonally dominant with a positive diagonal (in the domain of logm and sqrtm)."""
    a = rng.standard_normal((3, 3))
    x = 2 * np.eye(3) + a / np.abs(a).sum(axis=1, keepdims=True)
    return {"X": x, "A": rng.standard_normal((3, 3)), "B": rng.standard_normal((3, 3))}


# (expression with {f}, its matrix form with {f}, the function in plain numpy)
CASES: list[tuple[str, str, Callable[..., float]]] = [
    ("tr(A @ {f}(X))", "{f}_frechet(X^T, A^T)", lambda f, X, A, B: np.trace(A @ f(X))),
    ("tr({f}(X) @ A)", "{f}_frechet(X^T, A^T)", lambda f, X, A, B: np.trace(f(X) @ A)),
    ("sum(A * {f}(X))", "{f}_frechet(X^T, A)", lambda f, X, A, B: np.sum(A * f(X))),
    ("sum({f}(X) * A)", "{f}_frechet(X^T, A)", lambda f, X, A, B: np.sum(f(X) * A)),
    (
        "tr(A @ {f}(X) @ B)",
        "{f}_frechet(X^T, A^T B^T)",
        lambda f, X, A, B: np.trace(A @ f(X) @ B),
    ),
    ("sum({f}(X))", "{f}_frechet(X^T, ones((3, 3)))", lambda f, X, A, B: np.sum(f(X))),
    (
        "tr(A @ {f}(X.T))",
        "{f}_frechet(X, A^T)^T",
        lambda f, X, A, B: np.trace(A @ f(X.T)),
    ),
]


@pytest.mark.parametrize("name", MATFUN)
@pytest.mark.parametrize(("text", "matrix", "plain"), CASES, ids=[c[0] for c in CASES])
def test_a_product_with_one_matrix_function_reassembles_to_its_vjp(
    name: str, text: str, matrix: str, plain, rng: np.random.Generator
) -> None:
    d = md.derive(text.format(f=name), "X", shapes=SHAPES)
    assert d.matrix == matrix.format(f=name)
    arrays = _point(rng)
    fn = getattr(kernels, name)
    fd = central_jacobian(lambda X, A, B: plain(fn, X, A, B), arrays, "X")
    for via in ("matrix", "index"):
        np.testing.assert_allclose(d.evaluate(arrays, via=via), fd, rtol=1e-6, atol=1e-8)
    fn_c = d.compile()
    used = {k: v for k, v in arrays.items() if k in inspect.signature(fn_c).parameters}
    np.testing.assert_allclose(fn_c(**used), fd, rtol=1e-6, atol=1e-8)
    assert d.code is not None
    back = md.parse(d.code, SHAPES)
    np.testing.assert_allclose(evaluate(back, **arrays), fd, rtol=1e-6, atol=1e-8)


def test_the_closed_form_is_the_adjoint_identity(rng: np.random.Generator) -> None:
    """⟨G, L_f(X, E)⟩ = ⟨L_f(Xᵀ, G), E⟩ on the kernels themselves, for every function."""
    x = _point(rng)["X"]
    g, e = rng.standard_normal((2, 3, 3))
    for name in MATFUN:
        left = np.sum(g * kernels.frechet_apply(name, x, e))
        right = np.sum(kernels.frechet_apply(name, x.T, g) * e)
        assert left == pytest.approx(right, rel=1e-10), name


@pytest.mark.parametrize("name", MATFUN)
def test_the_applied_kernel_contracts_the_frechet_tensor(
    name: str, rng: np.random.Generator
) -> None:
    x = _point(rng)["X"]
    e = 50 * rng.standard_normal((3, 3))  # a large direction: L is linear in it
    want = np.einsum("ijpq,pq->ij", kernels.frechet(name, x), e)
    np.testing.assert_allclose(kernels.frechet_apply(name, x, e), want, rtol=1e-9, atol=1e-9)


def test_two_matrix_functions_in_a_trace_give_two_vjps(rng: np.random.Generator) -> None:
    d = md.derive("tr(A @ expm(X) @ B @ sinm(X))", "X", shapes=SHAPES)
    assert d.matrix is not None
    assert "expm_frechet(X^T, " in d.matrix
    assert "sinm_frechet(X^T, " in d.matrix
    arrays = _point(rng)
    fd = central_jacobian(
        lambda X, A, B: np.trace(A @ kernels.expm(X) @ B @ kernels.sinm(X)), arrays, "X"
    )
    np.testing.assert_allclose(d.evaluate(arrays, via="matrix"), fd, rtol=1e-6, atol=1e-8)


def test_a_matrix_function_of_a_product_chains_the_vjp(rng: np.random.Generator) -> None:
    d = md.derive("sum(A * expm(X @ B))", "X", shapes=SHAPES)
    assert d.matrix == "expm_frechet((X B)^T, A) B^T"
    arrays = _point(rng)
    fd = central_jacobian(lambda X, A, B: np.sum(A * kernels.expm(X @ B)), arrays, "X")
    np.testing.assert_allclose(d.evaluate(arrays, via="matrix"), fd, rtol=1e-6, atol=1e-8)


def test_a_diagonal_weighting_is_a_diag_matrix(rng: np.random.Generator) -> None:
    shapes = {"X": (3, 3), "v": (3,)}
    d = md.derive("v @ diag(expm(X))", "X", shapes=shapes)
    assert d.matrix == "expm_frechet(X^T, diag(v))"
    x, v = _point(rng)["X"], rng.standard_normal(3)
    fd = central_jacobian(lambda X, v: v @ np.diag(kernels.expm(X)), {"X": x, "v": v}, "X")
    np.testing.assert_allclose(d.evaluate(X=x, v=v, via="matrix"), fd, rtol=1e-6, atol=1e-8)


def test_a_derivative_by_a_scalar_is_the_directional_derivative(
    rng: np.random.Generator,
) -> None:
    shapes = {"t": (), "A": (3, 3), "B": (3, 3)}
    d = md.derive("expm(t * A)", "t", shapes=shapes)
    assert d.matrix == "expm_frechet(t A, A)"
    a, t = rng.standard_normal((3, 3)), 0.7
    fd = central_jacobian(lambda t, A: kernels.expm(t * A), {"t": np.array(t), "A": a}, "t")
    np.testing.assert_allclose(d.evaluate(t=t, A=a, via="matrix"), fd, rtol=1e-6, atol=1e-8)
    s = md.derive("sum(B * expm(t * A))", "t", shapes=shapes)
    assert s.matrix == "tr(B^T expm_frechet(t A, A))"


def test_the_trace_keeps_its_own_closed_form() -> None:
    assert md.derive("tr(expm(X))", "X", shapes=SHAPES).matrix == "expm(X)^T"
    assert md.derive("tr(logm(X))", "X", shapes=SHAPES).matrix == "X^{-T}"


def test_a_symmetric_variable_is_not_transposed() -> None:
    S = md.var("S", (3, 3), structure="symmetric")
    A = md.var("A", (3, 3))
    d = md.derive(md.parse("tr(A @ expm(S))", {"S": S, "A": A}), S, symmetric="frobenius")
    assert d.matrix is not None
    assert "expm_frechet(S, " in d.matrix


# the applied function as users write it ------------------------------------------------------


@pytest.mark.parametrize("name", MATFUN)
def test_the_applied_function_parses_prints_and_evaluates(
    name: str, rng: np.random.Generator
) -> None:
    e = md.parse(f"{name}_frechet(X.T, 2 * A)", SHAPES)
    assert str(e) == f"{name}_frechet(X^T, 2 A)"
    assert to_latex(e).startswith(rf"L_{{\operatorname{{{name}}}}}")
    arrays = _point(rng)
    want = kernels.frechet_apply(name, arrays["X"].T, 2 * arrays["A"])
    np.testing.assert_allclose(evaluate(e, **arrays), want, rtol=1e-12)


@pytest.mark.parametrize("name", MATFUN)
def test_the_derivative_of_the_applied_function_by_its_direction_is_linear(
    name: str, rng: np.random.Generator
) -> None:
    d = md.derive(f"sum(B * {name}_frechet(X, A))", "A", shapes=SHAPES)
    arrays = _point(rng)
    fd = central_jacobian(
        lambda X, A, B: np.sum(B * kernels.frechet_apply(name, X, A)), arrays, "A"
    )
    np.testing.assert_allclose(d.evaluate(arrays), fd, rtol=1e-6, atol=1e-8)
    assert d.matrix == f"{name}_frechet(X^T, B)"


def test_the_derivative_of_the_applied_function_through_x_is_refused() -> None:
    with pytest.raises(md.NotSupportedError, match=r"second Fréchet derivative of expm"):
        md.derive("sum(B * expm_frechet(X, A))", "X", shapes=SHAPES)


def test_the_hessian_of_a_vjp_product_is_refused() -> None:
    with pytest.raises(md.NotSupportedError, match=r"second derivatives of matrix functions"):
        md.hessian("tr(A @ expm(X))", "X", shapes=SHAPES)


def test_the_applied_function_checks_its_shapes() -> None:
    with pytest.raises(md.ShapeError, match=r"the direction E must have the shape of X"):
        md.parse("expm_frechet(X, v)", {"X": (3, 3), "v": (3,)})
    with pytest.raises(md.ShapeError, match=r"expm_frechet needs a square matrix"):
        md.parse("expm_frechet(Y, Y)", {"Y": (2, 3)})
    with pytest.raises(md.ParseError, match=r"expm_frechet"):
        md.parse("expm_frechet(X)", SHAPES)


def test_the_exact_check_refuses_the_applied_function() -> None:
    d = md.derive("tr(A @ expm(X))", "X", shapes=SHAPES)
    with pytest.raises(md.NotSupportedError, match=r"exact SymPy check cannot"):
        md.check_derivative("tr(A @ expm(X))", d, method="exact")


def test_the_applied_kernel_refuses_a_wrong_direction_and_an_unknown_function() -> None:
    with pytest.raises(md.NotSupportedError, match=r"E has shape \(2,\), X has \(2, 2\)"):
        kernels.frechet_apply("expm", np.eye(2), np.ones(2))
    with pytest.raises(md.NotSupportedError, match=r"no Fréchet derivative .*'tanhm'"):
        kernels.frechet_apply("tanhm", np.eye(2), np.eye(2))


def test_logm_outside_its_domain_raises_a_domain_error() -> None:
    with pytest.raises(md.DomainError, match=r"closed negative real axis"):
        kernels.frechet_apply("logm", -np.eye(2), np.eye(2))


def test_the_finite_check_passes_on_every_case() -> None:
    for name in MATFUN:
        text = f"tr(A @ {name}(X) @ B)"
        report = md.check_derivative(text, md.derive(text, "X", shapes=SHAPES), rng=3)
        assert "check passed" in str(report)  # a failed check raises
