"""Spectral functions and the factors of their derivatives in plain Python, for the pure-Python
backend: what :mod:`matderiv.language.kernels` and numpy's ``eigvalsh``, ``svd`` and ``norm``
compute, with the same DomainError at the same degenerate points.

- eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method (read from the
  lower triangle, as numpy's ``eigvalsh``), ascending;
- the thin SVD by one-sided Jacobi (Hestenes) rotations, which keeps small singular values
  accurate (the square roots of the eigenvalues of XᵀX would not), descending, each pair
  (u_k, v_k) signed so that u_k's largest entry is positive, as the numpy kernels sign it;
- the norms ``norm(X, 2)``, ``norm(X, 'nuc')``, ``norm(x, 1)``, ``norm(x, inf)`` and the factors
  of their derivatives (``top_u``, ``top_v``, ``polar``, ``kink_sign``, ``max_sign``).
"""

from __future__ import annotations

import math

from ..errors import DomainError
from .pure_arrays import Tensor
from .pure_matfun import GAP, Mat, rows_of

__all__ = [
    "eigh",
    "eigh_vectors",
    "eigvalsh",
    "kink_sign",
    "lower_weights",
    "max_sign",
    "norm_1",
    "norm_2",
    "norm_inf",
    "norm_nuc",
    "polar",
    "svd",
    "svd_u",
    "svd_v",
    "svdvals",
    "top_u",
    "top_v",
]

_EPS = 2.220446049250313e-16


def _columns_signed(cols: list[list[float]]) -> list[float]:
    """+1 or -1 per column: the sign that makes its largest |entry| (the first one) positive."""
    out = []
    for c in cols:
        k = max(range(len(c)), key=lambda i: abs(c[i])) if c else 0
        out.append(-1.0 if c and c[k] < 0 else 1.0)
    return out


