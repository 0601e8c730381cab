"""Exact checks: prove a derivative or an identity on a small concrete instance with SymPy.

Every named dimension gets a small distinct size (2, 3, 4, …, so that a swapped axis cannot
hide), every entry of every variable becomes a SymPy symbol, the function is differentiated
entry by entry, and each entry of (true − claimed) must simplify to exactly 0. A claim that is
wrong is first rejected numerically at a random rational point, which is fast and yields a
counterexample; a claim SymPy cannot simplify is reported as unproved, never as proved.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

from ..engine.result import is_derivative
from ..errors import NotSupportedError
from ..language.domains import input_domains, least_sizes
from ..language.expression import Expr, Var, shape_text
from ..language.functions import Unary
from ..language.matfun import no_sympy
from ..language.shapes import resolve_dim
from ..language.specs import ELEMENTWISE
from ..language.structure import SymmetricConvention

__all__ = ["ExactResult", "instance_sizes", "prove_equal", "sympy_backend"]

#: Largest number of entries (output entries × variable entries) an exact check handles.
MAX_ENTRIES = 400


@cache
def sympy_backend() -> Any:
    """The evaluator's backend for arithmetic on numpy object arrays of SymPy expressions
    (built on first use: this module loads neither numpy nor SymPy when imported)."""
    import numpy as np

    from ..numeric.evaluation import Backend

    class SympyBackend(Backend):
        """Arithmetic on numpy object arrays of SymPy expressions."""

        name = "sympy"
        dtype = object

        def __init__(self) -> None:
            import sympy as sp

            self.sp = sp
            self.pi = sp.pi

        def _map(self, fn: Any, x: Any) -> Any:
            return np.frompyfunc(fn, 1, 1)(np.asarray(x, dtype=object))

        def number(self, value: Fraction) -> Any:
            return self.sp.Rational(value.numerator, value.denominator)

        def scalar(self, value: Any) -> Any:
            return np.asarray(value, dtype=object).reshape(())[()]

        def func(self, name: str, x: Any) -> Any:
            sympy = ELEMENTWISE[name].sympy
            return self._map(lambda v: sympy(self.sp, v), x)

        def unary(self, e: Unary, a: Any) -> Any:
            return type(e).sympy(self.sp, np, a)

        def frechet_apply(self, e: Any, a: Any, d: Any) -> Any:
            return no_sympy(e.name)(self.sp, np, a)

        def softmax(self, x: Any, axis: int | None) -> Any:
            e = self._map(self.sp.exp, x)
            return e / np.sum(e, axis=axis, keepdims=True)

        def logsumexp(self, x: Any, axis: int | None) -> Any:
            return self._map(self.sp.log, np.sum(self._map(self.sp.exp, x), axis=axis))

        def extremum(self, op: str, a: Any, b: Any) -> Any:
            fn = self.sp.Max if op == "maximum" else self.sp.Min
            return np.frompyfunc(fn, 2, 1)(np.asarray(a, dtype=object), np.asarray(b, dtype=object))

    return SympyBackend()


def instance_sizes(
    variables: Iterable[Var], least: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Small distinct sizes for the named dimensions: 2, 3, 4, … in order of first use, raised
    to ``least`` where indexing needs more (``x[1:3]`` needs n >= 3)."""
    names: list[str] = []
    for v in sorted(variables, key=lambda v: v.name):
        for d in v.shape:
            for part in str(d).split("*"):
                if not part.isdigit() and part not in names:
                    names.append(part)
    least = least or {}
    return {n: max(2 + k, least.get(n, 0)) for k, n in enumerate(names)}


@dataclass(frozen=True)
class ExactResult:
    """The outcome of an exact comparison."""

    proved: bool
    entries: int
    instance: str
    counterexample: tuple[tuple[int, ...], float, float] | None = None
    unproved: tuple[tuple[int, ...], ...] = ()


