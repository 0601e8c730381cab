"""The checks without numpy: :func:`check_derivative` and :func:`check_identity` on small
instances, in plain Python.

:mod:`matderiv.checks.finite` routes here only when numpy cannot be imported (a browser's
Pyodide, say). The route follows the numpy one step by step, with the same tolerances and the
same messages: the inputs are resolved (f and the claim as functions, the point given as nested
lists or sampled with a seeded :class:`random.Random`), the whole Jacobian is compared with
Richardson-extrapolated central differences, and the verdict is a :class:`Report` or an
``AssertionError`` naming the worst entry. By a symmetric or diagonal variable the claim is read
in its convention with the numpy route's rules (:mod:`matderiv.checks.structure`: one finite
difference per free entry, moving X_ij and X_ji together; the Frobenius convention halves the
off-diagonal ones, which projects onto the symmetric matrices). What needs numpy says so:
``method="exact"`` (SymPy object arrays), ``method="directional"``, a numpy Generator as
``rng``. Instances are small: every axis at most :data:`~matderiv.numeric.pure_arrays.MAX_SIZE`.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..engine.result import is_derivative
from ..errors import DomainError, NotSupportedError, ShapeError
from ..language.domains import CONSTRAINTS, KINK_MARGIN, input_domains, kink_arguments
from ..language.expression import Expr, Size, Var, declared_variable
from ..language.inputs import as_expression
from ..language.shapes import dim_names, resolve_dim
from ..language.structure import Structure, SymmetricConvention
from ..numeric import pure_arrays as pa
from ..numeric.binding import bind_sizes
from ..numeric.pure import PureEvaluator, to_tensor
from ..numeric.pure_arrays import MAX_SIZE, Tensor, as_tensor
from .options import not_finite
from .report import Report
from .structure import STRUCTURE_RTOL, free_pairs, unstructured_message

__all__ = ["pure_check_derivative", "pure_check_identity"]

PureFn = Callable[..., Tensor]
DETAIL = "pure Python: numpy is not importable"
#: The larger finite-difference step, relative to the point's largest entry (as checks.jvp).
RELATIVE_STEP = 1e-3


def _needs_numpy(what: str) -> NotSupportedError:
    return NotSupportedError(
        f"{what} needs numpy, which cannot be imported here; without it the checks run in pure "
        f"Python on small instances (every axis at most {MAX_SIZE}) with method='auto' or 'full'"
    )


def _seeded(rng: Any) -> tuple[int, random.Random]:
    if rng is not None and (not isinstance(rng, int) or isinstance(rng, bool)):
        raise _needs_numpy(f"rng={type(rng).__name__} (only an int seed works without it):")
    seed = 0 if rng is None else rng
    return seed, random.Random(seed)


def _function(f: Any, shapes: Mapping[str, Any] | None) -> tuple[PureFn, Expr | None]:
    """f as a function of keyword Tensors (or ints for named sizes), and its expression."""
    if is_derivative(f):
        return (lambda **arrays: as_tensor(f.evaluate(**_plain(arrays)))), None
    if callable(f) and not isinstance(f, Expr):
        return (lambda **arrays: as_tensor(f(**_plain(arrays)))), None
    e = as_expression(f, shapes)
    declared = set(e.variables())
    for name, given in (shapes or {}).items():
        if all(v.name != name for v in declared):
            declared.add(declared_variable(name, given))
    own = e.variables()

    def run(**arrays: Any) -> Tensor:
        lent = [v for v in declared - own if v.name in arrays]
        sizes = bind_sizes([*own, *lent], arrays, asarray=as_tensor)
        names = {v.name for v in own}
        return PureEvaluator({k: v for k, v in arrays.items() if k in names}, sizes).expr(e)

    return run, e


def _plain(arrays: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.tolist() if isinstance(v, Tensor) else v for k, v in arrays.items()}


def _sizes(variables: Sequence[Var], exprs: Sequence[Expr], gen: random.Random) -> dict[str, int]:
    """Distinct sizes 2, 3, 4 for the first named dimensions (a swapped axis cannot hide),
    seeded draws from 2 to 4 after them."""
    names = sorted({p for v in variables for d in v.shape for p in dim_names(d)})
    names += sorted(
        {p for e in exprs for n in e.walk() for d in n.shape for p in dim_names(d)}
        | {n.name for e in exprs for n in e.walk() if isinstance(n, Size)}
    )
    out: dict[str, int] = {}
    for n in names:
        if n not in out:
            out[n] = 2 + len(out) if len(out) < 3 else gen.randint(2, MAX_SIZE)
    return out


def _constrained(kind: str, a: Tensor, name: str, gen: random.Random) -> Tensor:
    square = a.ndim == 2 and a.shape[0] == a.shape[1]
    if kind in ("symmetric", "spd", "invertible") and not square:
        raise ShapeError(
            f"constraint {kind!r} for {name!r} needs a square matrix, got shape {a.shape}"
        )
    mul, add = (lambda x, y: x * y), (lambda x, y: x + y)
    if kind == "symmetric":
        return pa.broadcast(pa.broadcast(a, pa.transpose(a), add), Tensor((), [0.5]), mul)
    if kind in ("spd", "invertible"):
        n = a.shape[0]
        if kind == "spd":
            base = pa.matmul(a, pa.transpose(a))
            return pa.broadcast(pa.apply(lambda x: x / n, base), pa.eye(n), add)
        # strictly diagonally dominant by 1, as numeric.sampling draws it: det > 0
        sums = [max(sum(abs(x) for x in a.data[i * n : (i + 1) * n]), 1e-12) for i in range(n)]
        data = [
            (2.0 if i == j else 0.0) + a.data[i * n + j] / sums[i]
            for i in range(n)
            for j in range(n)
        ]
        return Tensor(a.shape, data)
    if kind == "positive":
        return pa.apply(lambda x: 0.5 + abs(x), a)
    if a.ndim == 0:
        raise ShapeError(f"constraint {kind!r} for {name!r} needs an array, got a scalar")
    last = a.shape[-1]
    rows = [a.data[k : k + last] for k in range(0, a.size, last)]
    if kind == "probability":
        rows = [[math.exp(x) / sum(math.exp(y) for y in row) for x in row] for row in rows]
    else:  # onehot
        hot = [gen.randrange(last) for _ in rows]
        rows = [[1.0 if k == h else 0.0 for k in range(last)] for h in hot]
    return Tensor(a.shape, [x for row in rows for x in row])


def _structured_start(v: Var, a: Tensor, wanted: str | None) -> tuple[Tensor, str | None]:
    """As ``numeric.sampling``: a draw with the variable's structure and the constraint that
    keeps it (a symmetric matrix that must be invertible is drawn positive definite, a diagonal
    one that must be invertible gets a positive diagonal, a stochastic one probability rows)."""
    if v.structure == "stochastic":
        if wanted not in (None, "probability", "onehot"):
            raise ValueError(
                f"constraint {wanted!r} for {v.name!r} cannot hold for a stochastic array"
            )
        return a, wanted or "probability"
    if v.structure == "general":
        return a, wanted
    if wanted in ("probability", "onehot"):
        raise ValueError(
            f"constraint {wanted!r} for {v.name!r} cannot hold for a {v.structure} matrix"
        )
    n = a.shape[0]
    if v.structure == "symmetric":
        a = _constrained("symmetric", a, v.name, random.Random(0))
        return a, "spd" if wanted == "invertible" else wanted
    if wanted in ("invertible", "spd", "symmetric"):  # diagonal: a positive diagonal, det > 0
        data = [1.0 + abs(x) if k % (n + 1) == 0 else 0.0 for k, x in enumerate(a.data)]
        return Tensor(a.shape, data), None
    return a, wanted


def sample(
    exprs: Sequence[Expr], gen: random.Random, constraints: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Seeded inputs for every variable, as ``numeric.sampling.sample_inputs`` draws them
    (invertible and positive where the expressions need it, away from kinks), in plain Python."""
    variables = sorted(frozenset().union(*(e.variables() for e in exprs)), key=lambda v: v.name)
    found = input_domains(exprs)
    kinds = dict.fromkeys(sorted(found.positive), "positive")
    kinds.update(dict.fromkeys(sorted(found.invertible), "invertible"))
    for name, kind in (constraints or {}).items():
        if kind not in CONSTRAINTS:
            raise ValueError(
                f"unknown constraint {kind!r} for {name!r}; "
                f"expected one of {', '.join(CONSTRAINTS)}"
            )
        if name not in {v.name for v in variables}:
            raise ValueError(
                f"constraint given for {name!r}, which is not a variable of the expression"
            )
        kinds[name] = kind
    dims = _sizes(variables, exprs, gen)
    own = {p for v in variables for d in v.shape for p in dim_names(d)}
    named = {n: dims[n] for n in dims if n not in own}
    kinks = kink_arguments(exprs)
    # as numeric.sampling: a variable that is a kinked argument keeps the margin by
    # construction; otherwise redraw, keeping the draw farthest from the kink
    kinked = {k.name for k in kinks if isinstance(k, Var) and k.name not in kinds}
    best: tuple[float, dict[str, Any]] | None = None
    for _ in range(50):
        arrays: dict[str, Any] = {}
        for v in variables:
            shape = tuple(resolve_dim(d, dims) for d in v.shape)
            a = Tensor(shape, [gen.gauss(0.0, 1.0) for _ in range(math.prod(shape))])
            a, wanted = _structured_start(v, a, kinds.get(v.name))
            if wanted:
                a = _constrained(wanted, a, v.name, gen)
            elif v.name in kinked:
                a = pa.apply(lambda x: math.copysign(2 * KINK_MARGIN + abs(x), x), a)
            if v.structure == "diagonal":
                n = a.shape[0]
                a = Tensor(a.shape, [x if k % (n + 1) == 0 else 0.0 for k, x in enumerate(a.data)])
            arrays[v.name] = a
        if not kinks:
            return {**arrays, **named}
        ev = PureEvaluator(arrays, dims)
        gap = min(min((abs(x) for x in ev.expr(k).data), default=math.inf) for k in kinks)
        if gap > KINK_MARGIN:
            return {**arrays, **named}
        if best is None or gap > best[0]:
            best = (gap, arrays)
    assert best is not None
    return {**best[1], **named}


