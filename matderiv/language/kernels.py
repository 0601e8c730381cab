"""numpy kernels of the matrix functions and of the spectral derivatives.

The declarations of :mod:`matderiv.language.matfun` and :mod:`matderiv.language.spectral`
evaluate through these functions, and so does the code that :meth:`Derivative.compile`
generates (it imports this module), so the evaluator and the compiled code compute the same
numbers. The module imports numpy; the declarations import it lazily, so that
``import matderiv`` does not.

Matrix functions (Higham, *Functions of Matrices*, 2008):

- ``expm`` by scaling and squaring with the degree-13 Padé approximant (Higham 2005);
- ``sinm``/``cosm`` as the imaginary and real parts of ``expm(iX)`` for real ``X``;
- ``sqrtm`` by the scaled Denman–Beavers iteration in product form (Higham 2008, §6.3);
- ``logm`` by inverse scaling and squaring: square roots until ``X^(1/2^k)`` is near ``I``,
  then ``log(I + A)`` by Gauss–Legendre quadrature of ``∫₀¹ A (I + tA)⁻¹ dt`` (§11.4-11.5).

Their Fréchet derivatives, as the tensor ``L[i, j, p, q] = ∂f(X)_ij / ∂X_pq``:

- ``expm``, ``sinm``, ``cosm``: the block-triangular identity
  ``f([[X, E], [0, X]]) = [[f(X), L_f(X, E)], [0, f(X)]]`` for every ``E = e_p e_qᵀ`` at once
  (a stack of 2n×2n exponentials; Higham 2008, Theorem 3.6);
- ``sqrtm``: ``R L + L R = E`` with ``R = sqrtm(X)`` (a Sylvester equation), solved for every
  ``E`` at once by inverting ``R ⊗ I + I ⊗ Rᵀ`` (row-major vectorisation);
- ``logm``: the inverse of the Fréchet derivative of ``expm`` at ``logm(X)``, since
  ``expm(logm(X)) = X``.

``sqrtm`` and ``logm`` (and their derivatives) raise :class:`~matderiv.errors.DomainError` when
``X`` has an eigenvalue on the closed negative real axis, where the principal function is not
defined (or not differentiable, at 0). The spectral kernels raise DomainError at the points
where the derivative they serve does not exist (repeated eigenvalues or singular values, a zero
singular value, a zero entry under the 1-norm, a tie under the ∞-norm).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import DomainError, NotSupportedError
from .matconst import GAP, PADE13, THETA13

__all__ = [
    "GAP",
    "cosm",
    "eigh_vectors",
    "expm",
    "frechet",
    "frechet_apply",
    "kink_sign",
    "logm",
    "lower_weights",
    "max_sign",
    "polar",
    "sinm",
    "sqrtm",
    "svd_u",
    "svd_v",
    "top_u",
    "top_v",
]


def _square(a: Any, fn: str) -> Any:
    a = np.asarray(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise NotSupportedError(f"{fn} needs a square matrix, got shape {a.shape}")
    return a


def expm(a: Any) -> Any:
    """The matrix exponential of a square matrix, or of each matrix of a stack (real or
    complex), by scaling and squaring with the [13/13] Padé approximant."""
    a = _square(a, "expm")
    a = a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)
    n = a.shape[-1]
    norm = np.abs(a).sum(axis=-2).max(axis=-1)
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / THETA13))).astype(int)
    x = a / (2.0**s)[..., None, None]
    eye = np.broadcast_to(np.eye(n), x.shape)
    b = PADE13
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (
        x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye
    )
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for k in range(int(s.max(initial=0))):
        r = np.where((k < s)[..., None, None], r @ r, r)
    return r


def cosm(a: Any) -> Any:
    """The matrix cosine of a real square matrix: the real part of ``expm(iX)``."""
    return expm(1j * np.asarray(a, dtype=np.float64)).real


def sinm(a: Any) -> Any:
    """The matrix sine of a real square matrix: the imaginary part of ``expm(iX)``."""
    return expm(1j * np.asarray(a, dtype=np.float64)).imag


def _check_spectrum(a: Any, fn: str) -> None:
    """DomainError when an eigenvalue of ``a`` lies on the closed negative real axis."""
    if not np.all(np.isfinite(a)):
        return  # the evaluator reports the non-finite result
    lam = np.linalg.eigvals(a)
    scale = float(np.max(np.abs(lam), initial=0.0))
    bad = (np.abs(lam.imag) <= GAP * scale) & (lam.real <= GAP * scale)
    if scale == 0.0 or np.any(bad):
        worst = lam[np.argmax(bad)] if np.any(bad) else 0.0
        raise DomainError(
            f"{fn}: the matrix has the eigenvalue {complex(worst):.6g} on the closed negative "
            "real axis, where the principal matrix function is not defined or not "
            "differentiable; its eigenvalues must lie off (-inf, 0]"
        )


def _sqrtm(a: Any) -> Any:
    n = a.shape[-1]
    eye = np.eye(n)
    m, y = a.astype(np.float64), a.astype(np.float64)
    for _ in range(100):
        minv = np.linalg.inv(m)
        mu = abs(np.linalg.det(m)) ** (-1.0 / (2 * n))
        y = 0.5 * mu * y @ (eye + minv / mu**2)
        m = 0.5 * (eye + (mu**2 * m + minv / mu**2) / 2)
        if np.abs(m - eye).sum(axis=0).max() <= 1e-15 * n:
            break
    return 0.5 * (y + np.linalg.solve(y, a))  # one Newton step polishes the last digits


def sqrtm(a: Any) -> Any:
    """The principal square root of a real square matrix whose eigenvalues lie off the closed
    negative real axis (DomainError otherwise)."""
    a = _square(np.asarray(a, dtype=np.float64), "sqrtm")
    _check_spectrum(a, "sqrtm")
    return _sqrtm(a)


@lru_cache(maxsize=1)
def _gauss_legendre(m: int) -> tuple[Any, Any]:
    """The m-point Gauss–Legendre rule on [0, 1] (Golub–Welsch: the eigenvalues of the Jacobi
    matrix are the nodes, the squared first components of its eigenvectors the weights)."""
    k = np.arange(1, m)
    beta = k / np.sqrt(4.0 * k**2 - 1.0)
    nodes, vectors = np.linalg.eigh(np.diag(beta, 1) + np.diag(beta, -1))
    return (nodes + 1) / 2, vectors[0] ** 2


def _log_near_identity(y: Any) -> Any:
    """log(I + A) = ∫₀¹ A (I + tA)⁻¹ dt for ‖A‖₁ ≤ 1/4, by 12-point Gauss–Legendre (the [12/12]
    Padé approximant; Higham 2008, §11.4)."""
    n = y.shape[-1]
    a = y - np.eye(n)
    out = np.zeros_like(a)
    for t, w in zip(*_gauss_legendre(12), strict=True):
        out += w * np.linalg.solve(np.eye(n) + t * a, a)
    return out


def logm(a: Any) -> Any:
    """The principal logarithm of a real square matrix whose eigenvalues lie off the closed
    negative real axis (DomainError otherwise)."""
    a = _square(np.asarray(a, dtype=np.float64), "logm")
    _check_spectrum(a, "logm")
    y, k = a, 0
    while np.abs(y - np.eye(a.shape[-1])).sum(axis=0).max() > 0.25 and k < 64:
        y, k = _sqrtm(y), k + 1
    return 2.0**k * _log_near_identity(y)


def _frechet_block(a: Any, fn: str) -> Any:
    """L[i, j, p, q] for expm, sinm or cosm from the block-triangular identity."""
    n = a.shape[-1]
    blocks = np.zeros((n, n, 2 * n, 2 * n))
    blocks[:, :, :n, :n] = a
    blocks[:, :, n:, n:] = a
    p, q = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    blocks[p, q, p, n + q] = 1.0
    if fn == "expm":
        top = expm(blocks)[..., :n, n:]
    else:
        e = expm(1j * blocks)[..., :n, n:]
        top = e.real if fn == "cosm" else e.imag
    return np.moveaxis(top, (0, 1), (2, 3))  # [p, q, i, j] -> [i, j, p, q]


def frechet(fn: str, a: Any) -> Any:
    """The Fréchet derivative of a matrix function at ``a`` as the tensor
    ``L[i, j, p, q] = ∂fn(a)_ij / ∂a_pq`` (``fn``: expm, logm, sqrtm, sinm or cosm)."""
    a = _square(np.asarray(a, dtype=np.float64), f"the derivative of {fn}")
    n = a.shape[-1]
    if fn in ("expm", "sinm", "cosm"):
        return _frechet_block(a, fn)
    if fn == "sqrtm":
        r = sqrtm(a)
        k = np.kron(r, np.eye(n)) + np.kron(np.eye(n), r.T)
        return np.linalg.inv(k).reshape(n, n, n, n)
    if fn == "logm":
        k = _frechet_block(logm(a), "expm").reshape(n * n, n * n)
        return np.linalg.inv(k).reshape(n, n, n, n)
    raise NotSupportedError(f"no Fréchet derivative for the matrix function {fn!r}")


def frechet_apply(fn: str, a: Any, e: Any) -> Any:
    """The Fréchet derivative of a matrix function at ``a`` applied to the matrix ``e``,
    ``L_fn(a, e) = Σ_pq L[:, :, p, q] e_pq``: for expm, sinm and cosm one 2n×2n block-triangular
    ``f([[a, e], [0, a]])``, for sqrtm the Sylvester equation ``R L + L R = e``, for logm the
    inverse of expm's Fréchet derivative at ``logm(a)`` applied to ``e``."""
    a = _square(np.asarray(a, dtype=np.float64), f"the derivative of {fn}")
    e = np.asarray(e, dtype=np.float64)
    if e.shape != a.shape:
        raise NotSupportedError(f"{fn}_frechet(X, E): E has shape {e.shape}, X has {a.shape}")
    n = a.shape[-1]
    if fn in ("expm", "sinm", "cosm"):
        # L is linear in e: scale e to the size of a, so that scaling and squaring does not
        # square more often for a large direction than for a itself
        size = float(np.abs(e).sum(axis=0).max(initial=0.0))
        scale = max(float(np.abs(a).sum(axis=0).max(initial=0.0)), 1.0) / size if size else 1.0
        block = np.zeros((2 * n, 2 * n))
        block[:n, :n] = block[n:, n:] = a
        block[:n, n:] = e * scale
        if fn == "expm":
            return expm(block)[:n, n:] / scale
        top = expm(1j * block)[:n, n:] / scale
        return top.real if fn == "cosm" else top.imag
    if fn == "sqrtm":
        r = sqrtm(a)
        k = np.kron(r, np.eye(n)) + np.kron(np.eye(n), r.T)
        return np.linalg.solve(k, e.reshape(n * n)).reshape(n, n)
    if fn == "logm":
        k = _frechet_block(logm(a), "expm").reshape(n * n, n * n)
        return np.linalg.solve(k, e.reshape(n * n)).reshape(n, n)
    raise NotSupportedError(f"no Fréchet derivative for the matrix function {fn!r}")


