"""An outside oracle for derivatives: finite differences of function values, and every output of a
:class:`matderiv.Derivative` mapped back to the tensor layout and compared with them.

Nothing here reads a derivative computed by matderiv to decide what is right: the expected numbers
come from central differences (with a Richardson step) of the function's *value*. The outputs
checked are ``d.evaluate`` (matrix and index routes), ``d.compile()``, every layout convention
(evaluated and compiled, mapped back with the table of the docstring of
:mod:`matderiv.numeric.layout`, written out again here), ``d.einsum`` evaluated as Python
text, and ``d.code`` parsed back.

Used by tests/integration/test_broadcasting.py, tests/integration/test_fuzz.py and
benchmarks/fuzz.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

import matderiv as md
from matderiv.language import kernels

Arrays = dict[str, np.ndarray]
Fn = Callable[[Mapping[str, np.ndarray]], Any]

LAYOUTS = ("numerator", "denominator", "mixed", "mit")

# (output rank, variable rank) -> how the convention arranges out.shape + wrt.shape; a pair that
# is missing is undefined and must raise LayoutError. Copied from the table in matderiv/layout.py.
_DEN = {(0, 0): "same", (0, 1): "col", (1, 0): "row", (1, 1): "T", (0, 2): "same", (2, 0): "T"}
RECIPES: dict[str, dict[tuple[int, int], str]] = {
    "numerator": {
        (0, 0): "same",
        (0, 1): "row",
        (1, 0): "col",
        (1, 1): "same",
        (0, 2): "T",
        (2, 0): "same",
    },
    "denominator": _DEN,
    "mixed": {(0, 0): "same", (0, 1): "col", (1, 0): "col", (1, 1): "same", (0, 2): "same"}
    | {(2, 0): "same"},
    "mit": _DEN,
}


def back_to_tensor(array: Any, full: tuple[int, ...], how: str) -> np.ndarray:
    """Undo a layout arrangement: the tensor-layout array of shape ``full``; raises ValueError
    when the arranged array does not have the shape the convention gives it."""
    a = np.asarray(array)
    n = int(np.prod(full, dtype=np.int64))
    want = {
        "same": full,
        "T": full[::-1],
        "row": (1, n),
        "col": (n, 1),
    }[how]
    if a.shape != want:
        raise ValueError(f"arranged shape {a.shape}, the convention gives {want}")
    return a.T if how == "T" else a.reshape(full)


# The expression language as plain numpy, to run d.einsum and d.code as Python text.
def _softmax(x: Any, axis: int | None = -1) -> Any:
    z = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return z / np.sum(z, axis=axis, keepdims=True)


def _logsumexp(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


LANGUAGE: dict[str, Any] = {
    "np": np,
    "pi": np.pi,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "relu": lambda x: np.maximum(x, 0.0),
    "step": lambda x: (np.asarray(x) > 0).astype(np.float64),
    "sum": lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
    "mean": lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims),
    "var": lambda x, axis=None, keepdims=False: np.var(x, axis=axis, keepdims=keepdims),
    "std": lambda x, axis=None, keepdims=False: np.std(x, axis=axis, keepdims=keepdims),
    "softmax": _softmax,
    "logsumexp": _logsumexp,
    "tr": np.trace,
    "trace": np.trace,
    "det": np.linalg.det,
    "logdet": lambda a: np.linalg.slogdet(a)[1],
    "inv": np.linalg.inv,
    "diag": np.diag,
    "norm": lambda x, order=None: np.linalg.norm(x, order),
    "inf": np.inf,
    **{name: getattr(kernels, name) for name in ("expm", "logm", "sqrtm", "sinm", "cosm")},
    "eigvalsh": np.linalg.eigvalsh,
    "svdvals": lambda a: np.linalg.svd(a, compute_uv=False),
    "outer": np.outer,
    "kron": np.kron,
    "vec": lambda a: np.asarray(a).reshape(-1, order="F"),
    "matrix_power": np.linalg.matrix_power,
    "eye": np.eye,
    "ones": np.ones,
    "einsum": np.einsum,
    # rearranging arrays (issue 14); reshape is row-major, numpy's default
    "reshape": np.reshape,
    "concatenate": np.concatenate,
    "stack": np.stack,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "strict_step": lambda x: np.where(
        np.asarray(x) > 0, 1.0, np.where(np.asarray(x) < 0, 0.0, np.nan)
    ),
}


def run_text(text: str, arrays: Mapping[str, Any], sizes: Mapping[str, int]) -> Any:
    """Evaluate printed Python/numpy text with the variables and named dimension sizes bound."""
    with np.errstate(all="ignore"):
        # matderiv's own printed output (never user text), run as a user would run it
        return eval(text, {"__builtins__": {}, **LANGUAGE, **sizes, **arrays})  # noqa: S307


# Finite differences ----------------------------------------------------------------------
#: How the derivative by a structured variable is read (issue 14): (structure, convention),
#: structure "symmetric" or "diagonal", convention "frobenius", "free" or None (diagonal).
Sense = tuple[str, str | None]


def _moves(shape: tuple[int, ...], sense: Sense | None) -> Iterator[tuple[Any, list[Any], float]]:
    """Each direction a finite difference moves along (every point stays structured), the
    entries of the derivative its difference quotient fills, and the factor it is filled with.

    A general variable: every entry alone. A symmetric one: S_pq and S_qp together (one free
    entry s_pq), filling (p, q) and (q, p) with ∂f/∂s_pq (``"free"``: the Matrix Cookbook's
    partial derivatives) or with half of it off the diagonal (``"frobenius"``: the gradient on
    the symmetric matrices, (G + Gᵀ)/2). A diagonal one: the diagonal entries alone; the others
    of the derivative stay 0.
    """
    if sense is None:
        for at in np.ndindex(*shape):
            e = np.zeros(shape)
            e[at] = 1.0
            yield e, [at], 1.0
        return
    structure, convention = sense
    n = shape[0]
    for p in range(n):
        for q in range(p, n):
            if structure == "diagonal" and q != p:
                continue
            e = np.zeros(shape)
            e[p, q] = e[q, p] = 1.0
            if p == q:
                yield e, [(p, p)], 1.0
            else:
                yield e, [(p, q), (q, p)], 0.5 if convention == "frobenius" else 1.0


def _central(
    fn: Fn, arrays: Mapping[str, np.ndarray], wrt: str, h: float, sense: Sense | None = None
) -> np.ndarray:
    x = np.asarray(arrays[wrt], dtype=np.float64)
    base = np.asarray(fn(arrays), dtype=np.float64)
    out = np.zeros(base.shape + x.shape)
    for e, fills, factor in _moves(x.shape, sense):
        f_plus = np.asarray(fn({**arrays, wrt: x + h * e}), dtype=np.float64)
        f_minus = np.asarray(fn({**arrays, wrt: x - h * e}), dtype=np.float64)
        for p in fills:
            out[(..., *p)] = factor * (f_plus - f_minus) / (2 * h)
    return out


def fd_jacobian(
    fn: Fn,
    arrays: Mapping[str, np.ndarray],
    wrt: str,
    h: float = 1e-3,
    richardson: bool = True,
    sense: Sense | None = None,
) -> np.ndarray:
    """∂fn/∂arrays[wrt] in the tensor layout (output axes, then the variable's axes), by central
    differences; with ``richardson`` the O(h²) error is cancelled: (4 D(h/2) − D(h)) / 3. By a
    structured variable (``sense``), in the sense of its convention (:func:`_moves`)."""
    if not richardson:
        return _central(fn, arrays, wrt, h, sense)
    out: np.ndarray = (
        4 * _central(fn, arrays, wrt, h / 2, sense) - _central(fn, arrays, wrt, h, sense)
    ) / 3
    return out


def value_fn(expr: md.Expr) -> Fn:
    """The function value of an expression, by matderiv's evaluator of values (no derivatives)."""
    from matderiv.numeric.evaluation import evaluate

    def fn(arrays: Mapping[str, np.ndarray]) -> Any:
        with np.errstate(all="ignore"):
            return evaluate(expr, **arrays)

    return fn


def expected_derivative(
    fn: Fn,
    arrays: Mapping[str, np.ndarray],
    wrts: tuple[str, ...],
    senses: Mapping[str, Sense] | None = None,
) -> Any:
    """Finite differences of ``fn`` by one variable, or nested by two (a second derivative):
    the estimate with a Richardson step, and a plain central one with another step, which
    confirms a mismatch (both estimates must agree with each other and not with the output).
    ``senses`` gives how the derivative by each structured variable is read."""
    sense = dict(senses or {})
    if len(wrts) == 1:
        (w,) = wrts
        s = sense.get(w)
        return (
            fd_jacobian(fn, arrays, w, sense=s),
            fd_jacobian(fn, arrays, w, h=1e-5, richardson=False, sense=s),
        )
    w1, w2 = wrts

    def nested(h: float) -> np.ndarray:  # large steps: roundoff is divided by h² here
        inner = sense.get(w1)
        return fd_jacobian(
            lambda a: fd_jacobian(fn, a, w1, h=h, sense=inner), arrays, w2, h=h, sense=sense.get(w2)
        )

    return nested(1e-2), nested(2e-2)


# Comparing every output ------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """One output of a derivative, compared with finite differences.

    status: ``ok``; ``wrong`` (numbers or shape differ, confirmed by a second finite
    difference); ``unsure`` (differs from one estimate but the two estimates disagree);
    ``crash`` (an exception that is not a matderiv error); ``error`` (a matderiv error other
    than a refusal, from a derivative that was returned); ``skip`` (not applicable: a layout the
    convention does not define, no matrix form, an einsum that is not self-contained, a
    NotSupportedError of this output).
    """

    kind: str
    status: str
    detail: str = ""


def outputs(
    d: md.Derivative, arrays: Mapping[str, np.ndarray], sizes: Mapping[str, int]
) -> Iterator[tuple[str, Callable[[], Any]]]:
    """(kind, thunk returning the tensor-layout array) for every output of ``d``; a thunk raises
    LayoutError for an undefined layout and ``_SkipError`` when the output does not exist."""
    out_shape = tuple(int(sizes.get(x, x)) if isinstance(x, str) else x for x in d.out_shape)
    wrt_shape = tuple(int(sizes.get(x, x)) if isinstance(x, str) else x for x in d.wrt.shape)
    full = out_shape + wrt_shape
    yield "evaluate", lambda: d.evaluate(dict(arrays))
    if d.form is not None:
        yield "evaluate:index", lambda: d.evaluate(dict(arrays), via="index")
    yield "compile", lambda: d.compile()(**arrays)

    def einsum() -> Any:
        text = d.einsum
        if "F," in text or ", F" in text or "(F)" in text:
            raise _SkipError("einsum text uses the fused operand F")
        return run_text(text, arrays, sizes)

    yield "einsum", einsum

    def code() -> Any:
        try:
            text = d.code
        except md.NotSupportedError as exc:
            raise _SkipError(f"no code: {exc}") from None
        if text is None:
            raise _SkipError("no matrix form")
        from matderiv.numeric.evaluation import Evaluator

        again = md.parse(text, {v.name: v.shape for v in d.variables | {d.wrt}})
        with np.errstate(all="ignore"):
            return Evaluator(dict(arrays), dict(sizes)).expr(again)

    yield "code", code
    rank = (len(out_shape), len(wrt_shape))
    for name in LAYOUTS:
        how = RECIPES[name].get(rank)

        def arranged(name: str = name, how: str | None = how, compiled: bool = False) -> Any:
            try:
                dl = d.to_layout(name)  # type: ignore[arg-type]
            except md.LayoutError:
                if how is None:
                    raise _SkipError(f"{name} layout undefined for ranks {rank}") from None
                raise
            if how is None:
                raise _ShapeError(f"to_layout({name!r}) accepted ranks {rank}, undefined there")
            value = dl.compile()(**arrays) if compiled else dl.evaluate(dict(arrays))
            try:
                return back_to_tensor(value, full, how)
            except ValueError as exc:
                raise _ShapeError(str(exc)) from None

        yield f"layout:{name}", arranged
        yield f"compile:{name}", partial(arranged, compiled=True)


class _SkipError(Exception):
    pass


class _ShapeError(Exception):
    pass


def compare(
    d: md.Derivative,
    arrays: Mapping[str, np.ndarray],
    sizes: Mapping[str, int],
    expected: tuple[np.ndarray, np.ndarray],
    rtol: float = 1e-5,
    atol: float = 1e-7,
    noise: float = 0.0,
) -> list[Outcome]:
    """Every output of ``d`` against the finite-difference estimates ``expected`` (a best estimate
    and a second one with another step, see :func:`expected_derivative`). ``noise`` bounds what
    rounding of the function's values alone does to the estimates (:func:`value_noise`): a
    mismatch below it is ``unsure``, since finite differences cannot see it."""
    best, second = expected
    scale = max(1.0, float(np.max(np.abs(best), initial=0.0)))
    tol = atol * scale

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, rtol=rtol, atol=tol))

    found: list[Outcome] = []
    for kind, thunk in outputs(d, arrays, sizes):
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(thunk(), dtype=np.float64)
        except _SkipError as exc:
            found.append(Outcome(kind, "skip", str(exc)))
            continue
        except _ShapeError as exc:
            found.append(Outcome(kind, "wrong", str(exc)))
            continue
        except (md.NotSupportedError, md.LayoutError) as exc:
            found.append(Outcome(kind, "skip", f"{type(exc).__name__}: {exc}"[:300]))
            continue
        except md.MatderivError as exc:
            found.append(Outcome(kind, "error", f"{type(exc).__name__}: {exc}"[:300]))
            continue
        except Exception as exc:
            found.append(Outcome(kind, "crash", f"{type(exc).__name__}: {exc}"[:300]))
            continue
        if kind in ("einsum", "code") and value.ndim == 0 and best.ndim:
            value = np.broadcast_to(value, best.shape)  # a printed 0 or 1 stands for every entry
        if value.shape != best.shape:
            found.append(Outcome(kind, "wrong", f"shape {value.shape}, expected {best.shape}"))
        elif close(value, best):
            found.append(Outcome(kind, "ok"))
        elif close(best, second) and not close(value, second):
            err = float(np.max(np.abs(value - best)))
            if err <= noise:
                # f ~ 1e21 next to a term of size 1: its difference quotient is lost in f's ulp,
                # and both estimates read 0
                found.append(Outcome(kind, "unsure", f"cancellation: error {err:.3g} is rounding"))
            elif err <= _rounding_of_terms(d, arrays, sizes):
                # terms of 1e27 that cancel to ~0: float64 cannot do better, whatever the formula
                found.append(Outcome(kind, "unsure", f"cancellation: error {err:.3g} is rounding"))
            else:
                found.append(Outcome(kind, "wrong", f"max abs error {err:.3g} (scale {scale:.3g})"))
        else:
            found.append(Outcome(kind, "unsure", "finite-difference estimates disagree"))
    return found


def value_noise(fn: Fn, arrays: Mapping[str, np.ndarray], order: int) -> float:
    """What rounding the function's values does to a difference quotient of this order: about
    ε |f| / h^order for the smallest step h of the best estimate (5e-4 for a first derivative,
    5e-3 for each of two nested ones), times a safety factor of 10."""
    with np.errstate(all="ignore"):
        size = float(np.max(np.abs(np.asarray(fn(arrays), dtype=np.float64)), initial=0.0))
    h = 5e-4 if order == 1 else 5e-3
    return 10 * 2.2e-16 * size / h**order if np.isfinite(size) else 0.0


def _rounding_of_terms(
    d: md.Derivative, arrays: Mapping[str, np.ndarray], sizes: Mapping[str, int]
) -> float:
    """How much float64 rounding alone can move the result: the largest term of the index form
    (evaluated one term at a time) times 1e-13. Magnitudes only: the values compared are still
    the outputs against finite differences."""
    from matderiv.engine.index import IndexExpr
    from matderiv.numeric.evaluation import Evaluator, bind_sizes

    expr = d.index_expr
    ev = Evaluator(arrays, {**bind_sizes(d.variables | {d.wrt}, arrays), **sizes})
    with np.errstate(all="ignore"):
        biggest = max(
            (float(np.max(np.abs(ev.index(IndexExpr((t,), expr.free))), initial=0.0))
             for t in expr.terms),
            default=0.0,
        )  # fmt: skip
    return 1e-13 * biggest if np.isfinite(biggest) else 0.0


def failures(found: list[Outcome], strict: bool = True) -> list[Outcome]:
    """The outcomes that are failures: wrong, crash and error (and unsure when ``strict``)."""
    bad = {"wrong", "crash", "error"} | ({"unsure"} if strict else set())
    return [o for o in found if o.status in bad]


@dataclass
class Checked:
    """A whole problem: derived (or refused), then every output compared.

    stage: ``refused`` (NotSupportedError while parsing or deriving), ``error`` (another matderiv
    error there), ``crash`` (any other exception there), ``unusable`` (the function is not finite
    near the sampled point, so finite differences say nothing), or ``derived``.
    """

    stage: str
    detail: str = ""
    outcomes: tuple[Outcome, ...] = ()

    def failures(self) -> list[Outcome]:
        return failures(list(self.outcomes))


def _at_a_tie(e: md.Expr, arrays: Mapping[str, np.ndarray]) -> bool:
    """Whether a kinked argument is exactly 0 at the point, or the two arguments of a maximum or
    minimum tie, whatever the sampler tried (``maximum(0.5, minimum(0.5, s))`` ties for every
    s > 0.5): there the derivative does not exist and matderiv raises DomainError."""
    from matderiv.language.domains import kink_arguments
    from matderiv.numeric.evaluation import Evaluator, bind_sizes

    ev = Evaluator(arrays, bind_sizes(e.variables(), arrays))
    with np.errstate(all="ignore"):
        return any(bool(np.any(ev.expr(k) == 0)) for k in kink_arguments([e]))


def check_problem(
    text: str,
    shapes: Mapping[str, Any],
    wrts: tuple[str, ...],
    seed: int = 0,
    symmetric: str | None = None,
) -> Checked:
    """Derive ``text`` by ``wrts`` (one variable, or two for a second derivative) and compare every
    output with finite differences of the function value at a sampled point. A variable may be
    declared symmetric or diagonal in ``shapes`` (``md.structured``); the derivative by it is
    taken in the convention ``symmetric`` and checked in that convention's own sense."""
    from matderiv.checks.finite import sample_inputs

    try:
        e = md.parse(text, dict(shapes))
        d = md.derive(e, wrts[0], symmetric=symmetric)  # type: ignore[arg-type]
        for w in wrts[1:]:
            d = md.derive(d, w, symmetric=symmetric)  # type: ignore[arg-type]
    except md.NotSupportedError as exc:
        return Checked("refused", str(exc))
    except md.MatderivError as exc:
        return Checked("error", f"{type(exc).__name__}: {exc}")
    except Exception as exc:
        return Checked("crash", f"{type(exc).__name__}: {exc}")
    arrays = sample_inputs([e, d.wrt], rng=seed)
    if _at_a_tie(e, arrays):
        return Checked("unusable", "the point is at a tie of maximum/minimum or at a kink")
    fn = value_fn(e)
    senses = {
        v.name: (v.structure, symmetric if v.structure == "symmetric" else None)
        for v in e.variables()
        if v.structure != "general"
    }
    try:
        expected = expected_derivative(fn, arrays, wrts, senses)
    except md.DomainError:  # the function itself overflows at the sampled point
        return Checked("unusable", "the function is not finite at the point")
    if not (np.all(np.isfinite(expected[0])) and np.all(np.isfinite(expected[1]))):
        return Checked("unusable", "the function is not finite near the point")
    noise = value_noise(fn, arrays, len(wrts))
    return Checked("derived", outcomes=tuple(compare(d, arrays, {}, expected, noise=noise)))
