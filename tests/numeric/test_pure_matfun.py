"""Matrix functions, spectral functions and structured checks without numpy: the pure-Python
backend (numeric.pure_matfun, numeric.pure_spectral, checks.pure) agrees with the numpy route,
number for number, verdict for verdict and error for error."""

from __future__ import annotations

import re

import numpy as np
import pytest

import matderiv as md
import matderiv.checks.finite as finite
from matderiv.errors import DomainError, LayoutError, NotSupportedError
from matderiv.language import kernels
from matderiv.numeric import pure_matfun
from matderiv.numeric.evaluation import evaluate
from matderiv.numeric.pure import evaluate_derivative, evaluate_expression
from matderiv.numeric.pure_arrays import Tensor
from matderiv.numeric.pure_linalg import LINALG

from .test_pure import _blocked

MATFUN = ("expm", "sinm", "cosm", "sqrtm", "logm")
SPECTRAL = ("eigvalsh", "svdvals", "norm_2", "norm_nuc", "norm_1", "norm_inf")
NUMPY_SPECTRAL = {
    "eigvalsh": np.linalg.eigvalsh,
    "svdvals": lambda a: np.linalg.svd(a, compute_uv=False),
    "norm_2": lambda a: np.linalg.norm(a, 2),
    "norm_nuc": lambda a: np.linalg.norm(a, "nuc"),
    "norm_1": lambda a: np.linalg.norm(a, 1),
    "norm_inf": lambda a: np.linalg.norm(a, np.inf),
}
SYM = md.structured(("n", "n"), "symmetric")
SHAPES = {"S": SYM, "A": ("n", "n"), "x": ("n",)}
DIAG = {"D": md.structured(("n", "n"), "diagonal"), "A": ("n", "n")}


def _t(a: np.ndarray) -> Tensor:
    return Tensor(a.shape, [float(v) for v in np.ravel(a)])


def _a(t: Tensor) -> np.ndarray:
    return np.array(t.data).reshape(t.shape)


def _close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-10) -> None:
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    assert np.max(np.abs(got - want), initial=0.0) <= rtol * scale, (got, want)


def _argument(fn: str, gen: np.random.Generator, n: int) -> np.ndarray:
    """A random argument inside the function's domain (sqrtm, logm: spectrum in the right
    half-plane, as the samplers draw it)."""
    a = gen.standard_normal((n, n))
    if fn in ("sqrtm", "logm"):
        return a + (1.0 + np.abs(a).sum(axis=1).max()) * np.eye(n)
    return a


@pytest.mark.parametrize("n", [1, 2, 3, 4], ids=lambda n: f"n{n}")
@pytest.mark.parametrize("fn", MATFUN)
def test_matrix_functions_and_their_frechet_derivatives_agree_with_numpy(fn, n):
    gen = np.random.default_rng(100 * n + MATFUN.index(fn))
    for _ in range(3):
        a = _argument(fn, gen, n)
        e = gen.standard_normal((n, n))
        _close(_a(getattr(LINALG, fn)(_t(a))), getattr(kernels, fn)(a))
        tensor = kernels.frechet(fn, a)
        _close(_a(LINALG.frechet(fn, _t(a))), tensor)
        applied = np.einsum("ijpq,pq->ij", tensor, e)
        _close(_a(LINALG.frechet_apply(fn, _t(a), _t(e))), applied)


def test_the_eigenvalues_of_a_general_matrix_agree_with_numpy():
    gen = np.random.default_rng(7)
    for n in (1, 2, 3, 4) * 10:
        a = gen.standard_normal((n, n))
        want, got = np.linalg.eigvals(a), np.array(pure_matfun.eigvals(a.tolist()))
        assert max(np.min(np.abs(got - w)) for w in want) < 1e-10
        assert max(np.min(np.abs(want - g)) for g in got) < 1e-10


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (3, 3), (4, 4), (4, 2), (2, 3), (1, 4)])
def test_spectral_functions_and_their_factors_agree_with_numpy(shape):
    gen = np.random.default_rng(sum(shape))
    for _ in range(5):
        x = gen.standard_normal(shape)
        s = gen.standard_normal((shape[0], shape[0]))  # eigvalsh reads its lower triangle
        v = x[0]
        args = {"eigvalsh": s, "norm_1": v, "norm_inf": v}
        for fn in SPECTRAL:
            arg = args.get(fn, x)
            _close(_a(getattr(LINALG, fn)(_t(arg))), np.asarray(NUMPY_SPECTRAL[fn](arg)))
        for fn, arg in [("lower_weights", s), ("svd_u", x), ("svd_v", x), ("top_u", x)]:
            _close(_a(getattr(LINALG, fn)(_t(arg))), getattr(kernels, fn)(arg))
        for fn, arg in [("top_v", x), ("polar", x), ("kink_sign", v), ("max_sign", v)]:
            _close(_a(getattr(LINALG, fn)(_t(arg))), getattr(kernels, fn)(arg))
        # eigenvectors have no sign convention in numpy: compare the projectors u_k u_kᵀ
        u, w = _a(LINALG.eigh_vectors(_t(s))), kernels.eigh_vectors(s)
        _close(np.einsum("ik,jk->kij", u, u), np.einsum("ik,jk->kij", w, w))