def eigh(t: Tensor) -> tuple[list[float], list[list[float]]]:
    """The eigenvalues (ascending) and eigenvectors (as a list of columns) of the symmetric
    matrix that the lower triangle of ``t`` holds, by the cyclic Jacobi method."""
    a = rows_of(t, "eigvalsh")
    n = len(a)
    a = [[a[max(i, j)][min(i, j)] for j in range(n)] for i in range(n)]
    v = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    fro = math.sqrt(sum(x * x for row in a for x in row))
    for _ in range(100):
        off = math.sqrt(sum(a[i][j] ** 2 for i in range(n) for j in range(n) if i != j))
        if off <= _EPS * 1e-3 * fro or off == 0.0:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                if a[p][q] == 0.0:
                    continue
                theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                tan = math.copysign(1.0, theta) / (abs(theta) + math.hypot(theta, 1.0))
                c = 1.0 / math.hypot(tan, 1.0)
                s = tan * c
                for k in range(n):  # columns p, q of A J
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):  # rows p, q of Jᵀ (A J)
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(n):
                    vkp, vkq = v[k][p], v[k][q]
                    v[k][p], v[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
    order = sorted(range(n), key=lambda k: a[k][k])
    cols = [[v[i][k] for i in range(n)] for k in order]
    signs = _columns_signed(cols)
    return [a[k][k] for k in order], [[s * x for x in c] for s, c in zip(signs, cols, strict=True)]


def _distinct(values: list[float], fn: str, what: str, positive: bool) -> None:
    """As ``kernels._distinct``: DomainError when two of the sorted values are (nearly) equal,
    or, with ``positive``, when one is (nearly) zero."""
    scale = max((abs(x) for x in values), default=0.0)
    if values and scale == 0.0:
        raise DomainError(f"{fn}: every {what} is 0 at this point; the derivative does not exist")
    for i in range(len(values) - 1):
        if abs(values[i + 1] - values[i]) <= GAP * scale:
            raise DomainError(
                f"{fn}: {what}s {i} and {i + 1} are equal ({values[i]:.6g}) at this point, so "
                f"the {what}s are not differentiable there (they cross); move the point apart"
            )
    if positive and values and min(abs(x) for x in values) <= GAP * scale:
        raise DomainError(
            f"{fn}: a {what} is 0 at this point, where it is not differentiable (a kink)"
        )


def _matrix(t: Tensor) -> Mat:
    m, n = t.shape
    return [[float(x) for x in t.data[r * n : (r + 1) * n]] for r in range(m)]


def svd(t: Tensor) -> tuple[list[list[float]], list[float], list[list[float]]]:
    """The thin SVD of an m×n matrix: (columns u_k, σ descending, columns v_k), k < min(m, n),
    by one-sided Jacobi rotations of the columns (of Xᵀ when m < n)."""
    a = _matrix(t)
    m, n = t.shape
    tall = m >= n
    if not tall:
        a = [list(col) for col in zip(*a, strict=True)]
        m, n = n, m
    cols = [[a[i][j] for i in range(m)] for j in range(n)]
    vcols = [[1.0 if i == j else 0.0 for i in range(n)] for j in range(n)]
    for _ in range(100):
        rotated = False
        for p in range(n - 1):
            for q in range(p + 1, n):
                up, uq = cols[p], cols[q]
                alpha = sum(x * x for x in up)
                beta = sum(x * x for x in uq)
                gamma = sum(x * y for x, y in zip(up, uq, strict=True))
                if gamma == 0.0 or abs(gamma) <= _EPS * math.sqrt(alpha * beta):
                    continue
                rotated = True
                zeta = (beta - alpha) / (2 * gamma)
                tan = math.copysign(1.0, zeta) / (abs(zeta) + math.hypot(zeta, 1.0))
                c = 1.0 / math.hypot(tan, 1.0)
                s = c * tan
                for w in (cols, vcols):
                    wp, wq = w[p], w[q]
                    w[p] = [c * x - s * y for x, y in zip(wp, wq, strict=True)]
                    w[q] = [s * x + c * y for x, y in zip(wp, wq, strict=True)]
        if not rotated:
            break
    sigma = [math.sqrt(sum(x * x for x in c)) for c in cols]
    order = sorted(range(n), key=lambda k: -sigma[k])
    s_sorted = [sigma[k] for k in order]
    u = [[x / sigma[k] if sigma[k] else 0.0 for x in cols[k]] for k in order]
    v = [vcols[k] for k in order]
    if not tall:
        u, v = v, u
    signs = _columns_signed(u)
    u = [[sg * x for x in c] for sg, c in zip(signs, u, strict=True)]
    v = [[sg * x for x in c] for sg, c in zip(signs, v, strict=True)]
    return u, s_sorted, v


def _as_matrix(columns: list[list[float]], rows: int) -> Tensor:
    """Columns as the rows×len(columns) matrix."""
    return Tensor((rows, len(columns)), [c[i] for i in range(rows) for c in columns])


def _checked_svd(
    t: Tensor, fn: str, check: str
) -> tuple[list[list[float]], list[float], list[list[float]]]:
    """The thin SVD after the check ``kernels._svd`` makes: ``distinct`` (svdvals), ``top``
    (spectral norm) or ``positive`` (nuclear norm)."""
    u, s, v = svd(t)
    if check == "distinct":
        _distinct(s, fn, "singular value", positive=True)
    elif check == "top":
        _distinct(s[:2], fn, "singular value", positive=len(s) == 1)
        if s and s[0] == 0.0:
            raise DomainError(f"{fn}: the matrix is 0, where the norm is not differentiable")
    else:
        _distinct(s[:1], fn, "singular value", positive=False)
        if s and s[-1] <= GAP * s[0]:
            raise DomainError(
                f"{fn}: the smallest singular value is {s[-1]:.3g}, (nearly) 0: the nuclear norm "
                "is not differentiable at a rank-deficient matrix"
            )
    return u, s, v


# the functions --------------------------------------------------------------------------------


def eigvalsh(t: Tensor) -> Tensor:
    values, _ = eigh(t)
    return Tensor((len(values),), values)


def svdvals(t: Tensor) -> Tensor:
    s = svd(t)[1]
    return Tensor((len(s),), s)


def norm_2(t: Tensor) -> Tensor:
    return Tensor((), [max(svd(t)[1], default=0.0)])


def norm_nuc(t: Tensor) -> Tensor:
    return Tensor((), [sum(svd(t)[1])])


def norm_1(t: Tensor) -> Tensor:
    return Tensor((), [sum(abs(x) for x in t.data)])


def norm_inf(t: Tensor) -> Tensor:
    return Tensor((), [max((abs(x) for x in t.data), default=0.0)])


# the factors of the derivatives ---------------------------------------------------------------


def eigh_vectors(t: Tensor) -> Tensor:
    values, cols = eigh(t)
    _distinct(values, "eigvalsh", "eigenvalue", positive=False)
    return _as_matrix(cols, len(values))


def lower_weights(t: Tensor) -> Tensor:
    n = t.shape[-1]
    return Tensor(
        (n, n), [2.0 if i > j else 1.0 if i == j else 0.0 for i in range(n) for j in range(n)]
    )


def svd_u(t: Tensor) -> Tensor:
    u, _, _ = _checked_svd(t, "svdvals", "distinct")
    return _as_matrix(u, t.shape[0])


def svd_v(t: Tensor) -> Tensor:
    _, _, v = _checked_svd(t, "svdvals", "distinct")
    return _as_matrix(v, t.shape[1])


def top_u(t: Tensor) -> Tensor:
    u, _, _ = _checked_svd(t, "norm(X, 2)", "top")
    return Tensor((t.shape[0],), list(u[0]))


def top_v(t: Tensor) -> Tensor:
    _, _, v = _checked_svd(t, "norm(X, 2)", "top")
    return Tensor((t.shape[1],), list(v[0]))


def polar(t: Tensor) -> Tensor:
    """``U Vᵀ`` from the thin SVD (DomainError when a singular value is 0)."""
    u, _, v = _checked_svd(t, "norm(X, 'nuc')", "positive")
    m, n = t.shape
    data = [
        sum(uk[i] * vk[j] for uk, vk in zip(u, v, strict=True)) for i in range(m) for j in range(n)
    ]
    return Tensor((m, n), data)


def kink_sign(t: Tensor) -> Tensor:
    """``sign(x)``; DomainError where an entry is 0 (``kernels.kink_sign``)."""
    scale = max((abs(x) for x in t.data), default=0.0)
    small = [i for i, x in enumerate(t.data) if abs(x) <= GAP * scale]
    if scale == 0.0 or small:
        i = small[0] if small else 0
        raise DomainError(
            f"norm(x, 1): entry {i} of x is 0 at this point, where |x_{i}| has a kink: the "
            "1-norm is not differentiable there"
        )
    return Tensor(t.shape, [math.copysign(1.0, x) for x in t.data])


def max_sign(t: Tensor) -> Tensor:
    """``sign(x_k) e_k`` for the entry k of largest |x_k| (``kernels.max_sign``)."""
    mag = [abs(x) for x in t.data]
    k = max(range(len(mag)), key=lambda i: (mag[i], -i)) if mag else 0
    top = mag[k] if mag else 0.0
    ties = [i for i, x in enumerate(mag) if x >= top * (1 - GAP)]
    if top == 0.0 or len(ties) > 1:
        which = ", ".join(str(i) for i in ties[:4])
        raise DomainError(
            f"norm(x, inf): entries {which} tie for the largest |x_k| = {top:.6g} at this point, "
            "where the ∞-norm (a maximum) is not differentiable"
        )
    data = [0.0] * len(mag)
    data[k] = math.copysign(1.0, t.data[k])
    return Tensor(t.shape, data)
