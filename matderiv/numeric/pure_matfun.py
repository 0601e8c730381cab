"""Matrix functions and their Fréchet derivatives in plain Python, for the pure-Python backend.

The same algorithms as the numpy kernels (:mod:`matderiv.language.kernels`), step by step, so
that both backends agree to rounding and raise the same :class:`DomainError` at the same points:

- ``expm`` by scaling and squaring with the degree-13 Padé approximant (Higham 2005), for real
  and complex matrices (Python's ``complex`` does the complex arithmetic);
- ``sinm``/``cosm`` as the imaginary and real parts of ``expm(iX)``;
- ``sqrtm`` by the scaled Denman–Beavers iteration in product form, then one Newton step;
- ``logm`` by inverse scaling and squaring: square roots until ``X^(1/2^k)`` is near ``I``, then
  ``log(I + A) = ∫₀¹ A (I + tA)⁻¹ dt`` by 12-point Gauss–Legendre quadrature;
- the Fréchet derivatives ``L[i, j, p, q] = ∂f(X)_ij / ∂X_pq``: the block-triangular identity
  ``f([[X, E], [0, X]]) = [[f(X), L_f(X, E)], [0, f(X)]]`` for expm, sinm and cosm (one 2n×2n
  matrix per ``E = e_p e_qᵀ``), the Sylvester equation ``R L + L R = E`` for sqrtm, and the
  inverse of expm's Fréchet derivative at ``logm(X)`` for logm.

The domain check of sqrtm and logm needs the eigenvalues of a general real matrix:
:func:`eigvals` computes them by the shifted QR algorithm in complex arithmetic (Householder
reflections, Wilkinson shifts, deflation from the bottom). Matrices are lists of rows here; the
functions that :data:`~matderiv.numeric.pure_linalg.LINALG` exposes take and return
:class:`~matderiv.numeric.pure_arrays.Tensor`. Sizes are small (n ≤ 4, so 2n ≤ 8), and the
loops are plain.
"""

from __future__ import annotations

import cmath
import math
from functools import lru_cache
from typing import Any

from ..errors import DomainError, NotSupportedError
from ..language.matconst import GAP, PADE13, THETA13
from .pure_arrays import Tensor

__all__ = [
    "GAP",
    "cosm",
    "eigvals",
    "expm",
    "frechet",
    "frechet_apply",
    "logm",
    "sinm",
    "solve",
    "sqrtm",
]

Mat = list[list[Any]]  # rows of floats or complex numbers


# small dense matrices -------------------------------------------------------------------------


def rows_of(t: Tensor, fn: str) -> Mat:
    """The rows of a square matrix (NotSupportedError otherwise, as the numpy kernels)."""
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise NotSupportedError(f"{fn} needs a square matrix, got shape {t.shape}")
    n = t.shape[0]
    return [[float(v) for v in t.data[r * n : (r + 1) * n]] for r in range(n)]


def tensor_of(m: Mat) -> Tensor:
    return Tensor((len(m), len(m[0]) if m else 0), [float(v) for row in m for v in row])


def eye(n: int) -> Mat:
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


def mm(a: Mat, b: Mat) -> Mat:
    cols = list(zip(*b, strict=True))
    return [[sum(x * y for x, y in zip(row, col, strict=True)) for col in cols] for row in a]


def lin(ca: Any, a: Mat, cb: Any = 0.0, b: Mat | None = None) -> Mat:
    """``ca a + cb b``."""
    if b is None:
        return [[ca * x for x in row] for row in a]
    return [
        [ca * x + cb * y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)
    ]


def norm1(a: Mat) -> float:
    """The 1-norm: the largest column sum of absolute values."""
    return max((sum(abs(row[j]) for row in a) for j in range(len(a))), default=0.0)