def test_small_singular_values_stay_accurate():
    """One-sided Jacobi, not the square roots of eig(XᵀX): a 1e-9 singular value survives."""
    gen = np.random.default_rng(3)
    q1, _ = np.linalg.qr(gen.standard_normal((4, 4)))
    q2, _ = np.linalg.qr(gen.standard_normal((3, 3)))
    x = q1[:, :3] @ np.diag([3.0, 1.0, 1e-9]) @ q2.T
    got = _a(LINALG.svdvals(_t(x)))
    np.testing.assert_allclose(got, [3.0, 1.0, 1e-9], rtol=1e-6)


DEGENERATE = [
    ("sqrtm", [[-1.0, 0.0], [0.0, 2.0]], r"sqrtm: the matrix has the eigenvalue -1\+0j"),
    ("logm", [[0.0, 1.0], [0.0, 0.0]], r"logm: the matrix has the eigenvalue 0"),
    ("logm", [[-2.0, 0.0], [0.0, -3.0]], r"closed negative real axis"),
    ("sqrtm_frechet", [[1.0, 0.0], [0.0, -4.0]], r"sqrtm: .*off \(-inf, 0\]"),
    ("logm_frechet", [[-1.0, 0.0], [0.0, 1.0]], r"logm: the matrix has the eigenvalue"),
    ("eigh_vectors", [[1.0, 0.0], [0.0, 1.0]], r"eigenvalues 0 and 1 are equal"),
    ("svd_u", [[2.0, 0.0], [0.0, 2.0]], r"singular values 0 and 1 are equal"),
    ("svd_v", [[2.0, 0.0], [0.0, 0.0]], r"a singular value is 0 at this point"),
    ("top_u", [[0.0, 0.0], [0.0, 0.0]], r"every singular value is 0"),
    ("top_v", [[1.0, 0.0], [0.0, -1.0]], r"singular values 0 and 1 are equal"),
    ("polar", [[1.0, 2.0], [2.0, 4.0]], r"nuclear norm is not differentiable"),
    ("kink_sign", [1.0, 0.0, -2.0], r"entry 1 of x is 0 at this point"),
    ("max_sign", [1.0, -3.0, 3.0], r"entries 1, 2 tie for the largest"),
]


@pytest.mark.parametrize(
    ("fn", "arg", "match"), DEGENERATE, ids=[f"{d[0]}-{k}" for k, d in enumerate(DEGENERATE)]
)
def test_degenerate_points_raise_the_numpy_routes_domain_error(fn, arg, match):
    a = np.array(arg)
    if fn.endswith("_frechet"):
        name = fn.removesuffix("_frechet")
        pure, numpy_ = (lambda: LINALG.frechet(name, _t(a))), (lambda: kernels.frechet(name, a))
    else:
        pure, numpy_ = (lambda: getattr(LINALG, fn)(_t(a))), (lambda: getattr(kernels, fn)(a))
    with pytest.raises(DomainError, match=match) as from_numpy:
        numpy_()
    with pytest.raises(DomainError, match=match) as from_pure:
        pure()

    def words(e: pytest.ExceptionInfo[DomainError]) -> str:  # rounding may differ, not words
        return re.sub(r"[-+]?\d[\d.e+-]*(j\b)?", "#", str(e.value))

    assert words(from_pure) == words(from_numpy)


def test_a_fourth_axis_and_an_unknown_function_are_refused():
    with pytest.raises(NotSupportedError, match=r"no Fréchet derivative for the matrix function"):
        LINALG.frechet("tanm", _t(np.eye(2)))
    with pytest.raises(NotSupportedError, match=r"expm needs a square matrix, got shape \(2, 3\)"):
        LINALG.expm(_t(np.ones((2, 3))))
    with pytest.raises(NotSupportedError, match=r"E has shape \(3, 3\), X has \(2, 2\)"):
        LINALG.frechet_apply("expm", _t(np.eye(2)), _t(np.eye(3)))


