"""Reassembly: from index notation back to matrix notation, where one exists.

Each term is read as a small tensor network. Factors become operands with a row index and a
column index (a column vector has no column index, a row vector no row index). A summed index
shared by two operands is a matrix product, oriented with transposes so that the index sits
between them; a summed index in one operand only is a sum over that axis; a δ between two free
indices is ``I``; a free index shared by two operands is a Hadamard product or a ``diag``; two
vectors with different free indices make an outer product. A term that matches none of these
returns ``None`` and the result stays in einsum form: it is never forced into a wrong matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..errors import unknown_kind
from ..language.expression import Expr
from ..language.functions import Diag, Reduce, Trace
from . import matrixform as mf
from .frechet import applied
from .index import FACTOR_KINDS, Factor, Idx, IndexExpr, Term
from .reassembly_ops import (
    best_axis_sum,
    factor_common,
    factor_left,
    hadamard_axis_sum,
    readability,
)

__all__ = ["connected", "reassemble", "reassemble_factors", "reassemble_term"]


@dataclass(frozen=True)
class _Op:
    form: mf.MForm
    left: Idx | None
    right: Idx | None

    def idx(self) -> set[Idx]:
        return {i for i in (self.left, self.right) if i is not None}

    def t(self) -> _Op:
        return _Op(mf.transpose(self.form), self.right, self.left)

    def with_left(self, k: Idx) -> _Op:
        return self if self.left == k else self.t()

    def with_right(self, k: Idx) -> _Op:
        return self if self.right == k else self.t()


class _NoMatrixFormError(Exception):
    pass


def _atom_op(e: Expr, idx: Sequence[Idx]) -> _Op:
    if len(idx) == 0:
        return _Op(mf.Atom(e), None, None)
    if len(idx) == 1:
        return _Op(mf.Atom(e), idx[0], None)
    return _Op(mf.Atom(e), idx[0], idx[1])


def reassemble_term(term: Term, free: Sequence[Idx]) -> mf.Scaled | None:
    """Return the matrix form of one term, or None when it has none."""
    try:  # a Fréchet factor contracted with a matrix is that matrix's VJP (engine/frechet.py)
        return _reassemble(applied(term, free, reassemble_term), tuple(free))
    except _NoMatrixFormError:
        return None


def _count(ops: list[_Op], k: Idx) -> list[_Op]:
    return [o for o in ops if k in (o.left, o.right)]


def connected(factors: Sequence[Factor], seeds: set[Idx], free: set[Idx]) -> set[int]:
    """Positions of the factors linked to ``seeds`` through shared non-free indices."""
    reach, grabbed = set(seeds), set()
    changed = True
    while changed:
        changed = False
        for n, f in enumerate(factors):
            if n not in grabbed and reach & set(f.indices):
                grabbed.add(n)
                reach |= {i for i in f.indices if i not in free}
                changed = True
    return grabbed


def _fused(term: Term, free: tuple[Idx, ...]) -> mf.Scaled | None:
    """Kronecker products and vec: every free index is the whole of one fuse factor."""
    fuses = [f for f in term.factors if f.kind == "fuse"]
    if not fuses:
        return None
    if len(fuses) != len(free) or [f.indices[0] for f in fuses] != list(free):
        raise _NoMatrixFormError
    rest = [f for f in term.factors if f.kind != "fuse"]
    if any(i in free for f in rest for i in f.indices):
        # another factor reads the combined axis itself (e.g. diag(M)[p] * vec(N)[p]): the
        # parts below would treat it as summed. Stay in index form rather than guess.
        raise _NoMatrixFormError
    majors = tuple(f.indices[1] for f in fuses)
    minors = tuple(f.indices[2] for f in fuses)
    if set(majors) & set(minors):  # F[i; a, a] (the vec of a diagonal): not a Kronecker product
        raise _NoMatrixFormError
    inner = set(majors) | set(minors)
    left = connected(rest, set(majors), inner)
    right = connected(rest, set(minors), inner)
    if not left & right:
        a = _reassemble(Term(Fraction(1), tuple(rest[n] for n in sorted(left))), majors)
        b = _reassemble(Term(Fraction(1), tuple(rest[n] for n in sorted(right))), minors)
        others = [rest[n] for n in range(len(rest)) if n not in left | right]
        scalars = _scalar_factors(others)
        if a.body is not None and b.body is not None:
            return mf.Scaled(
                term.coeff * a.coeff * b.coeff,
                a.scalars + b.scalars + scalars,
                mf.KronOf(a.body, b.body),
            )
    if len(fuses) == 1:  # vec(M) with M[minor, major] (column-major)
        m = _reassemble(Term(Fraction(1), tuple(rest)), (minors[0], majors[0]))
        if m.body is not None:
            return mf.Scaled(term.coeff * m.coeff, m.scalars, mf.VecOf(m.body))
    raise _NoMatrixFormError


def _scalar_factors(factors: list[Factor]) -> tuple[tuple[mf.MForm, Fraction], ...]:
    out: list[tuple[mf.MForm, Fraction]] = []
    for f in factors:
        if f.indices:
            raise _NoMatrixFormError
        match f.kind:
            case "dim":
                out.append((mf.ScalarOf("dim", name=f.name), f.power))
            case "tensor":
                assert f.node is not None
                out.append((mf.Atom(f.node), f.power))
            case "delta" | "fuse":  # never without indices
                raise _NoMatrixFormError
            case _:
                unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
    return tuple(out)


def _reassemble(term: Term, free: tuple[Idx, ...]) -> mf.Scaled:
    if len(free) > 2:
        raise _NoMatrixFormError
    fused = _fused(term, free)
    if fused is not None:
        return fused
    scalars: list[tuple[mf.MForm, Fraction]] = []
    ops: list[_Op] = []
    for f in term.factors:
        match f.kind:
            case "dim":
                scalars.append((mf.ScalarOf("dim", name=f.name), f.power))
            case "delta":
                ops.append(_Op(mf.Identity(f.indices[0].dim), f.indices[0], f.indices[1]))
            case "fuse":
                raise _NoMatrixFormError
            case "tensor":
                assert f.node is not None
                if len(f.indices) > 2:
                    raise _NoMatrixFormError
                if not f.indices:
                    scalars.append((mf.Atom(f.node), f.power))
                else:
                    ops.append(_atom_op(mf.as_power(f.node, f.power), f.indices))
            case _:
                unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
    ops = [_diagonals(o, ops, free, scalars) for o in ops]
    ops = [o for o in ops if not _is_scalar(o, scalars)]
    op, scalars = _best_order(ops, free, scalars)
    if op is None:
        return mf.Scaled(term.coeff, tuple(scalars), None)
    return mf.Scaled(term.coeff, tuple(scalars), op.form)


#: How many contraction steps the search over summed-index orders may take for one term.
_ORDER_BUDGET = 200

_Scalars = list[tuple[mf.MForm, Fraction]]


#: How many summed indices are tried as the first contraction, the most readable result kept.
_FIRST_CHOICES = 4


def _best_order(
    ops: list[_Op], free: tuple[Idx, ...], scalars: _Scalars
) -> tuple[_Op | None, _Scalars]:
    """Contract the term starting from each of its first summed indices in turn and keep the
    most readable form (:func:`readability`; the first on a tie). Every order gives the same
    numbers; in a cycle such as ``Σ_bc W2[j,c] R[b,c] F[b,j]`` the orders differ in print:
    ``sum(F * R W2^T, axis=0)`` rather than ``sum(W2 * F^T R, axis=1)``."""
    summed = [
        i
        for i in dict.fromkeys(i for o in ops for i in (o.left, o.right))
        if i is not None and i not in free
    ]
    if len(summed) < 2 or not _has_cycle(ops):
        return _contract_all(ops, free, scalars, [_ORDER_BUDGET])
    best: tuple[tuple[int, int], tuple[_Op | None, _Scalars]] | None = None
    for k in summed[:_FIRST_CHOICES]:
        mine = list(scalars)
        try:
            got = _contract_all(_contract_one(ops, k, free, mine), free, mine, [_ORDER_BUDGET])
        except _NoMatrixFormError:
            continue
        cost = readability(got[0].form) if got[0] is not None else (0, 0)
        if best is None or cost < best[0]:
            best = (cost, got)
    if best is None:
        raise _NoMatrixFormError
    return best[1]


def _has_cycle(ops: list[_Op]) -> bool:
    """Whether the operands with two indices, as edges between their indices, close a cycle
    (only then do contraction orders print differently)."""
    parent: dict[Idx, Idx] = {}

    def root(i: Idx) -> Idx:
        while parent.get(i, i) != i:
            i = parent[i]
        return i

    for o in ops:
        if o.left is not None and o.right is not None and o.left != o.right:
            a, b = root(o.left), root(o.right)
            if a == b:
                return True
            parent[a] = b
    return False


def _contract_all(
    ops: list[_Op], free: tuple[Idx, ...], scalars: _Scalars, budget: list[int]
) -> tuple[_Op | None, _Scalars]:
    """Contract every summed index, then combine what is left into one operand.

    Summed indices are tried in order of appearance, never in set order (a set of indices
    iterates in string-hash order, which made the result change from run to run). The first
    order that reassembles wins; when an order leads to a network with no matrix form, the next
    index is tried instead, within ``budget`` contraction steps.
    """
    present = dict.fromkeys(i for o in ops for i in (o.left, o.right) if i is not None)
    summed = [i for i in present if i not in free]
    if not summed:
        return _finish(ops, free), scalars
    for k in summed:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        mine = list(scalars)
        try:
            return _contract_all(_contract_one(ops, k, free, mine), free, mine, budget)
        except _NoMatrixFormError:
            continue
    raise _NoMatrixFormError


def _contract_one(ops: list[_Op], k: Idx, free: tuple[Idx, ...], scalars: _Scalars) -> list[_Op]:
    """Sum over one index: a matrix product, a sum over an axis, or a Hadamard/diag merge."""
    holders = _count(ops, k)
    rest = [o for o in ops if o not in holders]
    if len(holders) == 1:
        rest.append(_sum_axis(holders[0], k, ops, free))
    elif len(holders) == 2:
        a, b = holders
        summed = _diagonal_sum(a, b, k, ops, free)
        if summed is not None:
            rest.append(summed)
        else:
            a, b = a.with_right(k), b.with_left(k)
            rest.append(_Op(_chain(a.form, b.form), a.left, b.right))
    else:
        rest.extend(_merge_shared(holders, k))
    rest = [_diagonals(o, rest, free, scalars) for o in rest]
    return [o for o in rest if not _is_scalar(o, scalars)]


def _diagonal_sum(a: _Op, b: _Op, k: Idx, ops: list[_Op], free: tuple[Idx, ...]) -> _Op | None:
    """``Σ_k A[j,k] B[k,j]`` with j kept (free, or shared with a third operand): the diagonal of
    a product, written ``sum(A^T * B, axis=0)`` rather than ``diag(A B)``. None otherwise, and
    for j summed between these two alone (a trace, which ``_diagonals`` writes)."""
    if a.idx() != b.idx() or len(a.idx()) != 2:
        return None
    (j,) = a.idx() - {k}
    if j not in free and len(_count(ops, j)) <= 2:
        return None
    form = hadamard_axis_sum(
        a.with_left(k).form, b.with_left(k).form, a.with_left(j).form, b.with_left(j).form
    )
    return None if form is None else _Op(form, j, None)


def _finish(ops: list[_Op], free: tuple[Idx, ...]) -> _Op | None:
    """Combine operands that carry only free indices into one, oriented as ``free``."""
    ops = list(ops)
    present = {i for o in ops for i in o.idx()}
    for i in free:
        if i not in present:
            ops.insert(0, _Op(mf.OnesVec(i.dim), i, None))
    while len(ops) > 1:
        ops = _combine_free(ops)
    if not ops:
        return None
    (op,) = ops
    if len(free) == 1:
        op = op.with_left(free[0])
    elif len(free) == 2:
        op = op.with_left(free[0])
        if op.right != free[1]:
            raise _NoMatrixFormError
    return op


def _is_scalar(o: _Op, scalars: list[tuple[mf.MForm, Fraction]]) -> bool:
    if o.left is None and o.right is None:
        scalars.append((o.form, Fraction(1)))
        return True
    return False


def _diagonals(
    o: _Op, ops: list[_Op], free: tuple[Idx, ...], scalars: list[tuple[mf.MForm, Fraction]]
) -> _Op:
    """X[k,k]: a trace when k is summed here alone, else the diagonal as a vector."""
    if o.left is None or o.left != o.right:
        return o
    k = o.left
    alone = k not in free and sum(1 for p in ops for i in (p.left, p.right) if i == k) == 2
    form = o.form
    if alone:
        if isinstance(form, mf.Atom) and not form.t:
            return _Op(mf.Atom(Trace(form.expr)), None, None)
        return _Op(mf.ScalarOf("tr", form), None, None)
    if isinstance(form, mf.Atom) and not form.t:
        return _Op(mf.Atom(Diag(form.expr)), k, None)
    return _Op(mf.DiagOf(form, vector=True), k, None)


def _chain(a: mf.MForm, b: mf.MForm) -> mf.MForm:
    items: list[mf.MForm] = []
    for f in (a, b):
        items.extend(f.items if isinstance(f, mf.Chain) else (f,))
    kept = [i for i in items if not isinstance(i, mf.Identity)]
    if not kept:
        return items[0]
    return kept[0] if len(kept) == 1 else mf.Chain(tuple(kept))


def _sum_axis(o: _Op, k: Idx, ops: list[_Op], free: tuple[Idx, ...]) -> _Op:
    """Σ_k over an index that only this operand carries."""
    if (o.left == k and o.right is None) or (o.right == k and o.left is None):
        form = o.form
        if isinstance(form, mf.Atom) and form.expr.ndim == 1:
            return _Op(mf.Atom(Reduce("sum", form.expr)), None, None)
        return _Op(mf.ScalarOf("sum", form), None, None)
    keep = o.right if o.left == k else o.left
    form = o.form
    both = keep is not None and keep not in free and len(_count(ops, keep)) == 1
    if both and isinstance(form, mf.Atom) and form.expr.ndim == 2:  # summed over both axes
        return _Op(mf.Atom(Reduce("sum", form.expr)), None, None)
    if isinstance(form, mf.Atom) and form.expr.ndim == 2:
        axis = (0 if o.left == k else 1) if not form.t else (1 if o.left == k else 0)
        return _Op(mf.Atom(Reduce("sum", form.expr, axis)), keep, None)
    oriented = o.with_left(k)
    summed = best_axis_sum(oriented.form)
    if summed is not None:
        return _Op(summed, keep, None)
    return _Op(_chain(mf.transpose(oriented.form), mf.OnesVec(k.dim)), keep, None)


def _merge_shared(holders: list[_Op], k: Idx) -> list[_Op]:
    """Three or more operands share k: merge two of them (Hadamard or diag) and retry."""
    for n, a in enumerate(holders):
        for b in holders[n + 1 :]:
            if a.idx() == b.idx():
                b2 = b if (b.left, b.right) == (a.left, a.right) else b.t()
                merged = _Op(mf.Hadamard(_flat_had(a.form, b2.form)), a.left, a.right)
                return [merged] + [o for o in holders if o is not a and o is not b]
    for a in holders:
        if a.right is None:  # a column vector carrying k: diag(a) times a matrix carrying k
            for b in holders:
                if b is not a and b.left is not None and b.right is not None:
                    b2 = b.with_left(k)
                    merged = _Op(_chain(mf.DiagOf(a.form), b2.form), k, b2.right)
                    return [merged] + [o for o in holders if o is not a and o is not b]
    raise _NoMatrixFormError


def _flat_had(a: mf.MForm, b: mf.MForm) -> tuple[mf.MForm, ...]:
    out: list[mf.MForm] = []
    for f in (a, b):
        out.extend(f.items if isinstance(f, mf.Hadamard) else (f,))
    return tuple(out)


def _combine_free(ops: list[_Op]) -> list[_Op]:
    for n, a in enumerate(ops):
        for b in ops[n + 1 :]:
            if a.idx() == b.idx():
                b2 = b if (b.left, b.right) == (a.left, a.right) else b.t()
                rest = [o for o in ops if o is not a and o is not b]
                return [_Op(mf.Hadamard(_flat_had(a.form, b2.form)), a.left, a.right), *rest]
    for a in ops:
        if a.right is None and a.left is not None:
            k = a.left
            for b in ops:
                if b is not a and b.left is not None and b.right is not None and k in b.idx():
                    rest = [o for o in ops if o is not a and o is not b]
                    if b.left == k:
                        return [_Op(_chain(mf.DiagOf(a.form), b.form), k, b.right), *rest]
                    return [_Op(_chain(b.form, mf.DiagOf(a.form)), b.left, k), *rest]
    vectors = [o for o in ops if len(o.idx()) == 1]
    if len(vectors) >= 2:
        a, b = vectors[0], vectors[1]
        col = a.with_left(next(iter(a.idx())))
        row = b.with_right(next(iter(b.idx())))
        rest = [o for o in ops if o is not a and o is not b]
        return [_Op(_chain(col.form, row.form), col.left, row.right), *rest]
    raise _NoMatrixFormError


def reassemble_factors(
    factors: Sequence[Factor], free: Sequence[Idx], coeff: Fraction = Fraction(1)
) -> mf.Scaled | None:
    """The matrix form of ``coeff × Π factors`` with the given free indices, or None."""
    return reassemble_term(Term(coeff, tuple(factors)), free)


def reassemble(expr: IndexExpr) -> mf.MForm | None:
    """Return the matrix form of an index form, or None when a term has none.

    Terms with a positive coefficient come first; terms of the shape ``c M1 v + c M2 v`` are
    grouped as ``c (M1 + M2) v``.
    """
    if len(expr.free) > 2:
        return None
    forms: list[mf.MForm] = []
    for term in expr.terms:
        f = reassemble_term(term, expr.free)
        if f is None:
            return None
        forms.append(f)
    if not forms:
        return mf.Scaled(Fraction(0), (), None)
    forms.sort(key=lambda f: isinstance(f, mf.Scaled) and f.coeff < 0)
    forms = factor_common(forms)
    if len(expr.free) == 1:
        forms = factor_left(forms)
    result = forms[0] if len(forms) == 1 else mf.MSum(tuple(forms))
    return result if _typechecks(result, expr.free) else None


def _typechecks(form: mf.MForm, free: Sequence[Idx]) -> bool:
    """Whether the form's operands fit and its shape is the result's: a column for one free
    index, rows × columns for two, a scalar for none. A form that fails is never returned."""
    dims = [i.dim for i in free]
    want = {0: (1, 1), 1: (dims[0], 1) if dims else (1, 1), 2: tuple(dims)}[len(dims)]
    try:
        got = mf.form_shape(form)
    except mf.FormShapeError:
        return False
    if isinstance(form, mf.Scaled) and form.body is None:
        return True  # a scalar (zero, or the same value in every entry) broadcasts
    return got == want