# spectral derivatives -------------------------------------------------------------------------


def _distinct(values: Any, fn: str, what: str, positive: bool) -> None:
    """DomainError when two of the sorted ``values`` are (nearly) equal, or, with ``positive``,
    when one is (nearly) zero."""
    scale = float(np.max(np.abs(values), initial=0.0))
    gaps = np.abs(np.diff(values))
    if values.size and scale == 0.0:
        raise DomainError(f"{fn}: every {what} is 0 at this point; the derivative does not exist")
    close = np.flatnonzero(gaps <= GAP * scale)
    if close.size:
        i = int(close[0])
        raise DomainError(
            f"{fn}: {what}s {i} and {i + 1} are equal ({values[i]:.6g}) at this point, so the "
            f"{what}s are not differentiable there (they cross); move the point apart"
        )
    if positive and values.size and float(np.min(np.abs(values))) <= GAP * scale:
        raise DomainError(
            f"{fn}: a {what} is 0 at this point, where it is not differentiable (a kink)"
        )


def eigh_vectors(a: Any) -> Any:
    """The eigenvectors (columns, ascending eigenvalues) of the symmetric matrix numpy's
    ``eigvalsh`` reads (its lower triangle); DomainError at a repeated eigenvalue."""
    w, v = np.linalg.eigh(np.asarray(a, dtype=np.float64))
    _distinct(w, "eigvalsh", "eigenvalue", positive=False)
    return v


