"""Linear algebra in plain Python for the pure-Python backend: determinant, inverse and
log-determinant by Gauss-Jordan elimination with partial pivoting (fine at the sizes the backend
accepts), and :data:`LINALG`, what a ``Unary`` declaration's ``pure(la, a)`` receives as ``la``:
these, the matrix functions and their Fréchet derivatives (:mod:`~.pure_matfun`), and the
spectral functions and their derivatives' factors (:mod:`~.pure_spectral`).
"""

from __future__ import annotations

import math

from ..errors import DomainError, ShapeError
from . import pure_matfun as mfun
from . import pure_spectral as spec
from .pure_arrays import Tensor, diag, transpose

__all__ = ["LINALG", "det", "inv", "logdet"]


def _rows(t: Tensor, what: str) -> list[list[float]]:
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ShapeError(f"{what} needs a square matrix, got shape {t.shape}")
    n = t.shape[0]
    return [t.data[r * n : (r + 1) * n] for r in range(n)]


def _eliminate(rows: list[list[float]], right: list[list[float]]) -> float:
    """Gauss-Jordan with partial pivoting on ``rows`` (in place), applied to ``right`` too;
    returns the determinant (0.0 when a pivot vanishes, leaving the rest undone)."""
    n, det = len(rows), 1.0
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(rows[r][c]))
        if rows[p][c] == 0.0:
            return 0.0
        if p != c:
            rows[c], rows[p], right[c], right[p] = rows[p], rows[c], right[p], right[c]
            det = -det
        pivot = rows[c][c]
        det *= pivot
        rows[c] = [v / pivot for v in rows[c]]
        right[c] = [v / pivot for v in right[c]]
        for r in range(n):
            if r != c and rows[r][c] != 0.0:
                k = rows[r][c]
                rows[r] = [v - k * w for v, w in zip(rows[r], rows[c], strict=True)]
                right[r] = [v - k * w for v, w in zip(right[r], right[c], strict=True)]
    return det


def det(t: Tensor) -> float:
    rows = _rows(t, "det")
    return _eliminate(rows, [[] for _ in rows])


def logdet(t: Tensor) -> float:
    """``log |det|``, as ``np.linalg.slogdet(a)[1]``."""
    d = abs(det(t))
    return -math.inf if d == 0.0 else math.log(d)


def inv(t: Tensor) -> Tensor:
    rows = _rows(t, "inv")
    n = len(rows)
    right = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    if _eliminate(rows, right) == 0.0:
        raise DomainError("inv: the matrix is singular at this point")
    return Tensor((n, n), [v for row in right for v in row])


class _Linalg:
    """What a ``Unary`` declaration's ``pure(la, a)`` receives as ``la``."""

    det = staticmethod(lambda t: Tensor((), [det(t)]))
    logdet = staticmethod(lambda t: Tensor((), [logdet(t)]))
    inv = staticmethod(inv)
    diag = staticmethod(diag)

    @staticmethod
    def trace(t: Tensor) -> Tensor:
        return Tensor((), [sum(diag(t).data)])

    @staticmethod
    def norm(t: Tensor) -> Tensor:
        return Tensor((), [math.sqrt(sum(v * v for v in t.data))])

    # matrix functions (pure_matfun) and spectral functions (pure_spectral)
    expm = staticmethod(mfun.expm)
    logm = staticmethod(mfun.logm)
    sqrtm = staticmethod(mfun.sqrtm)
    sinm = staticmethod(mfun.sinm)
    cosm = staticmethod(mfun.cosm)
    frechet = staticmethod(mfun.frechet)
    frechet_apply = staticmethod(mfun.frechet_apply)
    eigvalsh = staticmethod(spec.eigvalsh)
    svdvals = staticmethod(spec.svdvals)
    norm_2 = staticmethod(spec.norm_2)
    norm_nuc = staticmethod(spec.norm_nuc)
    norm_1 = staticmethod(spec.norm_1)
    norm_inf = staticmethod(spec.norm_inf)
    eigh_vectors = staticmethod(spec.eigh_vectors)
    lower_weights = staticmethod(spec.lower_weights)
    svd_u = staticmethod(spec.svd_u)
    svd_v = staticmethod(spec.svd_v)
    top_u = staticmethod(spec.top_u)
    top_v = staticmethod(spec.top_v)
    polar = staticmethod(spec.polar)
    kink_sign = staticmethod(spec.kink_sign)
    max_sign = staticmethod(spec.max_sign)

    @staticmethod
    def vec(t: Tensor) -> Tensor:
        """Column-major flattening (numpy's ``order="F"``)."""
        return Tensor((t.size,), transpose(t).data)


LINALG = _Linalg()
