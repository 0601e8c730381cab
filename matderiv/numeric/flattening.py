"""Flattening tensor derivatives: the strategies of the MIT notes, made executable.

A matrix-by-matrix derivative is a 4-axis array whose entries mostly vanish or repeat; this
module makes it readable and usable:

- :func:`vec` / :func:`unvec` (column-major by default, which makes
  ``vec(A X B) = (Bᵀ ⊗ A) vec(X)`` true), :func:`vech`, the commutation matrix
  :func:`commutation` and :func:`to_vec_jacobian`, the matrix ∂vec(Y)/∂vec(X)ᵀ;
- :func:`kron_form`: that matrix as a Kronecker product where one exists, symbolically
  (d(AXB)/dX → Bᵀ ⊗ A, d(X⁻¹)/dX → −X⁻ᵀ ⊗ X⁻¹);
- :func:`compress`: diagonal compression, dropping a Kronecker delta and saying so;
- :func:`hide`: hiding a dimension, viewing W as a row of columns W_k;
- :meth:`matderiv.Derivative.contract`: contraction with an upstream gradient (the VJP).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from ..engine import matrixform as mf
from ..engine.formprint import form_latex, form_text
from ..engine.index import Factor, Idx, IndexExpr, Term
from ..engine.notation import index_latex, index_text
from ..engine.reassembly import connected, reassemble, reassemble_factors
from ..engine.result import DerivativeLike
from ..errors import LayoutError, NotSupportedError, ShapeError
from ..language.expression import Var

if TYPE_CHECKING:  # numpy loads on the first number asked for, not on import
    from .evaluation import Array

__all__ = [
    "Flattened",
    "KroneckerOperator",
    "commutation",
    "compress",
    "hide",
    "kron_form",
    "operator",
    "to_vec_jacobian",
    "unvec",
    "vec",
    "vech",
]

Order = Literal["F", "C"]


def _order(order: str) -> Order:
    if order not in ("F", "C"):
        raise LayoutError(
            f"order must be 'F' (column-major, the default) or 'C' (row-major), got {order!r}"
        )
    return order  # type: ignore[return-value]


def vec(a: Any, order: Order = "F") -> Array:
    """Stack the columns of a matrix into one vector (column-major: ``order="F"``).

    Column-major is the convention that makes ``vec(A X B) = (Bᵀ ⊗ A) vec(X)`` true; with
    ``order="C"`` the rows are stacked instead.

    >>> import numpy as np
    >>> vec(np.array([[1, 2], [3, 4]]))
    array([1., 3., 2., 4.])
    """
    import numpy as np

    arr = np.asarray(a, dtype=np.float64)
    return arr.reshape(-1, order=_order(order))


def unvec(v: Any, shape: Sequence[int], order: Order = "F") -> Array:
    """The inverse of :func:`vec`: a vector back into a matrix of the given shape.

    >>> unvec([1, 3, 2, 4], (2, 2))
    array([[1., 2.],
           [3., 4.]])
    """
    import numpy as np

    arr = np.asarray(v, dtype=np.float64)
    if arr.ndim != 1 or arr.size != int(np.prod(shape)):
        raise ShapeError(
            f"cannot unvec an array of shape {arr.shape} into shape {tuple(shape)}: sizes differ"
        )
    return arr.reshape(tuple(shape), order=_order(order))


def vech(a: Any) -> Array:
    """Half-vectorisation: the lower triangle of a square matrix, column by column.

    >>> vech([[1, 2], [2, 3]])
    array([1., 2., 3.])
    """
    import numpy as np

    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ShapeError(f"vech needs a square matrix, got shape {arr.shape}")
    n = arr.shape[0]
    return np.concatenate([arr[j:, j] for j in range(n)])


def commutation(m: int, n: int) -> Array:
    """The commutation matrix K(m, n): ``K @ vec(A) == vec(A.T)`` for every m×n matrix A.

    >>> import numpy as np
    >>> A = np.arange(6.0).reshape(2, 3)
    >>> bool(np.array_equal(commutation(2, 3) @ vec(A), vec(A.T)))
    True
    """
    import numpy as np

    if m < 1 or n < 1:
        raise ShapeError(f"commutation(m, n) needs positive sizes, got ({m}, {n})")
    K = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            K[i * n + j, j * m + i] = 1.0
    return K


def to_vec_jacobian(D: Any, out_ndim: int, order: Order = "F") -> Array:
    """∂vec(Y)/∂vec(X)ᵀ from a tensor-layout derivative (shape ``Y.shape + X.shape``).

    Row ``r`` is entry ``r`` of vec(Y), column ``c`` entry ``c`` of vec(X) (column-major by
    default), so a derivative of any shape becomes one matrix.

    >>> import numpy as np
    >>> to_vec_jacobian(np.zeros((2, 3, 4, 5)), out_ndim=2).shape
    (6, 20)
    """
    import numpy as np

    arr = np.asarray(D, dtype=np.float64)
    if not 0 <= out_ndim <= arr.ndim:
        raise ShapeError(
            f"out_ndim={out_ndim} must be between 0 and the derivative's {arr.ndim} axes"
        )
    rows = int(np.prod(arr.shape[:out_ndim]))
    return arr.reshape((rows, -1), order=_order(order))


@dataclass(frozen=True)
class Flattened:
    """A flattened derivative: index form, matrix form (if any), what it did (``statement``)."""

    index_expr: IndexExpr
    form: mf.MForm | None
    variables: frozenset[Var]
    statement: str
    vec_out_ndim: int | None = None  # set when this is ∂vec(Y)/∂vec(X)ᵀ: Y has this many axes

    @property
    def matrix(self) -> str | None:  # the matrix form as text, or None
        return None if self.form is None else form_text(self.form)

    @property
    def index(self) -> str:  # the index form as text
        lhs = "C[" + ",".join(i.name for i in self.index_expr.free) + "]"
        return index_text(self.index_expr, lhs if self.index_expr.free else "C")

    def latex(self) -> str:
        """The matrix form (or index form) in LaTeX."""
        return form_latex(self.form) if self.form is not None else index_latex(self.index_expr)

    def evaluate(self, given: Mapping[str, Any] | None = None, /, **arrays: Any) -> Array:
        """Evaluate the flattened form."""
        import numpy as np

        from .evaluation import Evaluator, bind_sizes, result_array

        arrays = {**(given or {}), **arrays}
        ev = Evaluator(arrays, bind_sizes(self.variables, arrays))
        if self.vec_out_ndim is not None:  # the matrix ∂vec(Y)/∂vec(X)ᵀ
            if self.form is None:
                return to_vec_jacobian(ev.index(self.index_expr), self.vec_out_ndim)
            return np.asarray(ev.form(self.form), dtype=np.float64)
        if self.form is None:
            return ev.index(self.index_expr)
        value = np.asarray(ev.form(self.form))
        if not self.index_expr.free:
            return value.reshape(())
        shape = tuple(ev.size(i.dim) for i in self.index_expr.free)
        return result_array(value, shape) if value.size == math.prod(shape) else value

    def __str__(self) -> str:
        return f"{self.matrix if self.matrix is not None else self.index}  ({self.statement})"


def _tensor(d: DerivativeLike) -> DerivativeLike:
    if d.layout != "tensor":
        return d.to_layout("tensor")
    return d


def _split(d: DerivativeLike) -> tuple[tuple[Idx, ...], tuple[Idx, ...]]:
    n_out = len(d.out_shape)
    return d.index_expr.free[:n_out], d.index_expr.free[n_out:]


def kron_form(d: DerivativeLike) -> Flattened:
    """∂vec(Y)/∂vec(X)ᵀ as a sum of Kronecker products, symbolically.

    ``J = P ⊗ Q`` exactly when ``D[i,j,k,l] = P[j,l] Q[i,k]`` (with ``vec`` column-major), so
    every term of the index form is split into the factors carrying the column indices of Y and
    X and those carrying their row indices. Raises NotSupportedError when a term does not split.

    >>> import matderiv as md
    >>> d = md.derive("A @ X @ B", "X", shapes={"A": (2, 3), "X": (3, 4), "B": (4, 5)})
    >>> md.flattening.kron_form(d).matrix
    'kron(B^T, A)'
    """
    d = _tensor(d)
    out, wrt = _split(d)
    if len(out) > 2 or len(wrt) > 2:
        raise NotSupportedError("kron_form handles outputs and variables with at most 2 axes")
    row_minor, row_major = ((*out, None, None))[:2]
    col_minor, col_major = ((*wrt, None, None))[:2]
    pieces: list[mf.MForm] = []
    for term in d.index_expr.terms:
        p_free = tuple(i for i in (row_major, col_major) if i is not None)
        q_free = tuple(i for i in (row_minor, col_minor) if i is not None)
        free = set(out + wrt)
        factors = list(term.factors)
        left = connected(factors, set(p_free), free)
        right = connected(factors, set(q_free), free)
        if left & right:
            hint = (
                f"; for a scalar output the matrix is vec(G)ᵀ with G = {d.matrix}"
                if not out and d.matrix is not None
                else ""
            )
            raise NotSupportedError(
                f"the term {index_text(IndexExpr((term,), d.index_expr.free))} links the row and "
                f"column indices of vec(Y) and vec(X): it is not a Kronecker product{hint}"
            )
        rest = [f for n, f in enumerate(factors) if n not in left | right]
        p = _block([factors[n] for n in sorted(left)], row_major, col_major)
        q = _block([factors[n] for n in sorted(right)], row_minor, col_minor)
        scalars = reassemble_factors(rest, ())
        if p is None or q is None or scalars is None:
            raise NotSupportedError(
                "a Kronecker factor has no matrix form; use to_vec_jacobian on numbers"
            )
        coeff = term.coeff * p.coeff * q.coeff * scalars.coeff
        assert p.body is not None
        assert q.body is not None
        body: mf.MForm = mf.KronOf(p.body, q.body)
        if _is_one(p.body):  # 1 ⊗ Q = Q
            body = q.body
        elif _is_one(q.body):
            body = p.body
        pieces.append(mf.Scaled(coeff, p.scalars + q.scalars + scalars.scalars, body))
    form: mf.MForm = pieces[0] if len(pieces) == 1 else mf.MSum(tuple(pieces))
    j_free = d.index_expr.free
    return Flattened(IndexExpr(d.index_expr.terms, j_free), form, d.variables | {d.wrt},
                     "∂vec(Y)/∂vec(X)ᵀ, column-major vec", len(out))  # fmt: skip


def _is_one(f: mf.MForm) -> bool:
    return isinstance(f, mf.Identity) and f.dim == 1


def _block(factors: list[Factor], row: Idx | None, col: Idx | None) -> mf.Scaled | None:
    """A Kronecker factor as a matrix: rows ``row`` (None: one row), columns ``col``."""

    if row is not None and col is not None:
        return reassemble_factors(factors, (row, col))
    if row is None and col is None:
        s = reassemble_factors(factors, ())
        if s is None:
            return None
        return mf.Scaled(s.coeff, s.scalars, s.body if s.body is not None else mf.Identity(1))
    only = row if row is not None else col
    assert only is not None
    s = reassemble_factors(factors, (only,))
    if s is None or s.body is None:
        body = mf.OnesVec(only.dim) if s is not None else None
        if body is None:
            return None
        s = mf.Scaled(s.coeff if s else Fraction(1), s.scalars if s else (), body)
    assert s.body is not None
    return s if row is not None else mf.Scaled(s.coeff, s.scalars, mf.transpose(s.body))


def _delta_between(
    expr: IndexExpr, a_side: Sequence[Idx], b_side: Sequence[Idx]
) -> tuple[Idx, Idx] | None:
    """A δ between an index of ``a_side`` and one of ``b_side`` present in every term."""
    if not expr.terms:
        return None
    common: set[tuple[Idx, Idx]] | None = None
    for term in expr.terms:
        pairs = set()
        for f in term.factors:
            if f.kind == "delta":
                x, y = f.indices
                if x in a_side and y in b_side:
                    pairs.add((x, y))
                elif y in a_side and x in b_side:
                    pairs.add((y, x))
        common = pairs if common is None else common & pairs
    return min(common, key=lambda p: (p[0].name, p[1].name)) if common else None


def _drop_delta(expr: IndexExpr, keep: Idx, gone: Idx) -> IndexExpr:
    terms = []
    for term in expr.terms:
        factors = [
            f for f in term.factors if not (f.kind == "delta" and set(f.indices) == {keep, gone})
        ]
        terms.append(Term(term.coeff, tuple(factors)).subs({gone: keep}))
    return IndexExpr(tuple(terms), tuple(i for i in expr.free if i != gone))


def compress(d: DerivativeLike) -> Flattened:
    """Diagonal compression: drop a Kronecker delta between an output and a variable index.

    When every term carries δ_ip, the tensor is zero unless i = p, and C with the p axis
    removed holds all of it: ``D[i, p, …] = C[i, …] δ_ip``. The statement says what was dropped.

    >>> import matderiv as md
    >>> d = md.derive("sigmoid(W @ x + b)", "W", shapes={"W": (3, 4), "x": (4,), "b": (3,)})
    >>> c = md.flattening.compress(d)
    >>> c.matrix, c.statement
    ("sigmoid'(W x + b) x^T", 'zero unless i = p: D[i,p,q] = C[i,q] δ[i,p]')
    """
    d = _tensor(d)
    out, wrt = _split(d)
    pair = _delta_between(d.index_expr, out, wrt)
    if pair is None:
        raise NotSupportedError(
            "no Kronecker delta between an output index and a variable index in every term: "
            f"{d.index}; there is nothing to compress"
        )
    keep, gone = pair
    small = _drop_delta(d.index_expr, keep, gone)
    full = ",".join(i.name for i in d.index_expr.free)
    part = ",".join(i.name for i in small.free)
    statement = (
        f"zero unless {keep.name} = {gone.name}: D[{full}] = C[{part}] δ[{keep.name},{gone.name}]"
    )
    return Flattened(small, reassemble(small), d.variables | {d.wrt}, statement)


def hide(d: DerivativeLike, axis: int = 0) -> Flattened:
    """Hide a dimension of a matrix variable: treat each slice along the other axis as one
    vector variable (``axis=0`` hides the rows, so W is a row of columns W_k).

    For z = Wᵀa, ∂z_i/∂W_k = δ_ik a: each output entry depends on one column of W only, and
    the derivative with respect to that column is the vector a (the MIT notes' reduction of
    ∂Z/∂W to A).

    >>> import matderiv as md
    >>> d = md.derive("W.T @ a", "W", shapes={"W": ("m", "n"), "a": ("m",)})
    >>> h = md.flattening.hide(d, axis=0)
    >>> h.matrix, h.statement
    ('a', 'each output entry i depends only on slice q = i of W: ∂z[i]/∂W[:,i] = C[p]')
    """
    d = _tensor(d)
    out, wrt = _split(d)
    if len(wrt) != 2:
        raise NotSupportedError(
            f"hide needs a matrix variable, got {d.wrt.name} with {len(wrt)} axes"
        )
    if axis not in (0, 1):
        raise ShapeError(f"axis must be 0 (hide the rows) or 1 (hide the columns), got {axis}")
    slot = wrt[1 - axis]
    pair = _delta_between(d.index_expr, out, (slot,))
    if pair is None:
        raise NotSupportedError(
            f"no output index is tied to {d.wrt.name}'s axis {1 - axis} by a delta in every "
            f"term ({d.index}); hiding axis {axis} would not simplify it"
        )
    keep, gone = pair
    small = _drop_delta(d.index_expr, keep, gone)
    if not any(
        keep in f.indices
        for t in small.terms
        for f in t.factors
        if f.kind != "tensor" or type(f.node).__name__ != "Ones"
    ):
        small = IndexExpr(small.terms, tuple(i for i in small.free if i != keep))
    rest = ",".join(i.name for i in small.free)
    where = f"W[:,{keep.name}]" if axis == 0 else f"W[{keep.name},:]"
    where = where.replace("W", d.wrt.name)
    statement = (
        f"each output entry {keep.name} depends only on slice {gone.name} = {keep.name} of "
        f"{d.wrt.name}: ∂z[{keep.name}]/∂{where} = C[{rest}]"
    )
    return Flattened(small, reassemble(small), d.variables | {d.wrt}, statement)


@dataclass(frozen=True)
class KroneckerOperator:
    """A derivative kept factored as ``Σ_k c_k (P_k ⊗ Q_k)`` acting on ``vec`` (column-major).

    ``H @ V`` applies it without forming the matrix, through ``(P ⊗ Q) vec(V) = vec(Q V Pᵀ)``:
    ``V`` is an array of the variable's shape (the result has the output's shape) or its
    ``vec`` (the result is a vec). ``toarray()`` builds the dense matrix only when asked. With
    row-major vec the same operator reads ``Σ c_k (Q_k ⊗ P_k)``: for ‖XW − Y‖² (Frobenius
    norm) the Hessian is ``I ⊗ 2XᵀX`` here and ``2XᵀX ⊗ I`` in row-major texts.
    """

    terms: tuple[tuple[float, Array, Array], ...]
    out_shape: tuple[int, ...]
    in_shape: tuple[int, ...]

    @property
    def shape(self) -> tuple[int, int]:
        """The shape of the dense matrix ∂vec(Y)/∂vec(X)ᵀ."""
        return math.prod(self.out_shape), math.prod(self.in_shape)

    @property
    def dense_size(self) -> int:
        """Entries the dense matrix would have."""
        rows, cols = self.shape
        return rows * cols

    @property
    def factored_size(self) -> int:
        """Entries actually stored (the Kronecker factors)."""
        return sum(p.size + q.size for _, p, q in self.terms)

    def __matmul__(self, v: Any) -> Array:
        import numpy as np

        arr = np.asarray(v, dtype=np.float64)
        flat = arr.ndim == 1 and arr.shape != self.in_shape
        if flat and arr.size == self.shape[1]:
            arr = arr.reshape(self.in_shape, order="F")
        if arr.shape != self.in_shape:
            raise ShapeError(
                f"cannot apply the operator to shape {np.shape(v)}: expected the variable's "
                f"shape {self.in_shape} or its vec ({self.shape[1]},)"
            )
        V = arr.reshape(self.in_shape[0] if self.in_shape else 1, -1, order="F")
        rows_out = self.out_shape[0] if self.out_shape else 1
        total = np.zeros(
            (rows_out, int(np.prod(self.out_shape[1:])) if len(self.out_shape) > 1 else 1)
        )
        for c, P, Q in self.terms:
            total = total + c * (Q @ V @ P.T)
        out = total.reshape(self.out_shape, order="F")
        return out.reshape(-1, order="F") if flat else out

    def toarray(self) -> Array:
        """The dense matrix ∂vec(Y)/∂vec(X)ᵀ."""
        import numpy as np

        dense = np.zeros(self.shape)
        for c, P, Q in self.terms:
            dense = dense + c * np.kron(P, Q)
        return dense


def operator(
    d: DerivativeLike, given: Mapping[str, Any] | None = None, /, **arrays: Any
) -> KroneckerOperator:
    """The Kronecker form of ``d`` (:func:`kron_form`) at the given arrays, kept factored.

    >>> import numpy as np, matderiv as md
    >>> h = md.hessian("norm(X @ W - Y)**2", "W", shapes={"X": (5, 3), "W": (3, 2), "Y": (5, 2)})
    >>> H = md.flattening.operator(h, X=np.ones((5, 3)), W=np.ones((3, 2)), Y=np.ones((5, 2)))
    >>> (H @ np.eye(3, 2)).shape, H.dense_size, H.factored_size
    ((3, 2), 36, 13)
    """

    import numpy as np

    from .evaluation import Evaluator, bind_sizes

    arrays = {**(given or {}), **arrays}
    k = kron_form(d)
    ev = Evaluator(arrays, bind_sizes(k.variables, arrays))
    pieces = k.form.terms if isinstance(k.form, mf.MSum) else (k.form,)
    terms: list[tuple[float, Array, Array]] = []
    for piece in pieces:
        assert isinstance(piece, mf.Scaled)
        assert piece.body is not None
        c = float(piece.coeff)
        for s, p in piece.scalars:
            c *= float(np.asarray(ev.form(s)).reshape(())) ** float(p)
        body = piece.body
        if isinstance(body, mf.KronOf):
            P, Q = np.atleast_2d(ev.form(body.left)), np.atleast_2d(ev.form(body.right))
        else:  # 1 ⊗ Q was simplified to Q
            P, Q = np.ones((1, 1)), np.atleast_2d(ev.form(body))
        if isinstance(body, mf.KronOf) and isinstance(body.left, mf.Identity):
            P = np.eye(ev.size(body.left.dim))
        terms.append((c, np.asarray(P, dtype=np.float64), np.asarray(Q, dtype=np.float64)))
    n_out = len(d.out_shape)
    tensor_shape = tuple(ev.size(i.dim) for i in d.index_expr.free)
    return KroneckerOperator(tuple(terms), tensor_shape[:n_out], tensor_shape[n_out:])