def _point(at: Mapping[str, Any], variables: set[str]) -> dict[str, Any]:
    return {
        k: v
        if isinstance(v, int) and not isinstance(v, bool) and k not in variables
        else as_tensor(v, k)
        for k, v in at.items()
    }


def _jvp(
    f: PureFn, point: Mapping[str, Any], wrt: str, along: Sequence[int], h: float
) -> tuple[Tensor, ...]:
    """The numerical JVP along the direction with 1 at the flat positions ``along`` (0
    elsewhere), Richardson-extrapolated, and the bound of its error (as ``checks.jvp``)."""
    x0: Tensor = point[wrt]

    def central(step: float) -> Tensor:
        moved = []
        for sign in (1.0, -1.0):
            data = list(x0.data)
            for k in along:
                data[k] += sign * step
            moved.append(as_tensor(f(**{**point, wrt: Tensor(x0.shape, data)})))
        return Tensor(
            moved[0].shape,
            [(p - m) / (2 * step) for p, m in zip(*(t.data for t in moved), strict=True)],
        )

    c1, c2 = central(h), central(h / 2)
    est = [(4 * b - a) / 3 for a, b in zip(c1.data, c2.data, strict=True)]
    noise = [abs(b - a) for a, b in zip(c1.data, c2.data, strict=True)]
    return Tensor(c1.shape, est), Tensor(c1.shape, noise)