def _lu(a: Mat, b: Mat) -> tuple[Mat, Any]:
    """Solve ``a x = b`` by Gaussian elimination with partial pivoting: ``(x, det a)``;
    DomainError when ``a`` is singular (numpy's ``solve`` raises too)."""
    n = len(a)
    m = [list(ra) + list(rb) for ra, rb in zip(a, b, strict=True)]
    det: Any = 1.0
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        if m[p][c] == 0:
            raise DomainError("the matrix is singular at this point")
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        pivot = m[c][c]
        det *= pivot
        for r in range(c + 1, n):
            k = m[r][c] / pivot
            if k != 0:
                m[r] = [x - k * y for x, y in zip(m[r], m[c], strict=True)]
    x: Mat = [[] for _ in range(n)]
    for r in range(n - 1, -1, -1):
        row = m[r][n:]
        for c in range(r + 1, n):
            row = [v - m[r][c] * w for v, w in zip(row, x[c], strict=True)]
        x[r] = [v / m[r][r] for v in row]
    return x, det


def solve(a: Mat, b: Mat) -> Mat:
    return _lu(a, b)[0]


def inv(a: Mat) -> Mat:
    return solve(a, eye(len(a)))


def det(a: Mat) -> Any:
    return _lu(a, [[] for _ in a])[1]


# the matrix exponential, sine and cosine ------------------------------------------------------


def _expm(a: Mat) -> Mat:
    """Scaling and squaring with the [13/13] Padé approximant (``kernels.expm``)."""
    n = len(a)
    norm = norm1(a)
    s = max(0, math.ceil(math.log2(max(norm, 1e-300) / THETA13)))
    x = lin(1.0 / 2.0**s, a)
    b, i = PADE13, eye(n)
    x2 = mm(x, x)
    x4 = mm(x2, x2)
    x6 = mm(x4, x2)

    def poly(c6: float, c4: float, c2: float, c0: float) -> Mat:
        return lin(1.0, lin(c6, x6, c4, x4), 1.0, lin(c2, x2, c0, i))

    u = mm(x, lin(1.0, mm(x6, poly(b[13], b[11], b[9], 0.0)), 1.0, poly(b[7], b[5], b[3], b[1])))
    v = lin(1.0, mm(x6, poly(b[12], b[10], b[8], 0.0)), 1.0, poly(b[6], b[4], b[2], b[0]))
    r = solve(lin(1.0, v, -1.0, u), lin(1.0, v, 1.0, u))
    for _ in range(s):
        r = mm(r, r)
    return r


def _trig(a: Mat, part: str) -> Mat:
    e = _expm(lin(1j, a))
    return [[(z.real if part == "cos" else z.imag) for z in row] for row in e]


def expm(t: Tensor) -> Tensor:
    return tensor_of(_expm(rows_of(t, "expm")))


def sinm(t: Tensor) -> Tensor:
    return tensor_of(_trig(rows_of(t, "sinm"), "sin"))


def cosm(t: Tensor) -> Tensor:
    return tensor_of(_trig(rows_of(t, "cosm"), "cos"))


# eigenvalues of a general matrix (for the domain check) ---------------------------------------


def _householder_q(b: Mat) -> Mat:
    """The unitary Q of a QR factorisation of ``b``, by Householder reflections."""
    n = len(b)
    r = [list(row) for row in b]
    q: Mat = [[complex(v) for v in row] for row in eye(n)]
    for k in range(n - 1):
        x = [r[i][k] for i in range(k, n)]
        alpha = math.sqrt(sum(abs(v) ** 2 for v in x))
        if alpha == 0.0:
            continue
        phase = x[0] / abs(x[0]) if x[0] != 0 else 1.0
        v = list(x)
        v[0] += phase * alpha
        vv = sum(abs(c) ** 2 for c in v)
        # apply H = I - 2 v v* / (v* v) to r from the left and to q from the right
        for j in range(n):
            s = sum(v[i].conjugate() * r[k + i][j] for i in range(len(v))) * 2 / vv
            for i in range(len(v)):
                r[k + i][j] -= s * v[i]
        for i in range(n):
            s = sum(q[i][k + j] * v[j] for j in range(len(v))) * 2 / vv
            for j in range(len(v)):
                q[i][k + j] -= s * v[j].conjugate()
    return q