def lower_weights(a: Any) -> Any:
    """The weights with which ``eigvalsh`` reads the entries of ``a``: 1 on the diagonal, 2 below
    it (``a_pq`` stands for ``a_qp`` too), 0 above it (never read)."""
    n = np.asarray(a).shape[-1]
    return 2.0 * np.tril(np.ones((n, n)), -1) + np.eye(n)


def _svd(a: Any, fn: str, check: str) -> tuple[Any, Any, Any]:
    """The thin SVD with each pair (u_k, v_k) signed so that u_k's largest entry is positive,
    after the check ``distinct`` (svdvals), ``top`` (spectral norm) or ``positive`` (nuclear)."""
    u, s, vh = np.linalg.svd(np.asarray(a, dtype=np.float64), full_matrices=False)
    if check == "distinct":
        _distinct(s, fn, "singular value", positive=True)
    elif check == "top":
        _distinct(s[:2], fn, "singular value", positive=s.size == 1)
        if s.size and s[0] == 0.0:
            raise DomainError(f"{fn}: the matrix is 0, where the norm is not differentiable")
    else:
        _distinct(s[:1], fn, "singular value", positive=False)
        if s.size and float(s[-1]) <= GAP * float(s[0]):
            raise DomainError(
                f"{fn}: the smallest singular value is {s[-1]:.3g}, (nearly) 0: the nuclear norm "
                "is not differentiable at a rank-deficient matrix"
            )
    rows = np.argmax(np.abs(u), axis=0)
    sign = np.where(u[rows, np.arange(u.shape[1])] < 0, -1.0, 1.0)
    return u * sign, s, vh.T * sign


