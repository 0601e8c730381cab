"""The options every check accepts, refused early when unknown; this module loads no numpy, so
both the numpy and the pure-Python route of :func:`~matderiv.checks.finite.check_derivative`
read it."""

from __future__ import annotations

from typing import Any, Literal

from ..errors import DomainError, LayoutError
from ..numeric.layout import CONVENTIONS

__all__ = ["METHODS", "Method", "check_options", "not_finite"]

Method = Literal["auto", "directional", "full", "exact"]
METHODS: tuple[Method, ...] = ("auto", "directional", "full", "exact")


def check_options(layout: str, method: str) -> None:
    """Refuse an unknown layout or method.

    >>> check_options("tensor", "sideways")
    Traceback (most recent call last):
    ...
    ValueError: unknown method 'sideways'; expected 'auto', 'directional', 'full' or 'exact'
    """
    if layout not in CONVENTIONS:
        raise LayoutError(
            f"unknown layout {layout!r}; expected one of {', '.join(map(repr, CONVENTIONS))}"
        )
    if method not in METHODS:
        raise ValueError(
            f"unknown method {method!r}; expected 'auto', 'directional', 'full' or 'exact'"
        )


def not_finite(left_ok: list[bool], right_ok: list[bool], left: Any, right: Any, seed: Any) -> None:
    """Refuse an identity check where a side is not finite (NaN compares false with every
    tolerance, so it would pass). Both sides not finite at the same entry: the point is outside
    their domain (DomainError). One side only: the sides differ (AssertionError). ``left_ok`` and
    ``right_ok`` flag the finite entries in row-major order; ``left``/``right`` are the values."""
    if all(left_ok) and all(right_ok):
        return
    k = next(i for i, (a, b) in enumerate(zip(left_ok, right_ok, strict=True)) if not (a and b))
    flat = [_flat(left), _flat(right)]
    shown = f"the left side is {flat[0][k]:.10g} and the right side {flat[1][k]:.10g}"
    if not left_ok[k] and not right_ok[k]:
        raise DomainError(
            f"identity check (seed {seed}): at entry {k} (row-major) {shown}: the sampled point "
            "is outside the domain of both sides; constrain the inputs (constraints=)"
        )
    raise AssertionError(
        f"identity check failed (seed {seed}): at entry {k} (row-major) {shown}, which is not "
        "finite"
    )


def _flat(value: Any) -> list[float]:
    data = getattr(value, "data", None)  # a pure-Python tensor
    if isinstance(data, list):
        return [float(x) for x in data]
    ravel = getattr(value, "ravel", None)  # a numpy array
    return [float(x) for x in ravel().tolist()] if ravel is not None else [float(value)]