def claim_structure_error(D: Tensor, structure: Structure) -> str | None:
    """``checks.structure.claim_structure_error`` on a Tensor: why the claim (the variable's two
    axes last, as the tensor layout has them) is not symmetric in them, or not zero off their
    diagonal; None when it is."""
    n = D.shape[-1]
    scale = max([1.0, *map(abs, D.data)])
    worst, where = -1.0, tuple[int, ...]()
    for idx in pa.entries(D.shape):
        p, q = idx[-2], idx[-1]
        if structure == "symmetric":
            gap = abs(D.data[D.index(idx)] - D.data[D.index((*idx[:-2], q, p))])
        else:
            gap = 0.0 if p == q else abs(D.data[D.index(idx)])
        if gap > worst or math.isnan(gap):
            worst, where = gap, idx
    if n == 0 or worst <= STRUCTURE_RTOL * scale:
        return None
    return unstructured_message(structure, tuple(where), worst)


def _directions(
    x0: Tensor, structure: Structure, convention: SymmetricConvention | None
) -> list[tuple[list[int], list[int], float]]:
    """For each finite difference: the flat positions it moves, those of the derivative's
    variable axes it fills, and the factor (one per entry, or one per free entry)."""
    if structure == "general":
        return [([k], [k], 1.0) for k in range(x0.size)]
    n = x0.shape[-1]
    return [
        ([p * n + q] if p == q else [p * n + q, q * n + p], [r * n + c for r, c in entries], w)
        for (p, q), entries, w in free_pairs(structure, convention, n)
    ]