def svd_u(a: Any) -> Any:
    """Left singular vectors (columns) for svdvals' derivative."""
    return _svd(a, "svdvals", "distinct")[0]


def svd_v(a: Any) -> Any:
    """Right singular vectors (columns) for svdvals' derivative."""
    return _svd(a, "svdvals", "distinct")[2]


def top_u(a: Any) -> Any:
    """The left singular vector of the largest singular value (spectral norm's derivative)."""
    return _svd(a, "norm(X, 2)", "top")[0][:, 0]


def top_v(a: Any) -> Any:
    """The right singular vector of the largest singular value."""
    return _svd(a, "norm(X, 2)", "top")[2][:, 0]


def polar(a: Any) -> Any:
    """``U Vᵀ`` from the thin SVD: the nuclear norm's derivative (DomainError when a singular
    value is 0)."""
    u, _, v = _svd(a, "norm(X, 'nuc')", "positive")
    return u @ v.T


def kink_sign(x: Any) -> Any:
    """``sign(x)``, the 1-norm's derivative; DomainError where an entry is 0 (a kink)."""
    x = np.asarray(x, dtype=np.float64)
    scale = float(np.max(np.abs(x), initial=0.0))
    small = np.flatnonzero(np.abs(x) <= GAP * scale)
    if scale == 0.0 or small.size:
        i = int(small[0]) if small.size else 0
        raise DomainError(
            f"norm(x, 1): entry {i} of x is 0 at this point, where |x_{i}| has a kink: the "
            "1-norm is not differentiable there"
        )
    return np.sign(x)


def max_sign(x: Any) -> Any:
    """``sign(x_k) e_k`` for the entry k of largest |x_k|, the ∞-norm's derivative;
    DomainError when two entries tie for the largest |x_k| or when x is 0."""
    x = np.asarray(x, dtype=np.float64)
    mag = np.abs(x)
    k = int(np.argmax(mag)) if mag.size else 0
    top = float(mag[k]) if mag.size else 0.0
    ties = np.flatnonzero(mag >= top * (1 - GAP))
    if top == 0.0 or ties.size > 1:
        which = ", ".join(str(int(i)) for i in ties[:4])
        raise DomainError(
            f"norm(x, inf): entries {which} tie for the largest |x_k| = {top:.6g} at this point, "
            "where the ∞-norm (a maximum) is not differentiable"
        )
    out = np.zeros_like(x)
    out[k] = np.sign(x[k])
    return out
