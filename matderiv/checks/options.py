"""The options every check accepts, refused early when unknown; this module loads no numpy, so
both the numpy and the pure-Python route of :func:`~matderiv.checks.finite.check_derivative`
read it."""

from __future__ import annotations

from typing import Literal

from ..errors import LayoutError
from ..numeric.layout import CONVENTIONS

__all__ = ["METHODS", "Method", "check_options"]

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