def pure_check_derivative(
    f: Any,
    df: Any,
    at: Mapping[str, Any] | None,
    wrt: Var | str | None,
    layout: str,
    method: str,
    rtol: float,
    atol: float,
    rng: Any,
    shapes: Mapping[str, Any] | None,
    constraints: Mapping[str, str] | None,
    max_seconds: float,
    structure: Structure = "general",
    convention: SymmetricConvention | None = None,
) -> Report:
    """``check_derivative`` in plain Python: the full Jacobian against finite differences (by a
    structured variable, the free entries' ones, read in ``convention``)."""
    if method in ("exact", "directional"):
        raise _needs_numpy(f"method={method!r}")
    seed, gen = _seeded(rng)
    if shapes is None and is_derivative(df):
        shapes = {v.name: v for v in df.variables | {df.wrt}}
    if shapes is None and at is not None:
        shapes = {k: as_tensor(v, k).shape for k, v in at.items() if not isinstance(v, int)}
    if wrt is None and is_derivative(df):
        wrt = df.wrt
    if wrt is None:
        raise ShapeError("check_derivative needs wrt= (the variable's name)")
    wname = wrt.name if isinstance(wrt, Var) else wrt
    fn, fexpr = _function(f, shapes)
    dfn, _ = _function(df, shapes)
    if at is None:
        root: Any = f
        while is_derivative(root):
            root = root.of
        source = root if isinstance(root, Expr) else fexpr
        if source is None:
            raise ShapeError("check_derivative needs at= (the point) when f is a callable")
        wvar = (
            wrt
            if isinstance(wrt, Var)
            else next((v for v in source.variables() if v.name == wname), None)
        )
        if wvar is None and is_derivative(df):
            wvar = df.wrt
        at = sample([source, *([wvar] if wvar is not None else [])], gen, constraints)
    known = {wname} | ({v.name for v in fexpr.variables()} if fexpr is not None else set())
    if is_derivative(df):
        known |= {v.name for v in df.variables}
    point = _point(at, known)
    if wname not in point:
        raise ShapeError(f"the point has no array for {wname!r}; give it in at=")
    x0: Tensor = point[wname]
    t0 = time.perf_counter()
    value0 = as_tensor(fn(**point))
    seconds = time.perf_counter() - t0
    D = as_tensor(dfn(**point))
    if layout != "tensor":
        try:
            D = to_tensor(D, value0.shape, x0.shape, layout)
        except ShapeError as wrong:
            raise AssertionError(f"derivative check failed: {wrong}") from None
    want = value0.shape + x0.shape
    if D.shape != want:
        raise AssertionError(
            f"derivative check failed: the claimed derivative has shape {D.shape}, expected "
            f"{want} (output {value0.shape} then {wname} {x0.shape}, tensor layout)"
        )
    if structure != "general":
        unstructured = claim_structure_error(D, structure)
        if unstructured is not None:
            raise AssertionError(f"derivative check failed: {unstructured}")
    directions = _directions(x0, structure, convention)
    cost = 4 * len(directions)
    if cost * seconds > max_seconds:
        raise NotSupportedError(
            f"the full check would take about {cost * seconds:.1f} s ({cost} evaluations of f "
            f"for {wname} with {x0.size} entries); the limit is max_seconds={max_seconds:g}"
        )
    h = RELATIVE_STEP * max(1.0, max((abs(x) for x in x0.data), default=0.0))
    numeric, noise = [0.0] * D.size, [0.0] * D.size
    for moved, filled, factor in directions:
        est, err = _jvp(fn, point, wname, moved, h)
        for i, (e, n) in enumerate(zip(est.data, err.data, strict=True)):
            for k in filled:
                numeric[i * x0.size + k], noise[i * x0.size + k] = factor * e, factor * n
    return _judge(D, numeric, noise, cost, rtol, atol, seed)


