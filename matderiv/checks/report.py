"""What a check reports, and the check log: a hook that hears of every check that passes.

A check returns a :class:`Report` and, when a hook is set, also hands a :class:`CheckRecord` to
it: what was checked, by which method, how close the numbers were, and on which instance or
seed. The library keeps no log of its own and writes no file; whoever wants one (the book counts
the checks its notebooks run) sets a hook with :func:`set_check_log`::

    import matderiv.checks as mc

    seen = []
    previous = mc.set_check_log(seen.append)
    ...  # run checks
    mc.set_check_log(previous)

Only checks that pass are recorded: a failed check raises before it reports. This module imports
no numpy, so setting a hook does not load the numeric layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["CheckKind", "CheckLog", "CheckRecord", "Report", "record_check", "set_check_log"]


@dataclass(frozen=True)
class Report:
    """What a check did and how close the numbers were."""

    method: str
    evaluations: int
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    tolerance: tuple[float, float]
    seed: int | None
    detail: str = ""

    def __str__(self) -> str:
        if self.method == "exact":
            return f"exact check passed {self.detail}"
        return (
            f"{self.method} check passed: {self.evaluations} evaluations, max abs error "
            f"{self.max_abs_error:.2e}, max rel error {self.max_rel_error:.2e}"
            + (f"; {self.detail}" if self.detail else "")
        )


#: What a check compared: a derivative with its function, or the two sides of an identity.
CheckKind = Literal["derivative", "identity"]


@dataclass(frozen=True)
class CheckRecord:
    """One check that passed, as the check log's hook receives it.

    Attributes
    ----------
    kind : {"derivative", "identity"}
        What was checked.
    wrt : str or None
        The variable of a derivative check; None for an identity.
    report : Report
        The check's report: method, evaluations, errors, tolerance, seed.
    instance : str or None
        For an exact check, the concrete sizes it was proved on (``"A 3×3, x 3"``); None for
        the numeric checks, whose point is fixed by the seed.
    """

    kind: CheckKind
    wrt: str | None
    report: Report
    instance: str | None = None

    @property
    def what(self) -> str:
        """``"d/dx"`` for a derivative by ``x``, ``"identity"`` for an identity."""
        return f"d/d{self.wrt}" if self.kind == "derivative" else "identity"

    @property
    def method(self) -> str:
        """``"full"``, ``"directional"``, ``"exact"`` or ``"identity"`` (numeric identity)."""
        return self.report.method

    @property
    def max_abs_error(self) -> float:
        return self.report.max_abs_error

    @property
    def max_rel_error(self) -> float:
        return self.report.max_rel_error

    @property
    def seed(self) -> int | None:
        return self.report.seed


#: A check log: called once with every check that passes.
CheckLog = Callable[[CheckRecord], None]

_hook: CheckLog | None = None


def set_check_log(hook: CheckLog | None) -> CheckLog | None:
    """Set the function every passing check is reported to; None unsets it.

    Returns the hook that was set before, so that a caller can restore it. An exception raised
    by the hook propagates out of the check (a broken log is loud, not silently incomplete).

    Examples
    --------
    >>> import matderiv as md
    >>> import matderiv.checks as mc
    >>> seen: list[mc.CheckRecord] = []
    >>> previous = mc.set_check_log(seen.append)
    >>> _ = md.check_identity("tr(A @ B)", "tr(B @ A)", {"A": (2, 3), "B": (3, 2)})
    >>> [(r.method, r.what) for r in seen]
    [('identity', 'identity')]
    >>> mc.set_check_log(previous) == seen.append  # unset again; the old hook comes back
    True
    """
    global _hook
    previous, _hook = _hook, hook
    return previous


def record_check(record: CheckRecord) -> None:
    """Hand ``record`` to the check log, if one is set (the checks call this; nothing else
    needs to)."""
    if _hook is not None:
        _hook(record)
