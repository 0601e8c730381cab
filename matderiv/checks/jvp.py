"""The numerical JVP: the derivative of f along one direction, by finite differences.

Central differences at two step sizes h and h/2, extrapolated (Richardson) to O(h⁴); the
difference of the two central differences bounds the remaining error from above, so a comparison
can widen its tolerance where f is rough instead of raising a false alarm. Each JVP costs
:data:`EVALUATIONS_PER_JVP` evaluations of f.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..numeric.evaluation import Array

__all__ = ["EVALUATIONS_PER_JVP", "Fn", "numerical_jvp", "step_scale"]

#: A function of keyword arrays, as the checks call f and the claimed derivative.
Fn = Callable[..., Any]

#: Evaluations of f per numerical JVP: f(x ± h v) and f(x ± h/2 v).
EVALUATIONS_PER_JVP = 4

#: The larger step, relative to :func:`step_scale`.
RELATIVE_STEP = 1e-3


def step_scale(x0: Array) -> float:
    """The size the steps are relative to: the largest entry of ``x0`` in magnitude, at least 1.

    >>> step_scale(np.array([0.5, -3.0]))
    3.0
    >>> step_scale(np.zeros(2))
    1.0
    """
    return max(1.0, float(np.max(np.abs(x0), initial=0.0)))


def numerical_jvp(
    f: Fn, point: Mapping[str, Any], wrt: str, direction: Array, scale: float
) -> tuple[Array, Array]:
    """``∂f/∂wrt`` applied to ``direction`` at ``point``, and a bound on that value's error.

    Parameters
    ----------
    f : callable
        Takes the arrays of ``point`` as keywords.
    point : dict of arrays
        Where to differentiate; ``point[wrt]`` is moved along ``direction``, the rest is fixed.
    wrt : str
        The variable.
    direction : array
        Same shape as ``point[wrt]``.
    scale : float
        The steps are ``1e-3 * scale`` and half of it (see :func:`step_scale`).

    Returns
    -------
    (jvp, error) : tuple of arrays
        Both of f's output shape: the Richardson extrapolation of the two central differences,
        and the magnitude of their difference, an upper bound (conservative) of its error.

    Examples
    --------
    >>> f = lambda x: np.array([x[0] ** 3, x[0] * x[1]])
    >>> jvp, error = numerical_jvp(f, {"x": np.array([2.0, 3.0])}, "x", np.array([1.0, 0.0]), 1)
    >>> np.allclose(jvp, [12.0, 3.0]), bool(np.all(error < 1e-5))
    (True, True)
    """
    x0 = point[wrt]

    def central(step: float) -> Array:
        plus, minus = dict(point), dict(point)
        plus[wrt] = x0 + step * direction
        minus[wrt] = x0 - step * direction
        diff: Array = np.asarray(f(**plus), dtype=np.float64) - np.asarray(f(**minus))
        return diff / (2 * step)

    h = RELATIVE_STEP * scale
    c1, c2 = central(h), central(h / 2)
    # Richardson's extrapolation; |c1 - c2| bounds its error from above (conservatively)
    return (4 * c2 - c1) / 3, np.abs(c2 - c1)