def eigvals(a: Mat) -> list[complex]:
    """The eigenvalues of a square matrix by the shifted QR algorithm (complex arithmetic)."""
    h: Mat = [[complex(v) for v in row] for row in a]
    out: list[complex] = []
    scale = max(norm1(h), 1e-300)
    m, steps = len(h), 0
    while m > 0:
        if m == 1 or all(abs(h[m - 1][j]) <= 1e-16 * scale for j in range(m - 1)):
            out.append(h[m - 1][m - 1])
            m, steps = m - 1, 0
            h = [row[:m] for row in h[:m]]
            continue
        a_, b_, c_, d_ = h[m - 2][m - 2], h[m - 2][m - 1], h[m - 1][m - 2], h[m - 1][m - 1]
        root = cmath.sqrt((a_ - d_) ** 2 / 4 + b_ * c_)
        mu = min(((a_ + d_) / 2 + root, (a_ + d_) / 2 - root), key=lambda z: abs(z - d_))
        if steps and steps % 10 == 0:  # an exceptional shift breaks a cycle
            mu += abs(h[m - 1][m - 2]) * (0.75 + 0.5j)
        if steps > 300:  # the last row did not converge: take what it holds
            out.append(h[m - 1][m - 1])
            m, steps = m - 1, 0
            h = [row[:m] for row in h[:m]]
            continue
        q = _householder_q(
            [[v - (mu if i == j else 0) for j, v in enumerate(row)] for i, row in enumerate(h)]
        )
        qh = [[q[j][i].conjugate() for j in range(m)] for i in range(m)]
        h = mm(qh, mm(h, q))
        steps += 1
    return out[::-1]


def _check_spectrum(a: Mat, fn: str) -> None:
    """DomainError when an eigenvalue of ``a`` lies on the closed negative real axis
    (``kernels._check_spectrum``)."""
    if not all(math.isfinite(v) for row in a for v in row):
        return  # the evaluator reports the non-finite result
    lam = eigvals(a)
    scale = max((abs(z) for z in lam), default=0.0)
    bad = [z for z in lam if abs(z.imag) <= GAP * scale and z.real <= GAP * scale]
    if scale == 0.0 or bad:
        worst = bad[0] if bad else 0.0
        raise DomainError(
            f"{fn}: the matrix has the eigenvalue {complex(worst):.6g} on the closed negative "
            "real axis, where the principal matrix function is not defined or not "
            "differentiable; its eigenvalues must lie off (-inf, 0]"
        )


# the square root and the logarithm ------------------------------------------------------------


def _sqrtm(a: Mat) -> Mat:
    """The scaled Denman–Beavers iteration in product form (``kernels._sqrtm``)."""
    n = len(a)
    i = eye(n)
    m, y = a, a
    for _ in range(100):
        minv = inv(m)
        mu = abs(det(m)) ** (-1.0 / (2 * n))
        y = lin(0.5 * mu, mm(y, lin(1.0, i, 1.0 / mu**2, minv)))
        m = lin(0.5, i, 0.25, lin(mu**2, m, 1.0 / mu**2, minv))
        if norm1(lin(1.0, m, -1.0, i)) <= 1e-15 * n:
            break
    return lin(0.5, y, 0.5, solve(y, a))


def sqrtm(t: Tensor) -> Tensor:
    a = rows_of(t, "sqrtm")
    _check_spectrum(a, "sqrtm")
    return tensor_of(_sqrtm(a))


