"""Lowering an expression to index notation: the element formula of one entry.

``lower(e, idx)`` returns the terms of ``e[idx]``. Linear structure (sums, matrix products,
transposes, reductions, traces) is written out with indices; everything else becomes an
opaque factor that the derivative rules know how to differentiate. A sum that occurs inside
a product also stays one factor, ``(t u + v)_a``, so that results keep the factored shape a
person would write (``A u (t u + v)^T B^T`` rather than four expanded terms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from ..errors import NotSupportedError, unknown_kind
from ..language import nodes
from ..language.functions import REDUCE_OPS
from ..language.shapes import Dim, dim_product
from .index import Factor, Idx, Term, fresh, multiply, normalize_term

__all__ = ["as_factor", "carry", "delta", "lower", "operand_indices", "tensor"]


def tensor(node: nodes.Expr, idx: Sequence[Idx], power: Fraction = Fraction(1)) -> Term:
    """Return the single-factor term ``node[idx] ** power``."""
    return Term(Fraction(1), (Factor("tensor", tuple(idx), node, Fraction(power)),))


def delta(i: Idx, j: Idx) -> Term:
    """Return the term δ_ij."""
    return Term(Fraction(1), (Factor("delta", (i, j)),))


def dim_term(dim: Dim, power: int) -> Term:
    """Return the scalar term ``dim ** power`` (a coefficient when the size is an int)."""
    if isinstance(dim, int):
        return Term(Fraction(dim) ** power)
    return Term(Fraction(1), (Factor("dim", (), None, Fraction(power), name=dim),))


def operand_indices(idx: Sequence[Idx], e: nodes.Expr) -> tuple[Idx, ...]:
    """The indices of a broadcast operand ``e`` at the element ``idx`` of the result.

    As in numpy, ``e``'s axes match the trailing axes of the result; an axis of size 1 in
    ``e`` where the result is longer reads its one entry, through a new index of range 1.
    """
    trailing = tuple(idx[len(idx) - e.ndim :]) if e.ndim else ()
    return tuple(
        i if d == i.dim or d != 1 else fresh(1) for i, d in zip(trailing, e.shape, strict=True)
    )


def as_factor(e: nodes.Expr, idx: Sequence[Idx], power: Fraction = Fraction(1)) -> list[Term]:
    """Return ``e[idx] ** power`` as terms that stay factored.

    A sub-expression whose element formula is a single product is written out (``A_ia x_a``);
    a sum, or anything raised to a power other than 1, stays one opaque factor.
    """
    if isinstance(e, nodes.Const):
        if e.value == 0 and power <= 0:
            return _zero_power(e)
        if power.denominator != 1:  # an irrational constant such as 2 ** 0.5 stays a factor
            return [tensor(nodes.Pow(e, nodes.Const(power)), ())]
        return [Term(e.value ** int(power))]
    terms = lower(e, idx)
    if len(terms) == 1:
        t = terms[0]
        if power == 1:
            return [t]
        inner = set(idx)
        if (
            t.coeff == 1
            and len(t.factors) == 1
            and t.factors[0].kind == "tensor"
            and all(i in inner for i in t.factors[0].indices)
        ):
            f = t.factors[0]
            return [Term(Fraction(1), (merge_powers(f, power),))]
        if t.coeff == 1 and len(t.factors) == 1 and t.factors[0].kind == "dim":
            f = t.factors[0]  # a size is positive: (B^p)^q = B^(pq), and B / B cancels
            return [Term(Fraction(1), (replace(f, power=f.power * power),))]
    if not terms:
        if power > 0:
            return []
        raise NotSupportedError(f"{e} is identically zero and is raised to the power {power}")
    return [tensor(e, idx, power)]


def merge_powers(f: Factor, power: Fraction) -> Factor:
    """Return the factor ``(f.node ** f.power) ** power`` as one power of a real base.

    (u^p)^q = u^(pq) holds wherever the left side is real, except for an even integer p and a
    non-integer q: then u^p is positive for negative u and the identity is (u^p)^q = |u|^(pq),
    so (x²)^2.5 = |x|⁵, not x⁵ (and (s²)^(1/3) is real at s < 0). For any other p the left
    side is undefined for negative u under a non-integer q, so merging loses nothing.
    """
    assert f.node is not None
    p = f.power
    if power.denominator != 1 and p.denominator == 1 and p.numerator % 2 == 0:
        return Factor("tensor", f.indices, nodes.Func("abs", f.node), p * power)
    return Factor("tensor", f.indices, f.node, p * power)


def _zero_power(e: nodes.Expr) -> list[Term]:
    raise NotSupportedError(f"division by zero: the constant {e} is raised to a negative power")


def lower(e: nodes.Expr, idx: Sequence[Idx]) -> list[Term]:
    """Return the terms of the element ``e[idx]`` (``idx`` has one index per axis of ``e``)."""
    if len(idx) != e.ndim:
        raise AssertionError(f"lowering {e} with {len(idx)} indices for {e.ndim} axes")
    method = _LOWER.get(type(e))
    if method is None:  # opaque: inv, det, logdet, softmax, norm, elementwise functions ...
        return [tensor(e, idx)]
    return [carry(t, idx) for t in method(e, tuple(idx))]


def carry(term: Term, idx: Sequence[Idx]) -> Term:
    """Return ``term`` with a ones factor over every index of ``idx`` that no factor carries.

    A broadcast operand (``b`` in ``X + b``, a constant, a scalar) does not depend on some
    indices of the element it is part of. Its term must still carry them: when an enclosing
    ``sum``, trace or contraction sums over such an index, the term contributes once per value
    of the index, so the range multiplies it (Σ_a b_j = B b_j). An index that vanished from
    every factor would silently drop that factor; the ones factor keeps it until
    δ-contraction turns it into the size of its range.
    """
    carried = {i for f in term.factors for i in f.indices}
    missing = [i for i in dict.fromkeys(idx) if i not in carried]
    if not missing:
        return term
    pad = Factor("tensor", tuple(missing), nodes.Ones(tuple(i.dim for i in missing)))
    return Term(term.coeff, (*term.factors, pad))


def _var(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    return [tensor(e, idx)]


def _const(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Const)
    return [Term(e.value)] if e.value != 0 else []


def _pi(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    return [tensor(e, ())]


def _size(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Size)
    return [dim_term(e.name, 1)]


def _add(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Add)
    out: list[Term] = []
    for arg in e.args:
        out.extend(lower(arg, operand_indices(idx, arg)))
    return out


def _mul(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Mul)
    return multiply(*(as_factor(arg, operand_indices(idx, arg)) for arg in e.args))


def _pow(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Pow)
    if isinstance(e.exponent, nodes.Const):
        p = e.exponent.value
        if p == 0:
            return [Term(Fraction(1))]
        if p == 1:
            return lower(e.base, idx)
        return as_factor(e.base, operand_indices(idx, e.base), p)
    return [tensor(e, idx)]


def _matmul(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.MatMul)
    a, b = e.left, e.right
    k = fresh(a.shape[-1])
    if a.ndim >= 2 and b.ndim >= 2:
        batch = idx[: a.ndim - 2]
        ia = (*batch, idx[-2], k)
        ib = (*batch, k, idx[-1])
    elif a.ndim == 1 and b.ndim == 1:
        ia, ib = (k,), (k,)
    elif a.ndim == 1:
        ia, ib = (k,), (k, idx[0])
    else:
        ia, ib = (idx[0], k), (k,)
    return multiply(as_factor(a, ia), as_factor(b, ib))


def _transpose(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Transpose)
    return lower(e.arg, tuple(reversed(idx)))


def _reduce(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Reduce)
    kept = iter(idx)
    arg_idx: list[Idx] = []
    sizes: list[Dim] = []
    for axis, d in enumerate(e.arg.shape):
        if axis in e.reduced:
            arg_idx.append(fresh(d))
            sizes.append(d)
        else:
            arg_idx.append(next(kept))
    terms = lower(e.arg, arg_idx)
    match e.op:
        case "sum":
            return terms
        case "mean":
            return multiply(terms, *([dim_term(d, -1)] for d in sizes))
        case _:
            unknown_kind(e.op, "reduction", REDUCE_OPS)


def _keepdims(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.KeepDims)
    return lower(e.arg, tuple(i for n, i in enumerate(idx) if n not in e.axes))


def _trace(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Trace)
    k = fresh(e.arg.shape[0])
    return lower(e.arg, (k, k))


def _diag(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Diag)
    if e.arg.ndim == 1:
        return multiply(lower(e.arg, (idx[0],)), [delta(idx[0], idx[1])])
    return lower(e.arg, (idx[0], idx[0]))


def _outer(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Outer)
    return multiply(as_factor(e.left, (idx[0],)), as_factor(e.right, (idx[1],)))


def fuse(whole: Idx, major: Idx, minor: Idx) -> Term:
    """Return the 0/1 factor [whole = major·|minor| + minor]."""
    return Term(Fraction(1), (Factor("fuse", (whole, major, minor)),))


def _kron(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Kron)
    a, b = e.left, e.right
    ia = tuple(fresh(d) for d in a.shape)
    ib = tuple(fresh(d) for d in b.shape)
    fuses = [[fuse(w, x, y)] for w, x, y in zip(idx, ia, ib, strict=True)]
    return multiply(as_factor(a, ia), as_factor(b, ib), *fuses)


def _vec(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Vec)
    r, c = fresh(e.arg.shape[0]), fresh(e.arg.shape[1])
    return multiply(lower(e.arg, (r, c)), [fuse(idx[0], c, r)])


def _eye(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    return [delta(idx[0], idx[1])]


def _ones(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Ones)
    return [tensor(e, idx)]


def _einsum(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Einsum)
    letters: dict[str, Idx] = dict(zip(e.output, idx, strict=True))
    groups = []
    for sub, arg in zip(e.inputs, e.args, strict=True):
        arg_idx = [letters.setdefault(c, fresh(d)) for c, d in zip(sub, arg.shape, strict=True)]
        groups.append(as_factor(arg, arg_idx))
    return multiply(*groups)


# Rearranging arrays (issue 14): indexing, reshape, concatenate, stack -----------------------
# Each is linear, so it lowers to 0/1 factors: a row of the identity e_k = eye(n)[k] for an int
# index, a selection matrix eye(n)[1:3] for a slice, and fuse chains for row-major flattening.
def _select(dim: Dim, item: nodes.Span | int, out: Idx | None) -> tuple[Idx, list[Term]]:
    """The index of the indexed axis and the factor that selects it (none for ``:``)."""
    if isinstance(item, nodes.Span) and item.full:
        assert out is not None
        return out, []
    a = fresh(dim)
    picker = nodes.Subscript(nodes.Eye(dim), (item,))
    return a, [tensor(picker, (a,) if out is None else (out, a))]


def _subscript(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Subscript)
    if isinstance(e.arg, nodes.Eye):  # a selection factor itself: a constant leaf
        return [tensor(e, idx)]
    rest = iter(idx)
    arg_idx: list[Idx] = []
    pickers: list[list[Term]] = []
    for item, d in zip(e.key, e.arg.shape, strict=True):
        i, picked = _select(d, item, None if isinstance(item, int) else next(rest))
        arg_idx.append(i)
        if picked:
            pickers.append(picked)
    return multiply(lower(e.arg, arg_idx), *pickers)


def _flatten(idx: Sequence[Idx], final: Idx | None = None) -> tuple[Idx, list[list[Term]]]:
    """The row-major flat index of ``idx`` and the fuse factors that define it (the last one
    ``final`` when given)."""
    if len(idx) == 1:
        assert final is None
        return idx[0], []
    cur, fuses = idx[0], []
    for n, i in enumerate(idx[1:], start=2):
        size = dim_product(j.dim for j in idx[:n])
        whole = final if final is not None and n == len(idx) else fresh(size)
        fuses.append([fuse(whole, cur, i)])
        cur = whole
    return cur, fuses


def _reshape(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Reshape)
    flat, out_fuses = _flatten(idx)
    if e.arg.ndim == 1:
        return multiply(lower(e.arg, (flat,)), *out_fuses)
    src = [fresh(d) for d in e.arg.shape]
    _, in_fuses = _flatten(src, final=flat)
    return multiply(lower(e.arg, src), *out_fuses, *in_fuses)


def _join(e: nodes.Expr, idx: tuple[Idx, ...]) -> list[Term]:
    assert isinstance(e, nodes.Join)
    ax, count = e.axis, len(e.args)
    if e.kind == "stack":
        rest = idx[:ax] + idx[ax + 1 :]
        out: list[Term] = []
        for m, arg in enumerate(e.args):
            unit = tensor(nodes.Subscript(nodes.Eye(count), (m,)), (idx[ax],))
            out.extend(multiply([unit], lower(arg, rest)))
        return out
    if count == 1:
        return lower(e.args[0], idx)
    sizes = e.parts(ax)
    total, i = e.shape[ax], idx[ax]
    block = fresh(count)  # equal named sizes: i = block * |part| + a (a fuse)
    out, offset = [], 0
    for m, (arg, d) in enumerate(zip(e.args, sizes, strict=True)):
        a = fresh(d)
        if isinstance(total, int):
            assert isinstance(d, int)
            span = nodes.Span(offset, offset + d)
            offset += d
            picker = nodes.Subscript(nodes.Eye(total), (nodes.Span(), span))
            pick = [[tensor(picker, (i, a))]]
        else:
            unit = tensor(nodes.Subscript(nodes.Eye(count), (m,)), (block,))
            pick = [[fuse(i, block, a)], [unit]]
        out.extend(multiply(lower(arg, (*idx[:ax], a, *idx[ax + 1 :])), *pick))
    return out


_LOWER = {
    nodes.Var: _var,
    nodes.Const: _const,
    nodes.Pi: _pi,
    nodes.Size: _size,
    nodes.Add: _add,
    nodes.Mul: _mul,
    nodes.Pow: _pow,
    nodes.MatMul: _matmul,
    nodes.Transpose: _transpose,
    nodes.Reduce: _reduce,
    nodes.KeepDims: _keepdims,
    nodes.Trace: _trace,
    nodes.Diag: _diag,
    nodes.Outer: _outer,
    nodes.Kron: _kron,
    nodes.Vec: _vec,
    nodes.Eye: _eye,
    nodes.Ones: _ones,
    nodes.Einsum: _einsum,
    nodes.Subscript: _subscript,
    nodes.Reshape: _reshape,
    nodes.Join: _join,
}


def lower_normalized(e: nodes.Expr, idx: Sequence[Idx]) -> list[Term]:
    """Lower and merge equal factors in every term."""
    return [t for t in (normalize_term(t) for t in lower(e, idx)) if t is not None]
