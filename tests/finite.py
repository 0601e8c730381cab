"""Central finite differences in plain numpy, independent of matderiv."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


def central_jacobian(
    fun: Callable[..., Any], arrays: Mapping[str, Any], wrt: str, h: float = 1e-6
) -> np.ndarray:
    """``D[i…, p…] = ∂fun[i…]/∂arrays[wrt][p…]`` (tensor layout) by central differences."""
    x = np.asarray(arrays[wrt], dtype=np.float64)
    out_shape = np.shape(fun(**arrays))
    jac = np.zeros(out_shape + x.shape)
    for p in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[p] += h
        down[p] -= h
        diff = np.asarray(fun(**{**arrays, wrt: up})) - np.asarray(fun(**{**arrays, wrt: down}))
        jac[(Ellipsis, *p)] = diff / (2 * h)
    return jac
