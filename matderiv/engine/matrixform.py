"""Matrix notation for reassembled results: chains, transposes, Hadamard products, diag, traces.

A matrix form is two-dimensional in the way the sources write formulas: a vector is a column
(``x``) or a row (``x^T``), ``u v^T`` is an outer product and ``x^T y`` an inner one. Every form
prints as text or LaTeX and evaluates with numpy (``@`` for every product), so the tests can
check that the reassembled form equals the index form it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

from ..errors import NotSupportedError, check_kind, unknown_kind
from ..language import nodes
from ..language.shapes import Dim, dim_product
from .structure import is_symmetric_node

__all__ = [
    "SCALAR_OPS",
    "Atom",
    "Chain",
    "DiagOf",
    "Hadamard",
    "Identity",
    "KronOf",
    "MForm",
    "MSum",
    "OnesVec",
    "ScalarOf",
    "ScalarOp",
    "Scaled",
    "VecOf",
    "form_expr",
    "form_shape",
    "transpose",
    "unknown_form",
]


@dataclass(frozen=True)
class MForm:
    """Base class of matrix-notation nodes."""


@dataclass(frozen=True)
class Atom(MForm):
    """An expression used as a scalar, a column vector or a matrix; ``t`` transposes it."""

    expr: nodes.Expr
    t: bool = False


@dataclass(frozen=True)
class Identity(MForm):
    """The identity matrix."""

    dim: Dim


@dataclass(frozen=True)
class OnesVec(MForm):
    """A vector of ones (a column, or a row when ``t``)."""

    dim: Dim
    t: bool = False


@dataclass(frozen=True)
class Chain(MForm):
    """A matrix product of two or more forms."""

    items: tuple[MForm, ...]


@dataclass(frozen=True)
class Hadamard(MForm):
    """Elementwise product of forms of equal shape."""

    items: tuple[MForm, ...]


@dataclass(frozen=True)
class DiagOf(MForm):
    """``diag(v)``: the diagonal matrix of a column ``v``, or (``vector=True``) the diagonal of a
    square matrix as a column (a row when ``t``)."""

    arg: MForm
    vector: bool = False
    t: bool = False


#: The scalars a :class:`ScalarOf` makes: a trace, a sum of entries, a named size.
ScalarOp = Literal["tr", "sum", "dim"]
SCALAR_OPS: tuple[ScalarOp, ...] = get_args(ScalarOp)


@dataclass(frozen=True)
class ScalarOf(MForm):
    """A scalar made from a form: ``tr(M)`` or ``sum(v)``, or (``op="dim"``, with a ``name``
    and no ``arg``) a named size ``N``."""

    op: ScalarOp
    arg: MForm | None = None
    name: str = ""

    def __post_init__(self) -> None:
        check_kind(self.op, SCALAR_OPS, "scalar of a form")
        if (self.op == "dim") != (self.arg is None) or (self.op == "dim") != bool(self.name):
            raise NotSupportedError(
                f"ScalarOf({self.op!r}) takes "
                + ("a name and no form" if self.op == "dim" else "a form and no name")
            )


@dataclass(frozen=True)
class KronOf(MForm):
    """Kronecker product of two forms (matrices, or two columns)."""

    left: MForm
    right: MForm


@dataclass(frozen=True)
class VecOf(MForm):
    """``vec(M)``: the columns of a matrix form stacked into one column (a row when ``t``)."""

    arg: MForm
    t: bool = False


@dataclass(frozen=True)
class Scaled(MForm):
    """``coeff × Π scalars[k] ** powers[k] × body`` (``body`` None: a pure scalar)."""

    coeff: Fraction
    scalars: tuple[tuple[MForm, Fraction], ...]
    body: MForm | None


@dataclass(frozen=True)
class MSum(MForm):
    """A sum of forms."""

    terms: tuple[MForm, ...]


# matrix powers (issue 15: the simplifier writes X X … X as X^k) ---------------------------------

__all__ += ["MatPow", "mat_pow"]


@dataclass(frozen=True)
class MatPow(Chain):
    """``base^k`` (k ≥ 2): a :class:`Chain` of k equal square factors, printed as a power.

    Being a chain, it evaluates, transposes and turns into an expression (repeated ``@``) like
    any product; only the printers read it as a power.
    """

    @property
    def base(self) -> MForm:
        return self.items[0]

    @property
    def k(self) -> int:
        return len(self.items)


def mat_pow(base: MForm, k: int) -> MForm:
    """``base^k`` for k ≥ 1 (``base`` itself for k = 1)."""
    return base if k == 1 else MatPow((base,) * k)


def unknown_form(f: MForm) -> NotSupportedError:
    """The error for a form that a match on the form classes does not handle."""
    return NotSupportedError(f"unknown matrix form {type(f).__name__}: {f!r}")


def transpose(f: MForm) -> MForm:
    """Return the transpose of a form (products reverse, each factor transposed)."""
    match f:
        case Atom():
            if isinstance(f.expr, nodes.Transpose):  # (A^T) transposed is A
                return Atom(f.expr.arg, f.t)
            if f.expr.ndim == 2 and is_symmetric_node(f.expr):  # declared: S^T is S
                return f
            return Atom(f.expr, not f.t) if f.expr.ndim else f
        case OnesVec():
            return OnesVec(f.dim, not f.t)
        case MatPow():  # (B^k)^T = (B^T)^k
            return mat_pow(transpose(f.base), f.k)
        case Chain():
            return Chain(tuple(transpose(i) for i in reversed(f.items)))
        case Hadamard():
            return Hadamard(tuple(transpose(i) for i in f.items))
        case Scaled():
            return Scaled(f.coeff, f.scalars, None if f.body is None else transpose(f.body))
        case MSum():
            return MSum(tuple(transpose(t) for t in f.terms))
        case KronOf():  # (A ⊗ B)^T = A^T ⊗ B^T
            return KronOf(transpose(f.left), transpose(f.right))
        case VecOf():
            return VecOf(f.arg, not f.t)
        case DiagOf():  # the diagonal as a column becomes a row; a diagonal matrix is symmetric
            return DiagOf(f.arg, vector=True, t=not f.t) if f.vector else f
        case Identity() | ScalarOf():
            return f
    raise unknown_form(f)


def as_power(e: nodes.Expr, power: Fraction) -> nodes.Expr:
    """Return ``e ** power`` as an expression (``e`` itself for power 1)."""

    return e if power == 1 else nodes.Pow(e, nodes.Const(power))


# back to the expression language --------------------------------------------------------

_KIND = {0: "scalar", 1: "col", 2: "mat"}


def _language(f: MForm) -> tuple[nodes.Expr, str]:
    """An expression of the language with the same numbers as ``f``, and ``f``'s kind:
    ``scalar``, ``col`` or ``row`` (both 1-D in the language) or ``mat``."""

    match f:
        case Atom():
            e = f.expr
            if e.ndim > 2:
                raise NotSupportedError("a matrix form over a tensor atom has no expression")
            kind = _KIND[e.ndim]
            if f.t and kind == "col":
                return e, "row"
            return (nodes.Transpose(e) if f.t and kind == "mat" else e), kind
        case Identity():
            return nodes.Eye(f.dim), "mat"
        case OnesVec():
            return nodes.Ones((f.dim,)), ("row" if f.t else "col")
        case Chain():
            acc, kind = _language(f.items[0])
            for item in f.items[1:]:
                nxt, k2 = _language(item)
                if kind == "col" and k2 == "row":
                    acc, kind = nodes.Outer(acc, nxt), "mat"
                elif kind == "col" and k2 == "mat":  # a column times a 1×k matrix
                    raise NotSupportedError("a column times a matrix has no expression form")
                else:
                    acc = nodes.MatMul(acc, nxt)
                    kinds = {("mat", "mat"): "mat", ("mat", "col"): "col", ("row", "mat"): "row",
                             ("row", "col"): "scalar"}  # fmt: skip
                    if (kind, k2) not in kinds:  # e.g. a scalar inside a product of matrices
                        raise NotSupportedError(f"a {kind} times a {k2} has no expression form")
                    kind = kinds[(kind, k2)]
            return acc, kind
        case Hadamard():
            parts = [_language(i) for i in f.items]
            return nodes.Mul(tuple(p[0] for p in parts)), _one_kind(parts)
        case DiagOf():
            inner, _ = _language(f.arg)
            return nodes.Diag(inner), (("row" if f.t else "col") if f.vector else "mat")
        case KronOf():
            (a, ka), (b, _) = _language(f.left), _language(f.right)
            return nodes.Kron(a, b), ka
        case VecOf():
            inner, _ = _language(f.arg)
            return nodes.Vec(inner), ("row" if f.t else "col")
        case ScalarOf():
            return _scalar_language(f), "scalar"
        case Scaled():
            factors: list[nodes.Expr] = (
                [nodes.Const(f.coeff)] if f.coeff != 1 or f.body is None else []
            )
            for s, p in f.scalars:
                e, _ = _language(s)
                factors.append(as_power(e, p))
            kind = "scalar"
            if f.body is not None:
                body, kind = _language(f.body)
                factors.append(body)
            return (factors[0] if len(factors) == 1 else nodes.Mul(tuple(factors))), kind
        case MSum():
            parts = [_language(t) for t in f.terms]
            return nodes.Add(tuple(p[0] for p in parts)), _one_kind(parts)
    raise unknown_form(f)


def _scalar_language(f: ScalarOf) -> nodes.Expr:
    match f.op:
        case "dim":
            return nodes.Size(f.name)
        case "tr" | "sum":
            assert f.arg is not None
            inner, _ = _language(f.arg)
            return nodes.Trace(inner) if f.op == "tr" else nodes.Reduce("sum", inner)
        case _:
            unknown_kind(f.op, "scalar of a form", SCALAR_OPS)


def _one_kind(parts: list[tuple[nodes.Expr, str]]) -> str:
    """The common kind of elementwise operands. A column (1-D in the language) next to an n×1
    matrix would broadcast to n×n in numpy, so mixed kinds have no expression form."""

    kinds = {k for _, k in parts} - {"scalar"}
    if len(kinds) > 1:
        raise NotSupportedError(f"elementwise operands of kinds {sorted(kinds)} in one form")
    return kinds.pop() if kinds else "scalar"


def form_expr(f: MForm) -> nodes.Expr:
    """The matrix form as an expression of the language (vectors 1-D), with the same numbers as
    the tensor-layout result; a named size such as ``B`` is the dimension used as a number."""
    return _language(f)[0]


# shapes ---------------------------------------------------------------------------------------


class FormShapeError(Exception):
    """A matrix form whose operands do not fit (an internal signal: reassembly then keeps the
    index form)."""


def _fits(a: Dim, b: Dim) -> bool:
    return a == b


def form_shape(f: MForm) -> tuple[Dim, Dim]:
    """The two-dimensional shape of a form (a scalar is 1×1, a column n×1, a row 1×n).

    Raises :class:`FormShapeError` when a product, sum or Hadamard product does not fit, so
    that a reassembled form is type-checked before anyone sees or evaluates it.
    """

    match f:
        case Atom():
            shape = f.expr.shape
            if len(shape) > 2:
                raise FormShapeError(f"{f.expr} has {len(shape)} axes")
            r, c = shape if len(shape) == 2 else (shape[0], 1) if shape else (1, 1)
            return (c, r) if f.t else (r, c)
        case Identity():
            return f.dim, f.dim
        case OnesVec():
            return (1, f.dim) if f.t else (f.dim, 1)
        case Chain():
            r, c = form_shape(f.items[0])
            for item in f.items[1:]:
                r2, c2 = form_shape(item)
                if not _fits(c, r2):
                    raise FormShapeError(f"inner sizes {c} and {r2} of a product differ")
                c = c2
            return r, c
        case Hadamard() | MSum():
            shapes = [form_shape(i) for i in (f.items if isinstance(f, Hadamard) else f.terms)]
            full = [s for s in shapes if s != (1, 1)] or [(1, 1)]
            if any(s != full[0] for s in full):
                raise FormShapeError(f"operands of shapes {shapes} do not fit elementwise")
            return full[0]
        case DiagOf():
            r, c = form_shape(f.arg)
            if f.vector:
                if r != c:
                    raise FormShapeError(f"the diagonal of a {r}×{c} matrix")
                return (1, r) if f.t else (r, 1)
            if c != 1 and r != 1:
                raise FormShapeError(f"diag of a {r}×{c} matrix as a diagonal matrix")
            n = r if c == 1 else c
            return n, n
        case KronOf():
            (r1, c1), (r2, c2) = form_shape(f.left), form_shape(f.right)
            return dim_product((r1, r2)), dim_product((c1, c2))
        case VecOf():
            r, c = form_shape(f.arg)
            n = dim_product((r, c))
            return (1, n) if f.t else (n, 1)
        case ScalarOf():
            if f.arg is not None:
                r, c = form_shape(f.arg)
                if f.op == "tr" and r != c:
                    raise FormShapeError(f"the trace of a {r}×{c} matrix")
            return 1, 1
        case Scaled():
            for sc, _ in f.scalars:
                if form_shape(sc) != (1, 1):
                    raise FormShapeError(f"a scalar factor of shape {form_shape(sc)}")
            return (1, 1) if f.body is None else form_shape(f.body)
    raise unknown_form(f)
