"""Scalar-by-scalar derivative rules, one small function per node type.

Each rule returns the terms of ∂ node[idx] / ∂ wrt[p] given ``dlower``, a callback that
differentiates the element formula of a sub-expression at given indices. Rules produce
Kronecker deltas (through ``dlower`` reaching the variable) and opaque factors such as
``inv(X)``; the deltas are contracted later.

Elementwise functions carry their derivative in their declaration
(:data:`matderiv.language.specs.ELEMENTWISE`), as an expression in the argument, so σ'(y) prints
as ``sigmoid'(y)`` and evaluates as σ(y)(1 − σ(y)).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from ..errors import NotSupportedError
from ..language import nodes
from ..language.matfun import FRECHET
from .index import Idx, Term, fresh, multiply
from .lowering import as_factor, delta, lower, operand_indices, tensor

__all__ = ["RULES", "DLower", "opaque_derivative"]

DLower = Callable[[nodes.Expr, Sequence[Idx]], list[Term]]

_HALF = Fraction(1, 2)


def _c(v: int | Fraction) -> nodes.Const:
    return nodes.Const(Fraction(v))


def _func(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.Func)
    rule = e.spec.prime
    if rule is None:  # piecewise constant: the derivative is 0 wherever it exists
        return []
    prime = rule(e.arg)
    if not isinstance(prime, nodes.Expr):
        raise TypeError(f"the derivative rule of {e.name!r} returned {prime!r}, not an expression")
    return multiply(as_factor(prime, idx), dlower(e.arg, idx))


def _pow(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.Pow)
    a, b = e.base, e.exponent
    ia, ib = operand_indices(idx, a), operand_indices(idx, b)
    # d(a^b) = b a^(b-1) da + a^b log(a) db
    first = multiply(
        as_factor(nodes.Mul((b, nodes.Pow(a, nodes.Add((b, _c(-1)))))), idx), dlower(a, ia)
    )
    second = multiply(as_factor(nodes.Mul((e, nodes.Func("log", a))), idx), dlower(b, ib))
    return first + second


def _inv(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.Inv)
    n = e.shape[0]
    a, b = fresh(n), fresh(n)
    inner = dlower(e.arg, (a, b))
    return multiply([Term(Fraction(-1))], [tensor(e, (idx[0], a))], inner, [tensor(e, (b, idx[1]))])


def _det(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.Det)
    n = e.arg.shape[0]
    a, b = fresh(n), fresh(n)
    return multiply([tensor(e, ())], [tensor(nodes.Inv(e.arg), (b, a))], dlower(e.arg, (a, b)))


def _logdet(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.LogDet)
    n = e.arg.shape[0]
    a, b = fresh(n), fresh(n)
    return multiply([tensor(nodes.Inv(e.arg), (b, a))], dlower(e.arg, (a, b)))


def _softmax(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.Softmax)
    axes = range(e.ndim) if e.axis is None else (e.axis,)
    other = list(idx)
    deltas: list[list[Term]] = []
    for ax in axes:
        other[ax] = fresh(e.shape[ax])
        deltas.append([delta(idx[ax], other[ax])])
    dx = dlower(e.arg, other)
    s, s_other = [tensor(e, idx)], [tensor(e, other)]
    diagonal = multiply(s, *deltas, dx)
    cross = multiply([Term(Fraction(-1))], s, s_other, dx)
    return diagonal + cross


def _logsumexp(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.LogSumExp)
    full = list(idx)
    if e.axis is None:
        full = [fresh(d) for d in e.arg.shape]
    else:
        full.insert(e.axis, fresh(e.arg.shape[e.axis]))
    s = nodes.Softmax(e.arg, e.axis if e.axis is not None else None)
    return multiply([tensor(s, full)], dlower(e.arg, full))


def _norm(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.Norm)
    inner = [fresh(d) for d in e.arg.shape]
    return multiply(as_factor(e.arg, inner), [tensor(e, (), Fraction(-1))], dlower(e.arg, inner))


# matrix functions and spectral functions (language/matfun.py, language/spectral.py) ----------


def _matfun(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    """∂f(X)_ij = Σ_ab L_f(X)[i, j, a, b] ∂X_ab: the opaque Fréchet factor."""
    assert isinstance(e, nodes.Unary)
    n = e.shape[0]
    a, b = fresh(n), fresh(n)
    frechet = FRECHET[type(e)](e.arg)
    return multiply([tensor(frechet, (idx[0], idx[1], a, b))], dlower(e.arg, (a, b)))


def _pair(
    left: nodes.Expr, right: nodes.Expr, k: Idx | None, arg: nodes.Expr
) -> Callable[[DLower], list[Term]]:
    """Σ_ab left[a(, k)] right[b(, k)] ∂arg_ab: the derivative of a singular value (or of
    the spectral norm, with no k) through its singular vectors."""

    def terms(dlower: DLower) -> list[Term]:
        a, b = fresh(arg.shape[0]), fresh(arg.shape[1])
        ia, ib = ((a, k), (b, k)) if k is not None else ((a,), (b,))
        return multiply([tensor(left, ia)], [tensor(right, ib)], dlower(arg, (a, b)))

    return terms


def _eigvalsh(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    """∂λ_k = Σ_ab U_ak U_bk W_ab ∂S_ab, W weighting the lower triangle numpy reads."""
    assert isinstance(e, nodes.Eigvalsh)
    u = nodes.EighVectors(e.arg)
    n = e.arg.shape[0]
    a, b = fresh(n), fresh(n)
    weights = [tensor(nodes.LowerWeights(e.arg), (a, b))]
    pair = [tensor(u, (a, idx[0]))], [tensor(u, (b, idx[0]))]
    return multiply(*pair, weights, dlower(e.arg, (a, b)))


def _svdvals(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.Svdvals)
    return _pair(nodes.SvdU(e.arg), nodes.SvdV(e.arg), idx[0], e.arg)(dlower)


def _spectral_norm(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    assert isinstance(e, nodes.SpectralNorm)
    return _pair(nodes.TopU(e.arg), nodes.TopV(e.arg), None, e.arg)(dlower)


def _through(
    factor: type[nodes.Unary],
) -> Callable[[nodes.Expr, Sequence[Idx], DLower], list[Term]]:
    """∂g(x) = Σ_a factor(x)[a...] ∂x[a...]: a scalar whose gradient is one factor."""

    def rule(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
        assert isinstance(e, nodes.Unary)
        inner = [fresh(d) for d in e.arg.shape]
        return multiply([tensor(factor(e.arg), inner)], dlower(e.arg, inner))

    return rule


def _frechet_apply(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    """∂ L_f(X, E)_ij = Σ_ab L_f(X)[i, j, a, b] ∂E_ab: linear in E. Through X it would be a
    second Fréchet derivative, which is not supported."""
    assert isinstance(e, nodes.FrechetApply)
    n = e.shape[0]
    a, b = fresh(n), fresh(n)
    if dlower(e.arg, (a, b)):
        raise NotSupportedError(
            f"{e}: its derivative through X is a second Fréchet derivative of {e.function}, "
            "which is not supported (only its derivative by E, linear, is)"
        )
    return multiply([tensor(e.factor, (idx[0], idx[1], a, b))], dlower(e.direction, (a, b)))


def _no_second(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    raise NotSupportedError(
        f"{e} is a factor of the derivative of a matrix or spectral function; second "
        "derivatives of matrix functions, spectral functions and nonsmooth norms are not "
        "supported"
    )


def _constant(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    return []


def _linear(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    """An opaque factor of a linear node (a sum kept factored): differentiate its lowering."""
    return dlower(e, idx)


def _extremum(e: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    """∂ max(a, b) = [a > b] ∂a + [b > a] ∂b (min: the other way round); ``strict_step`` is
    undefined at a tie, so a derivative evaluated where a == b raises DomainError."""
    assert isinstance(e, nodes.Extremum)
    a, b = e.left, e.right
    up, down = (a, b) if e.op == "maximum" else (b, a)
    pick_a = nodes.Func("strict_step", up - down)
    pick_b = nodes.Func("strict_step", down - up)
    da = multiply(as_factor(pick_a, idx), dlower(a, operand_indices(idx, a)))
    db = multiply(as_factor(pick_b, idx), dlower(b, operand_indices(idx, b)))
    return da + db


RULES: dict[type, Callable[[nodes.Expr, Sequence[Idx], DLower], list[Term]]] = {
    nodes.Func: _func,
    nodes.Pow: _pow,
    nodes.Inv: _inv,
    nodes.Det: _det,
    nodes.LogDet: _logdet,
    nodes.Softmax: _softmax,
    nodes.LogSumExp: _logsumexp,
    nodes.Norm: _norm,
    nodes.Ones: _constant,
    nodes.Pi: _constant,
    nodes.Size: _constant,
    nodes.Const: _constant,
    # matrix functions and spectral functions
    **dict.fromkeys(FRECHET, _matfun),
    **dict.fromkeys(FRECHET.values(), _no_second),
    nodes.FrechetApply: _frechet_apply,
    nodes.Eigvalsh: _eigvalsh,
    nodes.Svdvals: _svdvals,
    nodes.SpectralNorm: _spectral_norm,
    nodes.NuclearNorm: _through(nodes.Polar),
    nodes.Norm1: _through(nodes.KinkSign),
    nodes.NormInf: _through(nodes.MaxSign),
    nodes.LowerWeights: _constant,
    **dict.fromkeys(
        (nodes.EighVectors, nodes.SvdU, nodes.SvdV, nodes.TopU, nodes.TopV, nodes.Polar),
        _no_second,
    ),
    **dict.fromkeys((nodes.KinkSign, nodes.MaxSign), _no_second),
    nodes.Extremum: _extremum,
}


def opaque_derivative(node: nodes.Expr, idx: Sequence[Idx], dlower: DLower) -> list[Term]:
    """Return ∂ node[idx] for an opaque factor, by its rule or through its lowering."""
    rule = RULES.get(type(node))
    if rule is not None:
        return rule(node, idx, dlower)
    terms = lower(node, idx)
    if len(terms) == 1 and len(terms[0].factors) == 1 and terms[0].factors[0].node == node:
        raise NotSupportedError(f"no derivative rule for {type(node).__name__} node {node}")
    return _linear(node, idx, dlower)