@pytest.mark.parametrize(
    ("expr", "wrt", "shapes"),
    [
        ("tr(A @ expm(X))", "X", {"A": (3, 3), "X": (3, 3)}),
        ("sum(sqrtm(X) * A)", "X", {"A": (2, 2), "X": (2, 2)}),
        ("tr(logm(X) @ A)", "X", {"A": (3, 3), "X": (3, 3)}),
        ("sum(sinm(X) + cosm(X))", "X", {"X": (4, 4)}),
        ("norm(X, 'nuc') + norm(X, 2)", "X", {"X": (4, 2)}),
        ("x @ eigvalsh(S)", "S", {"x": (3,), "S": (3, 3)}),
        ("svdvals(X)", "X", {"X": (2, 3)}),
        ("norm(x, 1) + norm(x, inf)", "x", {"x": (4,)}),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) > 1 else "",
)
def test_derivatives_evaluate_and_check_without_numpy(expr, wrt, shapes, monkeypatch):
    """The whole route: the expression and its derivative evaluate as numpy's, and the check
    without numpy passes (and fails for a wrong claim)."""
    d = md.derive(expr, wrt, shapes=shapes)
    arrays = md.checks.finite.sample_inputs(d.of, 5)
    lists = {k: v.tolist() for k, v in arrays.items()}
    _close(np.asarray(evaluate_expression(d.of, lists).tolist()), evaluate(d.of, **arrays))
    _close(np.asarray(evaluate_derivative(d, lists, "auto")), d.evaluate(arrays))
    monkeypatch.setattr(finite, "numpy_available", lambda: False)
    report = md.check_derivative(d.of, d, wrt=wrt, at=lists)
    assert "pure Python" in str(report)

    def off_by_one_percent(**kw):
        return (1.01 * np.asarray(d.evaluate(kw))).tolist()

    with pytest.raises(AssertionError, match=r"derivative check failed \(full, seed 0\)"):
        md.check_derivative(d.of, off_by_one_percent, wrt=wrt, at=lists)


STRUCTURED = [  # f, variable, shapes, {convention: right answer}, a wrong one
    (
        "tr(A @ S)",
        "S",
        SHAPES,
        {"free": "A + A.T - A * eye(n)", "frobenius": "(A + A.T) / 2"},
        "(A + A.T) / 2 + eye(n)",
    ),
    (
        "x @ S @ x",
        "S",
        SHAPES,
        {"free": "2 * outer(x, x) - diag(x * x)", "frobenius": "outer(x, x)"},
        "2 * outer(x, x)",
    ),
    ("tr(S @ S)", "S", SHAPES, {"free": "4 * S - 2 * S * eye(n)", "frobenius": "2 * S"}, "S"),
    ("tr(expm(S))", "S", {"S": SYM}, {"free": "2 * expm(S) - expm(S) * eye(n)"}, "expm(S)"),
    ("logdet(D)", "D", DIAG, {None: "inv(D)"}, "2 * inv(D)"),
    ("tr(A @ D)", "D", DIAG, {None: "A * eye(n)"}, "A.T * eye(n) + eye(n)"),
]


@pytest.mark.parametrize(
    ("f", "wrt", "shapes", "right", "wrong"), STRUCTURED, ids=[s[0] for s in STRUCTURED]
)
def test_structured_checks_agree_with_the_numpy_route(f, wrt, shapes, right, wrong, monkeypatch):
    """Right answers pass and wrong ones fail in each convention, with numpy and without it;
    each convention's answer fails in the other one."""
    for pure in (False, True):
        if pure:
            monkeypatch.setattr(finite, "numpy_available", lambda: False)
        for convention, claim in right.items():
            report = md.check_derivative(f, claim, wrt=wrt, shapes=shapes, symmetric=convention)
            assert report.method == "full"
            assert ("pure Python" in str(report)) is pure
            if pure:  # one finite difference (4 evaluations) per free entry; n is drawn 2
                assert report.evaluations == 4 * (2 if "D" in shapes else 3)
            with pytest.raises(AssertionError, match=r"derivative check failed"):
                md.check_derivative(f, wrong, wrt=wrt, shapes=shapes, symmetric=convention)
        if set(right) == {"free", "frobenius"}:
            with pytest.raises(AssertionError, match=r"derivative check failed \(full"):
                md.check_derivative(f, right["free"], wrt=wrt, shapes=shapes, symmetric="frobenius")


