"""The numeric comparisons of a claimed derivative with finite differences.

- :func:`evaluate_claim`: f and the claimed derivative at the point, the claim read in the tensor
  layout (``D[i..., p...] = ∂f[i...]/∂wrt[p...]``) and its shape checked.
- :func:`full_comparison`: the whole Jacobian, one numerical JVP per entry of the variable.
- :func:`directional_comparison`: ⟨D, v⟩ along a few random directions v, plus an adjoint test
  ⟨u, D v⟩ = ⟨Dᵀ u, v⟩ for tensor-valued maps; a handful of JVPs whatever the size.
- :func:`judge`: the verdict on either comparison, a :class:`Report` or a loud error.

The two comparisons produce the same thing, a :class:`Comparison` (analytic values, numeric
values and the numeric error bound, entry by entry), so one judge rules on both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import DomainError, NotSupportedError, ShapeError
from ..numeric.evaluation import Array
from ..numeric.layout import to_tensor
from .jvp import EVALUATIONS_PER_JVP, numerical_jvp, step_scale
from .report import Report
from .resolve import Inputs, Method
from .structure import claim_structure_error, free_entries, random_direction, weights

__all__ = [
    "FULL_LIMIT",
    "Claim",
    "Comparison",
    "choose_method",
    "directional_comparison",
    "evaluate_claim",
    "full_comparison",
    "judge",
]

#: Largest number of variable entries for which "auto" uses the full Jacobian.
FULL_LIMIT = 400


@dataclass(frozen=True)
class Claim:
    """f and the claimed derivative at the point.

    Attributes
    ----------
    value : array
        f at the point.
    jacobian : array
        The claimed derivative in the tensor layout, of shape ``value.shape + x0.shape``.
    seconds : float
        How long one evaluation of f took (to estimate the cost of the full check).
    """

    value: Array
    jacobian: Array
    seconds: float


def evaluate_claim(inputs: Inputs, layout: str) -> Claim:
    """Evaluate f and the claim at the point, undo the claim's layout and check its shape.

    Raises
    ------
    AssertionError
        When the claimed derivative has the wrong shape (in any layout: a wrong shape is a
        failed check, not a usage error).
    """
    x0 = inputs.x0
    t0 = time.perf_counter()
    value0 = np.asarray(inputs.f(**inputs.point), dtype=np.float64)
    t_eval = time.perf_counter() - t0
    D = np.asarray(inputs.df(**inputs.point), dtype=np.float64)
    if layout != "tensor":  # the claimed derivative is arranged in a convention: undo it
        try:
            D = np.asarray(to_tensor(D, value0.shape, x0.shape, layout), dtype=np.float64)
        except ShapeError as wrong:  # a wrong shape is a failed check in every layout
            raise AssertionError(f"derivative check failed: {wrong}") from None
    want = value0.shape + x0.shape
    if D.shape != want:
        raise AssertionError(
            f"derivative check failed: the claimed derivative has shape {D.shape}, expected "
            f"{want} (output {value0.shape} then {inputs.wrt} {x0.shape}, tensor layout)"
        )
    if inputs.structure != "general":
        unstructured = claim_structure_error(D, inputs.structure, value0.ndim)
        if unstructured is not None:
            raise AssertionError(f"derivative check failed: {unstructured}")
    return Claim(value0, D, t_eval)


def choose_method(
    method: Method, inputs: Inputs, claim: Claim, max_seconds: float
) -> Literal["full", "directional"]:
    """The numeric method to run: ``"auto"`` picks the full check up to :data:`FULL_LIMIT`
    variable entries when it fits in ``max_seconds``, else the directional one.

    Raises
    ------
    ValueError
        For ``"exact"`` (no numeric method; its route never gets here).
    NotSupportedError
        When ``method="full"`` was asked for and would take longer than ``max_seconds``.
    """
    x0 = inputs.x0
    chosen: Literal["full", "directional"]
    match method:
        case "full" | "directional":
            chosen = method
        case "auto":
            chosen = "full" if x0.size <= FULL_LIMIT else "directional"
        case _:
            raise ValueError(f"{method!r} is not a numeric method")
    cost = EVALUATIONS_PER_JVP * x0.size
    if method == "auto" and chosen == "full" and cost * claim.seconds > max_seconds:
        # too slow to do in full: the directional check instead, never an error
        return "directional"
    if chosen == "full" and cost * claim.seconds > max_seconds:
        raise NotSupportedError(
            f"the full check would take about {cost * claim.seconds:.1f} s ({cost} "
            f"evaluations of f for {inputs.wrt} with {x0.size} entries); the limit is max_seconds="
            f"{max_seconds:g}. Use method='directional'"
        )
    return chosen


@dataclass(frozen=True)
class Comparison:
    """Analytic against numeric values, entry by entry.

    Attributes
    ----------
    analytic, numeric : array
        What the claim gives and what finite differences give, of the same shape.
    noise : array
        An upper bound of the finite differences' error, entry by entry (added to the
        tolerance).
    evaluations : int
        Evaluations of f the finite differences took.
    detail : str
        What was compared, for the report (empty for the full Jacobian).
    """

    analytic: Array
    numeric: Array
    noise: Array
    evaluations: int
    detail: str = ""


def full_comparison(inputs: Inputs, claim: Claim) -> Comparison:
    """The claimed Jacobian against the finite-difference one, entry by entry: one numerical
    JVP along each unit direction of the variable."""
    x0, value0 = inputs.x0, claim.value
    scale = step_scale(x0)
    numeric = np.zeros(claim.jacobian.shape)
    noise = np.zeros(claim.jacobian.shape)
    if inputs.structure != "general":  # one JVP per free entry; the point stays structured
        count = 0
        for e, entries, factor in free_entries(inputs.structure, inputs.convention, len(x0)):
            jvp, err = numerical_jvp(inputs.f, inputs.point, inputs.wrt, e, scale)
            for entry in entries:
                numeric[(Ellipsis, *entry)] = factor * jvp
                noise[(Ellipsis, *entry)] = factor * err
            count += 1
        return Comparison(claim.jacobian, numeric, noise, EVALUATIONS_PER_JVP * count)
    flat_n = numeric.reshape((*value0.shape, x0.size))
    flat_e = noise.reshape((*value0.shape, x0.size))
    for k in range(x0.size):
        e = np.zeros(x0.size)
        e[k] = 1.0
        flat_n[..., k], flat_e[..., k] = numerical_jvp(
            inputs.f, inputs.point, inputs.wrt, e.reshape(x0.shape), scale
        )
    return Comparison(claim.jacobian, numeric, noise, EVALUATIONS_PER_JVP * x0.size)


def directional_comparison(
    inputs: Inputs, claim: Claim, directions: int, gen: np.random.Generator
) -> Comparison:
    """⟨D, v⟩ against the numerical JVP along ``directions`` random directions v.

    For a tensor-valued f, each direction also gets an adjoint test: ⟨Dᵀ u, v⟩ against ⟨u, JVP⟩
    for a random u of f's shape, through the same finite differences (it catches a claim that
    is right along v but transposed). ``gen`` draws v, then u, direction after direction.
    """
    x0, value0, D = inputs.x0, claim.value, claim.jacobian
    scale = step_scale(x0)
    axes = (tuple(range(value0.ndim, D.ndim)), tuple(range(x0.ndim)))
    rows_a, rows_n, rows_e = [], [], []
    structured = inputs.structure != "general"
    if structured:  # ⟨D, W∘V⟩ along structured V (checks.structure)
        w = weights(inputs.structure, inputs.convention, len(x0))
    for _ in range(directions):
        if structured:
            v = random_direction(inputs.structure, gen, len(x0))
            num, err = numerical_jvp(inputs.f, inputs.point, inputs.wrt, v, scale)
            v = w * v
        else:
            v = gen.standard_normal(x0.shape)
            num, err = numerical_jvp(inputs.f, inputs.point, inputs.wrt, v, scale)
        jvp = np.tensordot(D, v, axes=axes)
        rows_a.append(np.ravel(jvp))
        rows_n.append(np.ravel(num))
        rows_e.append(np.ravel(err))
        if value0.ndim:  # adjoint test: <U, D v> against <D^T U, v> through the same FD
            u = gen.standard_normal(value0.shape)
            vjp = np.tensordot(u, D, axes=(tuple(range(value0.ndim)), tuple(range(value0.ndim))))
            rows_a.append(np.array([np.vdot(vjp, v)]))
            rows_n.append(np.array([np.vdot(u, num)]))
            rows_e.append(np.array([np.vdot(np.abs(u), err)]))
    analytic, numeric, noise = (np.concatenate(r) for r in (rows_a, rows_n, rows_e))
    detail = f"{directions} directions" + (", with adjoint test" if value0.ndim else "")
    return Comparison(analytic, numeric, noise, EVALUATIONS_PER_JVP * directions, detail)


def judge(
    comparison: Comparison, method: str, rtol: float, atol: float, seed: int | None
) -> Report:
    """The verdict: a :class:`Report` when every entry is within tolerance.

    An entry passes when ``|analytic - numeric| <= atol * max(1, size) + rtol * max(|numeric|,
    size / 1000) + noise``, ``size`` being the largest value compared. The reported relative
    error is normwise: the largest error over the largest value.

    Raises
    ------
    DomainError
        When the finite differences are not finite (f is not finite near the point).
    AssertionError
        Naming the method, seed, worst entry, both values and the tolerance.
    """
    analytic, numeric, noise = comparison.analytic, comparison.numeric, comparison.noise
    if not np.all(np.isfinite(numeric)):  # NaN compares false: it would pass every test
        w = tuple(int(i) for i in np.argwhere(~np.isfinite(numeric))[0])
        raise DomainError(
            f"derivative check impossible ({method}, seed {seed}): finite differences give "
            f"{numeric[w]} at index {w}, so f is not finite near the point; check it at a point "
            "inside its domain"
        )
    err = np.abs(analytic - numeric)
    size = max(
        float(np.max(np.abs(numeric), initial=0.0)), float(np.max(np.abs(analytic), initial=0.0))
    )
    bound = atol * max(1.0, size) + rtol * np.maximum(np.abs(numeric), size * 1e-3) + noise
    finite = bool(np.all(np.isfinite(analytic)))
    with np.errstate(invalid="ignore"):  # inf - inf where the claim is not finite: named below
        worst = (
            tuple(int(i) for i in np.unravel_index(int(np.argmax(err - bound)), err.shape))
            if err.size
            else ()
        )
    if not finite or np.any(err > bound):
        w = worst
        if not finite:
            w = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        raise AssertionError(
            f"derivative check failed ({method}, seed {seed}): at index {w} the analytic value is "
            f"{analytic[w]:.10g} but finite differences give {numeric[w]:.10g} (abs error "
            f"{err[w]:.3g}, allowed {bound[w]:.3g} from rtol={rtol:g}, atol={atol:g})"
        )
    # normwise: the largest error relative to the largest value (entries near 0 do not inflate it)
    rel = float(np.max(err, initial=0.0)) / max(size, 1e-300)
    return Report(
        method,
        comparison.evaluations,
        float(np.max(err, initial=0.0)),
        rel,
        worst,
        (rtol, atol),
        seed,
        comparison.detail,
    )
