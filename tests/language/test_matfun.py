"""Matrix functions and spectral functions: the numpy kernels against mpmath (30 digits), every
derivative against central finite differences of plain numpy functions, the closed forms of
traces, numpy's lower-triangle semantics of eigvalsh, and a DomainError at every degenerate
point (evaluate and compiled code alike).

The registry test (tests/language/test_specs.py) covers each function users write end to end;
this file covers what only derivatives create and the points where they do not exist.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import matderiv as md
from matderiv.language import kernels
from matderiv.language.printing import to_code
from matderiv.numeric.evaluation import evaluate

from ..finite import central_jacobian

MATFUN = ("expm", "logm", "sqrtm", "sinm", "cosm")


def _mp(name: str, a: np.ndarray) -> np.ndarray:
    with mpmath.workdps(30):
        r = getattr(mpmath, name)(mpmath.matrix(a.tolist()))
        return np.array([[float(mpmath.re(r[i, j])) for j in range(r.cols)] for i in range(r.rows)])


def _dominant(n: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.standard_normal((n, n))
    return 2 * np.eye(n) + a / np.abs(a).sum(axis=1, keepdims=True)


# the kernels -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", MATFUN)
@pytest.mark.parametrize("n", [1, 2, 4])
def test_a_matrix_function_matches_mpmath(name: str, n: int, rng: np.random.Generator) -> None:
    a = _dominant(n, rng) if name in ("logm", "sqrtm") else 2 * rng.standard_normal((n, n))
    got = getattr(kernels, name)(a)
    np.testing.assert_allclose(got, _mp(name, a), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["logm", "sqrtm"])
def test_log_and_square_root_of_a_rotation_with_complex_eigenvalues(name: str) -> None:
    a = np.array([[1.0, -2.0], [2.0, 1.0]])  # eigenvalues 1 ± 2i: in the domain
    np.testing.assert_allclose(getattr(kernels, name)(a), _mp(name, a), rtol=1e-12)


def test_a_large_norm_is_scaled_and_squared() -> None:
    a = np.array([[0.0, 30.0], [-30.0, 0.0]])  # a rotation by 30 rad
    np.testing.assert_allclose(kernels.expm(a), _mp("expm", a), atol=1e-12)


@pytest.mark.parametrize("name", MATFUN)
def test_the_frechet_tensor_matches_finite_differences(name: str, rng: np.random.Generator) -> None:
    a = _dominant(3, rng)
    fd = central_jacobian(lambda X: getattr(kernels, name)(X), {"X": a}, "X")
    np.testing.assert_allclose(kernels.frechet(name, a), fd, rtol=1e-6, atol=1e-8)


def test_an_unknown_frechet_derivative_is_refused() -> None:
    with pytest.raises(md.NotSupportedError, match=r"no Fréchet derivative for .*'tanhm'"):
        kernels.frechet("tanhm", np.eye(2))


# derivatives ------------------------------------------------------------------------------

TRACES = [
    ("tr(expm(X))", "expm(X)^T", lambda a: kernels.expm(a).T),
    ("tr(logm(X))", "X^{-T}", lambda a: np.linalg.inv(a).T),
    ("tr(sqrtm(X))", "0.5 sqrtm(X)^{-T}", lambda a: 0.5 * np.linalg.inv(kernels.sqrtm(a)).T),
    ("tr(sinm(X))", "cosm(X)^T", lambda a: kernels.cosm(a).T),
    ("tr(cosm(X))", "-sinm(X)^T", lambda a: -kernels.sinm(a).T),
]


@pytest.mark.parametrize(("text", "matrix", "closed"), TRACES, ids=[t[0] for t in TRACES])
def test_the_trace_of_a_matrix_function_has_the_closed_form_f_prime_transposed(
    text: str, matrix: str, closed, rng: np.random.Generator
) -> None:
    d = md.derive(text, "X", shapes={"X": (3, 3)})
    assert d.matrix == matrix
    a = _dominant(3, rng)
    fn = getattr(kernels, text[3:].split("(")[0])
    fd = central_jacobian(lambda X: np.trace(fn(X)), {"X": a}, "X")
    np.testing.assert_allclose(d.evaluate(X=a), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(closed(a), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d.compile()(X=a), fd, rtol=1e-6, atol=1e-8)


def test_a_weighted_matrix_function_keeps_the_frechet_factor_in_index_form(
    rng: np.random.Generator,
) -> None:
    d = md.derive("sum(A * expm(X @ B))", "X", shapes={"X": (3, 3), "A": (3, 3), "B": (3, 3)})
    assert d.matrix == "expm_frechet((X B)^T, A) B^T"  # its VJP (tests/engine/test_frechet.py)
    assert "expm_frechet(X B)" in d.index
    assert r"L_{\operatorname{expm}}" in d.latex()
    a, b, x = rng.standard_normal((3, 3, 3))
    fd = central_jacobian(
        lambda X, A, B: np.sum(A * kernels.expm(X @ B)), {"X": x, "A": a, "B": b}, "X"
    )
    np.testing.assert_allclose(d.evaluate(X=x, A=a, B=b), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d.compile()(X=x, A=a, B=b), fd, rtol=1e-6, atol=1e-8)


def test_generated_code_imports_the_kernels() -> None:
    source = md.derive("logm(X)", "X", shapes={"X": (2, 2)}).to_source()
    assert "import matderiv.language.kernels as _mk" in source
    assert "_mk.frechet('logm', X)" in source
    source = md.derive("tr(A @ logm(X))", "X", shapes={"X": (2, 2), "A": (2, 2)}).to_source()
    assert "_mk.frechet_apply('logm', X.T, A.T)" in source


def test_the_einsum_text_of_a_frechet_factor_is_refused_clearly() -> None:
    d = md.derive("sum(A * expm(X))", "X", shapes={"X": (2, 2), "A": (2, 2)})
    with pytest.raises(
        md.NotSupportedError, match=r"expm_frechet\(X\) is a factor of a derivative"
    ):
        d.einsum  # noqa: B018


def test_an_internal_factor_does_not_parse() -> None:
    # the 4-index factor has no spelling; expm_frechet(X, E) is the factor applied to E
    with pytest.raises(md.ParseError, match=r"expm_frechet\(\) takes 2 arguments, got 1"):
        md.parse("expm_frechet(X)", {"X": (2, 2)})


@pytest.mark.parametrize(
    "text",
    ["sum(A * expm(X))", "sum(eigvalsh(X))", "norm(X, 2)", "norm(X, 'nuc')", "sum(svdvals(X))"],
)
def test_second_derivatives_of_matrix_and_spectral_functions_are_refused(text: str) -> None:
    d = md.derive(text, "X", shapes={"X": (2, 2), "A": (2, 2)})
    with pytest.raises(md.NotSupportedError, match=r"second derivatives of matrix functions"):
        md.derive(d, "X")


@pytest.mark.parametrize("text", ["norm(x, 1)", "norm(x, inf)"])
def test_second_derivatives_of_nonsmooth_norms_are_refused(text: str) -> None:
    d = md.derive(text, "x", shapes={"x": (3,)})
    with pytest.raises(md.NotSupportedError, match=r"nonsmooth norms are not supported"):
        md.derive(d, "x")


def test_the_second_derivative_of_a_trace_goes_through_the_frechet_factor(
    rng: np.random.Generator,
) -> None:
    h = md.hessian("tr(expm(X))", "X", shapes={"X": (2, 2)})
    x = rng.standard_normal((2, 2))
    g = md.derive("tr(expm(X))", "X", shapes={"X": (2, 2)})
    fd = central_jacobian(lambda X: g.evaluate(X=X), {"X": x}, "X")
    np.testing.assert_allclose(h.evaluate(X=x), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["expm", "eigvalsh"])
def test_the_exact_check_refuses_matrix_and_spectral_functions(name: str) -> None:
    text = f"tr({name}(X))" if name == "expm" else f"sum({name}(X))"
    d = md.derive(text, "X", shapes={"X": (2, 2)})
    with pytest.raises(md.NotSupportedError, match=rf"{name}: the exact SymPy check cannot"):
        md.check_derivative(text, d, method="exact")


# eigvalsh reads the lower triangle, as numpy does -------------------------------------------


def test_eigvalsh_derivative_matches_finite_differences_of_numpy_on_a_nonsymmetric_input(
    rng: np.random.Generator,
) -> None:
    s = rng.standard_normal((4, 4))  # the upper triangle is never read
    d = md.derive("eigvalsh(S)", "S", shapes={"S": (4, 4)})
    fd = central_jacobian(lambda S: np.linalg.eigvalsh(S), {"S": s}, "S")
    got = d.evaluate(S=s)
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-8)
    assert np.all(got[:, np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] == 0)
    np.testing.assert_allclose(d.compile()(S=s), fd, rtol=1e-6, atol=1e-8)


def test_eigvalsh_on_symmetric_matrices_gives_u_u_transposed_after_symmetrising(
    rng: np.random.Generator,
) -> None:
    a = rng.standard_normal((3, 3))
    s = a + a.T
    _, u = np.linalg.eigh(s)
    g = md.derive("eigvalsh(S)", "S", shapes={"S": (3, 3)}).evaluate(S=s)
    for k in range(3):  # the Frobenius gradient on symmetric matrices: sym(G) = u_k u_kᵀ
        np.testing.assert_allclose((g[k] + g[k].T) / 2, np.outer(u[:, k], u[:, k]), atol=1e-12)


@pytest.mark.parametrize(
    ("text", "fn"),
    [
        ("svdvals(X)", lambda X: np.linalg.svd(X, compute_uv=False)),
        ("norm(X, 2)", lambda X: np.linalg.norm(X, 2)),
        ("norm(X, 'nuc')", lambda X: np.linalg.norm(X, "nuc")),
    ],
)
@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
def test_singular_value_derivatives_match_finite_differences(
    text: str, fn, shape: tuple[int, int], rng: np.random.Generator
) -> None:
    x = rng.standard_normal(shape)
    d = md.derive(text, "X", shapes={"X": shape})
    fd = central_jacobian(fn, {"X": x}, "X")
    np.testing.assert_allclose(d.evaluate(X=x), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d.compile()(X=x), fd, rtol=1e-6, atol=1e-8)


def test_the_printed_spectral_derivatives_read_as_the_textbook_forms() -> None:
    shapes = {"X": (3, 3), "x": (3,)}
    assert md.derive("norm(X, 2)", "X", shapes=shapes).matrix == "top_u(X) top_v(X)^T"
    assert md.derive("norm(X, 'nuc')", "X", shapes=shapes).matrix == "polar(X)"
    assert md.derive("norm(x, 1)", "x", shapes=shapes).matrix == "kink_sign(x)"
    d = md.derive("svdvals(X)", "X", shapes=shapes)
    assert d.index == "D[i,p,q] = svd_u(X)[p,i] svd_v(X)[q,i]"
    assert to_code(md.parse("norm(x, inf) + norm(X, 'nuc')", shapes)) == (
        "norm(x, inf) + norm(X, 'nuc')"
    )


def test_svdvals_of_a_matrix_with_two_different_named_sizes_is_refused() -> None:
    with pytest.raises(md.NotSupportedError, match=r"min\(m, n\), is not known symbolically"):
        md.parse("svdvals(X)", {"X": ("m", "n")})


# DomainError at every degenerate point -----------------------------------------------------

_I3 = np.eye(3)
DEGENERATE = [
    ("repeated-eigenvalue", "eigvalsh(S)", "S", {"S": np.diag([1.0, 1.0, 2.0])}, r"eigvalsh: eigenvalues 0 and 1 are equal"),
    ("identity-eigenvalues", "sum(eigvalsh(S))", "S", {"S": _I3}, r"eigvalsh: eigenvalues 0 and 1 are equal \(1\)"),
    ("repeated-singular-value", "svdvals(X)", "X", {"X": np.diag([2.0, 2.0, 1.0])}, r"svdvals: singular values 0 and 1 are equal"),
    ("zero-singular-value", "svdvals(X)", "X", {"X": np.diag([3.0, 1.0, 0.0])}, r"svdvals: a singular value is 0 at this point"),
    ("zero-singular-value-tall", "svdvals(X)", "X", {"X": np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])}, r"svdvals: a singular value is 0"),
    ("spectral-norm-tie", "norm(X, 2)", "X", {"X": np.diag([2.0, 2.0, 1.0])}, r"norm\(X, 2\): singular values 0 and 1 are equal"),
    ("spectral-norm-zero", "norm(X, 2)", "X", {"X": np.zeros((2, 2))}, r"norm\(X, 2\): every singular value is 0"),
    ("nuclear-norm-rank-deficient", "norm(X, 'nuc')", "X", {"X": np.diag([3.0, 1.0, 0.0])}, r"norm\(X, 'nuc'\): the smallest singular value is 0"),
    ("nuclear-norm-zero", "norm(X, 'nuc')", "X", {"X": np.zeros((2, 3))}, r"norm\(X, 'nuc'\): every singular value is 0"),
    ("one-norm-kink", "norm(x, 1)", "x", {"x": np.array([1.0, 0.0, -2.0])}, r"norm\(x, 1\): entry 1 of x is 0 at this point"),
    ("one-norm-zero", "norm(x, 1)", "x", {"x": np.zeros(3)}, r"norm\(x, 1\): entry 0 of x is 0"),
    ("inf-norm-tie", "norm(x, inf)", "x", {"x": np.array([2.0, -2.0, 1.0])}, r"norm\(x, inf\): entries 0, 1 tie for the largest"),
    ("inf-norm-zero", "norm(x, inf)", "x", {"x": np.zeros(2)}, r"norm\(x, inf\): entries 0, 1 tie for the largest \|x_k\| = 0"),
    ("logm-negative-eigenvalue", "tr(A @ logm(X))", "X", {"X": np.diag([1.0, -1.0]), "A": np.eye(2)}, r"logm: the matrix has the eigenvalue -1\+0j on the closed negative real axis"),
    ("logm-singular", "tr(A @ logm(X))", "X", {"X": np.diag([1.0, 0.0]), "A": np.eye(2)}, r"logm: the matrix has the eigenvalue 0\+0j"),
    ("sqrtm-negative-eigenvalue", "tr(A @ sqrtm(X))", "X", {"X": np.array([[-1.0, 1.0], [0.0, 2.0]]), "A": np.eye(2)}, r"sqrtm: the matrix has the eigenvalue -1\+0j"),
    ("sqrtm-singular", "tr(A @ sqrtm(X))", "X", {"X": np.zeros((2, 2)), "A": np.eye(2)}, r"sqrtm: the matrix has the eigenvalue 0\+0j"),
]  # fmt: skip


def _shapes(arrays: dict[str, np.ndarray]) -> dict[str, tuple[int, ...]]:
    return {k: v.shape for k, v in arrays.items()}


@pytest.mark.parametrize(
    ("text", "wrt", "arrays", "message"),
    [c[1:] for c in DEGENERATE],
    ids=[c[0] for c in DEGENERATE],
)
def test_a_degenerate_point_raises_domain_error_when_evaluated_and_when_compiled(
    text: str, wrt: str, arrays: dict[str, np.ndarray], message: str
) -> None:
    d = md.derive(text, wrt, shapes=_shapes(arrays))
    with pytest.raises(md.DomainError, match=message):
        d.evaluate(arrays)
    with pytest.raises(md.DomainError, match=message):
        d.compile()(**arrays)


@pytest.mark.parametrize(
    ("text", "arrays"),
    [
        ("logm(X)", {"X": np.diag([2.0, -1.0])}),
        ("sqrtm(X)", {"X": np.diag([-4.0, 1.0])}),
    ],
)
def test_a_matrix_function_outside_its_domain_raises_domain_error(
    text: str, arrays: dict[str, np.ndarray]
) -> None:
    e = md.parse(text, _shapes(arrays))
    with pytest.raises(md.DomainError, match=r"on the closed negative real axis.*off \(-inf, 0\]"):
        evaluate(e, **arrays)
    with pytest.raises(md.DomainError, match=r"on the closed negative real axis"):
        md.check_derivative(text, md.derive(text, "X", shapes=_shapes(arrays)), at=arrays)


def test_the_nuclear_norm_is_differentiable_at_repeated_nonzero_singular_values() -> None:
    x = np.diag([2.0, 2.0, 1.0])
    g = md.derive("norm(X, 'nuc')", "X", shapes={"X": (3, 3)}).evaluate(X=x)
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)  # U Vᵀ is unique for full rank


def test_sampled_inputs_keep_logm_and_sqrtm_in_their_domain() -> None:
    from matderiv.checks.finite import sample_inputs

    e = md.parse("tr(logm(X) + sqrtm(X))", {"X": (4, 4)})
    for seed in range(5):
        x = sample_inputs(e, rng=seed)["X"]
        assert np.all(np.linalg.eigvals(x).real >= 1 - 1e-12)