def test_an_unstructured_claim_is_refused_with_the_numpy_routes_message(monkeypatch):
    messages = []
    for pure in (False, True):
        if pure:
            monkeypatch.setattr(finite, "numpy_available", lambda: False)
        for f, claim, shapes, conv in [
            ("tr(A @ S)", "A.T", SHAPES, "frobenius"),
            ("tr(A @ D)", "A.T", DIAG, None),
        ]:
            with pytest.raises(AssertionError, match=r"the claimed derivative is not") as err:
                md.check_derivative(f, claim, wrt=f[-2], shapes=shapes, symmetric=conv, at=None)
            messages.append(str(err.value).split("(worst")[0])
    assert messages[:2] == messages[2:]


def test_a_symmetric_variable_without_a_convention_is_refused_without_numpy(monkeypatch):
    monkeypatch.setattr(finite, "numpy_available", lambda: False)
    with pytest.raises(LayoutError, match=r"symmetric='frobenius'.*symmetric='free'"):
        md.check_derivative("tr(A @ S)", "A", wrt="S", shapes=SHAPES)


def test_a_structured_derivative_checks_itself_without_numpy(monkeypatch):
    monkeypatch.setattr(finite, "numpy_available", lambda: False)
    for convention in ("free", "frobenius"):
        d = md.derive("x @ S @ S @ x", "S", shapes=SHAPES, symmetric=convention)
        assert "pure Python" in str(d.check())


def test_with_numpy_blocked_a_structured_check_and_a_matrix_function():
    """In a fresh interpreter where numpy cannot be imported, as in the browser."""
    out = _blocked("""
        sym = md.structured(("n", "n"), "symmetric")
        s = {"S": sym, "A": ("n", "n")}
        out["free"] = str(md.check_derivative("tr(A @ S)", "A + A.T - A * eye(n)", wrt="S",
                                              shapes=s, symmetric="free"))
        try:
            md.check_derivative("tr(A @ S)", "A + A.T - A * eye(n)", wrt="S", shapes=s,
                                symmetric="frobenius")
        except AssertionError as wrong:
            out["wrong"] = str(wrong)
        d = md.derive("tr(sinm(X))", "X", shapes={"X": ("n", "n")})
        out["sinm"] = str(md.check_derivative(d.of, "cosm(X).T", wrt="X",
                                              shapes={"X": ("n", "n")}))
        out["value"] = d.evaluate(X=[[0.0, 0.0], [0.0, 0.0]])
        try:
            md.parse("sqrtm(X)", {"X": (2, 2)})
            md.derive("tr(sqrtm(X))", "X", shapes={"X": (2, 2)}).evaluate(X=[[-1, 0], [0, 1]])
        except md.DomainError as outside:
            out["domain"] = str(outside)
    """)
    assert "pure Python" in str(out["free"])
    assert "pure Python" in str(out["sinm"])
    assert str(out["wrong"]).startswith("derivative check failed (full, seed 0)")
    assert out["value"] == [[1.0, 0.0], [0.0, 1.0]]
    assert "sqrtm: the matrix has the eigenvalue -1+0j" in str(out["domain"])


@pytest.mark.parametrize("fn", ["expm", "logm", "sqrtm", "sinm", "cosm"])
def test_the_applied_frechet_node_evaluates_without_numpy(fn, rng):
    # the VJP closed form d tr(A f(X))/dX = L_f(X^T, A^T) is a FrechetApply node; the browser
    # evaluates it through the pure-Python backend, as numpy does through the kernels
    shapes = {"A": ("n", "n"), "X": ("n", "n")}
    d = md.derive(f"tr(A @ {fn}(X))", "X", shapes=shapes)
    assert d.matrix == f"{fn}_frechet(X^T, A^T)"
    x = 2.0 * np.eye(3) + 0.2 * rng.standard_normal((3, 3))  # spectrum near 2: in every domain
    a = rng.standard_normal((3, 3))
    arrays = {"A": a, "X": x}
    expr = md.parse(d.code, shapes)
    pure = np.array(evaluate_expression(expr, {k: v.tolist() for k, v in arrays.items()}).tolist())
    np.testing.assert_allclose(pure, evaluate(expr, **arrays), rtol=1e-10, atol=1e-12)