def _judge(
    D: Tensor,
    numeric: list[float],
    noise: list[float],
    evals: int,
    rtol: float,
    atol: float,
    seed: int,
) -> Report:
    """The verdict, with the numpy route's formula and messages (``checks.compare.judge``)."""
    where = list(pa.entries(D.shape))
    for k, n in enumerate(numeric):
        if not math.isfinite(n):
            raise DomainError(
                f"derivative check impossible (full, seed {seed}): finite differences give "
                f"{n} at index {where[k]}, so f is not finite near the point; check it at a "
                "point inside its domain"
            )
    analytic = D.data
    err = [abs(a - n) for a, n in zip(analytic, numeric, strict=True)]
    size = max([0.0, *map(abs, numeric), *map(abs, analytic)])
    bound = [
        atol * max(1.0, size) + rtol * max(abs(n), size * 1e-3) + e
        for n, e in zip(numeric, noise, strict=True)
    ]
    finite = all(math.isfinite(a) for a in analytic)
    excess = [e - b if math.isfinite(e - b) else -math.inf for e, b in zip(err, bound, strict=True)]
    worst = max(range(len(err)), key=lambda k: excess[k]) if err else 0
    if not finite or any(e > b for e, b in zip(err, bound, strict=True)):
        if not finite:
            worst = next(k for k, a in enumerate(analytic) if not math.isfinite(a))
        raise AssertionError(
            f"derivative check failed (full, seed {seed}): at index {where[worst]} the analytic "
            f"value is {analytic[worst]:.10g} but finite differences give {numeric[worst]:.10g} "
            f"(abs error {err[worst]:.3g}, allowed {bound[worst]:.3g} from rtol={rtol:g}, "
            f"atol={atol:g})"
        )
    top = max(err, default=0.0)
    index = where[worst] if err else ()
    return Report("full", evals, top, top / max(size, 1e-300), index, (rtol, atol), seed, DETAIL)


def pure_check_identity(
    left: Expr,
    right: Expr,
    trials: int,
    rtol: float,
    atol: float,
    rng: Any,
    method: str,
    constraints: Mapping[str, str] | None,
) -> Report:
    """``check_identity`` in plain Python: both sides on ``trials`` sampled points."""
    if method == "exact":
        raise _needs_numpy("method='exact'")
    seed, gen = _seeded(rng)
    worst_err, worst_rel = 0.0, 0.0
    for _ in range(trials):
        arrays = sample((left, right), gen, constraints)
        sizes = bind_sizes(left.variables() | right.variables(), arrays, asarray=as_tensor)
        tensors = {k: v for k, v in arrays.items() if isinstance(v, Tensor)}
        a = PureEvaluator(tensors, sizes).expr(left)
        b = PureEvaluator(tensors, sizes).expr(right)
        not_finite(
            [math.isfinite(x) for x in a.data], [math.isfinite(x) for x in b.data], a, b, seed
        )
        err = [abs(x - y) for x, y in zip(a.data, b.data, strict=True)]
        size = max([1.0, *map(abs, a.data), *map(abs, b.data)])
        bad = [k for k, e in enumerate(err) if e > atol + rtol * size]
        if bad:
            w = max(range(len(err)), key=lambda k: err[k] if math.isfinite(err[k]) else math.inf)
            idx = list(pa.entries(a.shape))[w]
            raise AssertionError(
                f"identity check failed (seed {seed}): at index {idx} the left side is "
                f"{a.data[w]:.10g} and the right side {b.data[w]:.10g}"
            )
        worst_err = max(worst_err, max(err, default=0.0))
        worst_rel = max(worst_rel, worst_err / size)
    return Report("identity", 2 * trials, worst_err, worst_rel, (), (rtol, atol), seed, DETAIL)