@lru_cache(maxsize=1)
def _gauss_legendre(m: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The m-point Gauss–Legendre rule on [0, 1]: the roots of P_m by Newton's method."""
    nodes, weights = [], []
    for k in range(1, m + 1):
        x = math.cos(math.pi * (k - 0.25) / (m + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for j in range(2, m + 1):
                p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
            dp = m * (x * p1 - p0) / (x * x - 1)
            step = p1 / dp
            x -= step
            if abs(step) < 1e-16:
                break
        nodes.append((x + 1) / 2)
        weights.append(1.0 / ((1 - x * x) * dp * dp))  # 2 / ((1 - x²) P'²), halved for [0, 1]
    return tuple(nodes[::-1]), tuple(weights[::-1])


def _logm(a: Mat) -> Mat:
    n, i = len(a), eye(len(a))
    y, k = a, 0
    while norm1(lin(1.0, y, -1.0, i)) > 0.25 and k < 64:
        y, k = _sqrtm(y), k + 1
    d = lin(1.0, y, -1.0, i)
    out = [[0.0] * n for _ in range(n)]
    for t, w in zip(*_gauss_legendre(12), strict=True):
        out = lin(1.0, out, w, solve(lin(1.0, i, t, d), d))
    return lin(2.0**k, out)


def logm(t: Tensor) -> Tensor:
    a = rows_of(t, "logm")
    _check_spectrum(a, "logm")
    return tensor_of(_logm(a))


# Fréchet derivatives --------------------------------------------------------------------------


def _block(a: Mat, e: Mat, fn: str) -> Mat:
    """The top right block of ``fn([[a, e], [0, a]])``: L_fn(a, e) for expm, sinm, cosm."""
    n = len(a)
    big = [ra + re for ra, re in zip(a, e, strict=True)]
    big += [[0.0] * n + list(ra) for ra in a]
    f = _expm(big) if fn == "expm" else _trig(big, "cos" if fn == "cosm" else "sin")
    return [row[n:] for row in f[:n]]


def _tensor4(n: int, entry: Any) -> Tensor:
    return Tensor(
        (n, n, n, n),
        [
            float(entry(i, j, p, q))
            for i in range(n)
            for j in range(n)
            for p in range(n)
            for q in range(n)
        ],
    )


def _unit(n: int, p: int, q: int) -> Mat:
    return [[1.0 if (r, c) == (p, q) else 0.0 for c in range(n)] for r in range(n)]


def _block_all(a: Mat, fn: str) -> dict[tuple[int, int], Mat]:
    n = len(a)
    return {(p, q): _block(a, _unit(n, p, q), fn) for p in range(n) for q in range(n)}


def _kron(a: Mat, b: Mat) -> Mat:
    n, m = len(a), len(b)
    return [[a[r // m][c // m] * b[r % m][c % m] for c in range(n * m)] for r in range(n * m)]


def _sylvester_operator(a: Mat, fn: str) -> Mat:
    """The n²×n² matrix K with vec(L_fn(a, E)) = K⁻¹ vec(E) (row-major) for sqrtm and logm."""
    n = len(a)
    if fn == "sqrtm":
        _check_spectrum(a, "sqrtm")
        r = _sqrtm(a)
        rt = [list(col) for col in zip(*r, strict=True)]
        return lin(1.0, _kron(r, eye(n)), 1.0, _kron(eye(n), rt))
    _check_spectrum(a, "logm")
    blocks = _block_all(_logm(a), "expm")
    return [
        [blocks[p, q][i][j] for p in range(n) for q in range(n)] for i in range(n) for j in range(n)
    ]


def frechet(fn: str, t: Tensor) -> Tensor:
    """``L[i, j, p, q] = ∂fn(a)_ij / ∂a_pq`` (``kernels.frechet``)."""
    a = rows_of(t, f"the derivative of {fn}")
    n = len(a)
    if fn in ("expm", "sinm", "cosm"):
        blocks = _block_all(a, fn)
        return _tensor4(n, lambda i, j, p, q: blocks[p, q][i][j])
    if fn in ("sqrtm", "logm"):
        k = inv(_sylvester_operator(a, fn))
        return _tensor4(n, lambda i, j, p, q: k[i * n + j][p * n + q])
    raise NotSupportedError(f"no Fréchet derivative for the matrix function {fn!r}")


def frechet_apply(fn: str, t: Tensor, direction: Tensor) -> Tensor:
    """``L_fn(a, e) = Σ_pq L[:, :, p, q] e_pq``, an n×n matrix (``kernels.frechet_apply``)."""
    a = rows_of(t, f"the derivative of {fn}")
    n = len(a)
    if direction.shape != t.shape:
        raise NotSupportedError(
            f"{fn}_frechet(X, E): E has shape {direction.shape}, X has {t.shape}"
        )
    e = [list(direction.data[r * n : (r + 1) * n]) for r in range(n)]
    if fn in ("expm", "sinm", "cosm"):
        size = norm1(e)  # scaled to the size of a, as the numpy kernel
        scale = max(norm1(a), 1.0) / size if size else 1.0
        return tensor_of(lin(1.0 / scale, _block(a, lin(scale, e), fn)))
    if fn in ("sqrtm", "logm"):
        x = solve(_sylvester_operator(a, fn), [[v] for row in e for v in row])
        return Tensor((n, n), [float(v[0]) for v in x])
    raise NotSupportedError(f"no Fréchet derivative for the matrix function {fn!r}")