def symbols_for(
    variables: Iterable[Var], sizes: Mapping[str, int], positive: set[str]
) -> dict[str, Any]:
    """An object array of fresh real SymPy symbols for every variable."""
    import numpy as np
    import sympy as sp

    arrays: dict[str, Any] = {}
    # by name, not in set order: prove_equal draws the point's values in this order
    for v in sorted(variables, key=lambda v: v.name):
        shape = tuple(resolve_dim(d, sizes) for d in v.shape)
        arr = np.empty(shape, dtype=object)
        for idx in itertools.product(*(range(n) for n in shape)):
            if v.structure == "stochastic" and idx[-1] == shape[-1] - 1:  # rows sum to one
                arr[idx] = 1 - sum(arr[(*idx[:-1], k)] for k in range(shape[-1] - 1))
                continue
            if v.structure in ("symmetric", "diagonal") and idx[0] > idx[1]:  # S_pq is S_qp
                arr[idx] = arr[idx[1], idx[0]]
                continue
            if v.structure == "diagonal" and idx[0] != idx[1]:
                arr[idx] = sp.Integer(0)
                continue
            label = "_".join(map(str, idx))
            name = f"{v.name}_{label}" if label else v.name
            arr[idx] = sp.Symbol(name, real=True, positive=v.name in positive or None)
        arrays[v.name] = arr
    return arrays


def describe_instance(variables: Iterable[Var], sizes: Mapping[str, int]) -> str:
    """E.g. ``B=2, N=3 (X 2×3, W 3×4)``."""
    dims = ", ".join(f"{k}={v}" for k, v in sizes.items())
    shapes = ", ".join(
        f"{v.name} {shape_text(tuple(resolve_dim(d, sizes) for d in v.shape))}"
        for v in sorted(variables, key=lambda v: v.name)
    )
    return f"{dims} ({shapes})" if dims else shapes


def prove_equal(
    true: Any, claimed: Any, symbols: Mapping[str, Any], seed: int, invertible: set[str]
) -> tuple[tuple[tuple[int, ...], float, float] | None, tuple[tuple[int, ...], ...]]:
    """Compare two object arrays entry by entry: a numeric counterexample, or the entries SymPy
    could not simplify to 0."""
    import numpy as np
    import sympy as sp

    rng = np.random.default_rng(seed)
    deadline = time.perf_counter() + SIMPLIFY_SECONDS
    subs: dict[Any, Any] = {}
    for name, arr in symbols.items():
        vals = rng.integers(1, 9, size=arr.shape) / 4
        if name in invertible and arr.ndim == 2 and arr.shape[0] == arr.shape[1]:
            vals = vals + 4 * np.eye(arr.shape[0])
        for idx in np.ndindex(arr.shape):
            if isinstance(arr[idx], sp.Symbol):  # a structured matrix holds 0s and repeats
                subs[arr[idx]] = sp.Rational(Fraction(float(vals[idx])).limit_denominator(64))
    true = np.asarray(true, dtype=object)
    claimed = np.broadcast_to(np.asarray(claimed, dtype=object), true.shape)
    unproved: list[tuple[int, ...]] = []
    for idx in np.ndindex(true.shape):
        diff = sp.sympify(true[idx] - claimed[idx])
        a = complex(sp.N(sp.sympify(true[idx]).subs(subs), 30))
        b = complex(sp.N(sp.sympify(claimed[idx]).subs(subs), 30))
        if abs(a - b) > 1e-12 * max(1.0, abs(a), abs(b)):
            return (tuple(int(i) for i in idx), a.real, b.real), ()
        if not _is_zero(diff, deadline):
            unproved.append(tuple(int(i) for i in idx))
    return None, tuple(unproved)


#: Seconds the symbolic simplification of one comparison may take before it gives up.
SIMPLIFY_SECONDS = 20.0


def _is_zero(diff: Any, deadline: float) -> bool:
    """Whether ``diff`` simplifies to 0: cheap canonical forms first, ``simplify`` last."""
    import sympy as sp

    if diff == 0:
        return True
    for canonical in (lambda z: sp.cancel(sp.together(z)), sp.expand):
        if canonical(diff) == 0:
            return True
    if time.perf_counter() > deadline:
        return False
    return bool(sp.simplify(diff) == 0)


def exact_derivative(
    f: Expr, claimed: Any, wrt: Var, seed: int, convention: SymmetricConvention | None = None
) -> ExactResult:
    """Prove ``claimed`` = ∂f/∂wrt on a small instance. ``claimed`` is an Expr or a Derivative.

    By a structured variable the true derivative is built from the derivatives by its free
    symbols (one per S_pq = S_qp, none off a diagonal), in the ``convention`` given: the
    partial derivative itself (``"free"``), or half of it off the diagonal (``"frobenius"``,
    the projection onto the symmetric matrices)."""
    import numpy as np
    import sympy as sp

    from ..numeric.evaluation import Evaluator

    exprs: list[Expr] = [f, wrt]
    if isinstance(claimed, Expr):
        exprs.append(claimed)
    variables = frozenset().union(*(e.variables() for e in exprs))
    if is_derivative(claimed):
        variables = variables | claimed.variables
    sizes = instance_sizes(variables, least_sizes(exprs))
    out_n = int(np.prod([resolve_dim(d, sizes) for d in f.shape]))
    w_n = int(np.prod([resolve_dim(d, sizes) for d in wrt.shape]))
    if out_n * w_n > MAX_ENTRIES:
        raise NotSupportedError(
            f"the exact check would compare {out_n * w_n} entries on the smallest instance "
            f"({describe_instance(variables, sizes)}); the limit is {MAX_ENTRIES}. "
            "Use method='full' or 'directional'"
        )
    domains = input_domains(exprs)
    invertible = set(domains.invertible)
    symbols = symbols_for(variables, sizes, set(domains.positive))
    ev = Evaluator(symbols, sizes, sympy_backend())
    value = np.asarray(ev.expr(f), dtype=object)
    w = symbols[wrt.name]
    true = np.empty(value.shape + w.shape, dtype=object)
    for i in np.ndindex(value.shape):
        for p in np.ndindex(w.shape):
            if not isinstance(w[p], sp.Symbol):  # off the diagonal of a diagonal variable
                true[i + p] = sp.Integer(0)
                continue
            half = wrt.structure == "symmetric" and convention == "frobenius" and p[0] != p[1]
            true[i + p] = sp.diff(value[i], w[p]) / (2 if half else 1)
    if is_derivative(claimed):
        shape = tuple(resolve_dim(d, sizes) for d in claimed.shape)
        got = [ev.index(claimed.index_expr)]
        if claimed.form is not None:
            got.append(np.asarray(ev.form(claimed.form), dtype=object).reshape(shape))
    else:
        got = [np.asarray(ev.expr(claimed), dtype=object)]
        if got[0].shape != true.shape:
            raise AssertionError(
                f"exact check failed: the claimed derivative has shape {got[0].shape} on the "
                f"instance, expected {true.shape}"
            )
    instance = describe_instance(variables, sizes)
    unproved: tuple[tuple[int, ...], ...] = ()
    for g in got:
        counter, unproved = prove_equal(true, g, symbols, seed, invertible)
        if counter is not None:
            return ExactResult(False, true.size, instance, counter)
        if unproved:
            break
    return ExactResult(not unproved, true.size, instance, None, unproved)


def exact_identity(lhs: Expr, rhs: Expr, seed: int) -> ExactResult:
    """Prove ``lhs == rhs`` entry by entry on a small instance."""
    import numpy as np

    from ..numeric.evaluation import Evaluator

    variables = lhs.variables() | rhs.variables()
    sizes = instance_sizes(variables, least_sizes([lhs, rhs]))
    domains = input_domains([lhs, rhs])
    symbols = symbols_for(variables, sizes, set(domains.positive))
    ev = Evaluator(symbols, sizes, sympy_backend())
    a, b = np.asarray(ev.expr(lhs), dtype=object), np.asarray(ev.expr(rhs), dtype=object)
    counter, unproved = prove_equal(a, b, symbols, seed, set(domains.invertible))
    return ExactResult(
        counter is None and not unproved,
        a.size,
        describe_instance(variables, sizes),
        counter,
        unproved,
    )
