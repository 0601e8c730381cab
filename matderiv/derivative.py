"""The public result: :class:`Derivative`, and the verbs :func:`derive` and :func:`hessian`.

The derivation follows the method of the sources, and every step is kept:

1. **element**: the element formula of the output in index notation;
2. **differentiate**: scalar-by-scalar derivative of one element, Kronecker deltas written out;
3. **contract**: the deltas sifted away;
4. **collect**: equal terms added (only shown when something was collected);
5. **reassemble**: the matrix form (simplified), or the einsum form where none exists.
Every step is executable: its index form evaluates with ``np.einsum`` to the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from .engine.delta import collect, contract
from .engine.differentiation import Differentiator
from .engine.formprint import form_latex, form_text
from .engine.index import Idx, IndexExpr
from .engine.lowering import lower_normalized
from .engine.matrixform import MForm, form_expr, transpose
from .engine.notation import einsum_code, free_names, index_latex, index_text, rename_summed
from .engine.readable import Readable
from .engine.reassembly import reassemble
from .engine.simplify import simplify_with_note
from .engine.structure import use_declared
from .errors import NotSupportedError, ParseError, ShapeError
from .language.expression import Expr, Mul, Var, shape_text
from .language.functions import Reduce
from .language.inputs import as_expression, as_variable
from .language.printing import latex_name, to_code, to_text
from .language.shapes import Shape
from .language.structure import SymmetricConvention
from .numeric.codegen import argument_order, compile_source, generate
from .numeric.layout import Layout, arrange, arranged_shape, recipe
from .steps import Step, build_steps

if TYPE_CHECKING:
    from .checks.finite import Report
    from .numeric.evaluation import Array

__all__ = ["Derivative", "Layout", "derive", "hessian"]


@dataclass(frozen=True)
class Derivative(Readable):
    """A derivative, in index notation and (where one exists) matrix notation; ``why_index``
    says why there is none, ``abbreviated`` names repeated sub-expressions (``where P = ...``).

    In the default ``"tensor"`` layout the result has shape ``out.shape + wrt.shape`` and
    ``D[i..., p...] = ∂out[i...] / ∂wrt[p...]`` (the convention of ``jax.jacobian``), so the
    gradient of a scalar has the shape of the variable.
    """

    of: Expr | Derivative
    wrt: Var
    index_expr: IndexExpr
    form: MForm | None
    stages: tuple[IndexExpr, IndexExpr, IndexExpr, IndexExpr] = field(repr=False)
    out_shape: Shape
    variables: frozenset[Var]
    layout: Layout = "tensor"
    #: The convention of a derivative by a symmetric variable (None for any other variable):
    #: ``"frobenius"``, the gradient on the symmetric matrices, or ``"free"``, the partial
    #: derivatives by the free entries (:mod:`matderiv.language.structure`).
    symmetric: SymmetricConvention | None = None
    #: What the simplifier reports about the matrix form (None: nothing), e.g. that its budget
    #: ran out and the form is shown unsimplified.
    note: str | None = None

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """The derivation, one :class:`Step` each for the element formula, differentiation
        (with δ's written out), δ contraction, collection of equal terms (when something was
        collected) and reassembly. Each step has text, LaTeX and an executable index form."""
        return build_steps(self)

    # text ----------------------------------------------------------------------------
    @property
    def tensor_shape(self) -> Shape:
        """The shape in the tensor layout, ``out.shape + wrt.shape``."""
        return tuple(i.dim for i in self.index_expr.free)

    @property
    def arrangement(self) -> str:
        """How this layout arranges the tensor layout (:func:`matderiv.layout.recipe`)."""
        return recipe(self.layout, len(self.out_shape), self.wrt.ndim)

    @property
    def arranged_form(self) -> MForm | None:
        """The matrix form arranged in this derivative's layout (None when there is none)."""
        flip = self.form is not None and self.arrangement in ("T", "row")
        return transpose(self.form) if flip and self.form is not None else self.form

    @property
    def matrix(self) -> str | None:
        """The result in matrix notation as plain text, in this derivative's layout, or None when
        no matrix form exists."""
        form = self.arranged_form
        return None if form is None else form_text(form)

    @property
    def index(self) -> str:
        """The result in index notation, as text; the left side shows where an entry sits in
        this derivative's layout (``D[q,p]`` for a gradient in numerator layout)."""
        free = list(self.index_expr.free)
        if self.layout != "tensor" and self.arrangement == "T":
            free.reverse()
        lhs = "D[" + ",".join(i.name for i in free) + "]"
        return index_text(self.index_expr, lhs if free else "D")

    @property
    def einsum(self) -> str:
        """A ``numpy.einsum`` expression that computes the result (operands in the
        expression language, δ as ``np.eye``)."""
        return einsum_code(self.index_expr)

    @property
    def code(self) -> str | None:
        """The matrix form (tensor layout) in the expression language, which
        :func:`matderiv.parse` reads back: ``2 * X.T @ (X @ W - Y)``. None without a matrix form.

        >>> import matderiv as md
        >>> md.derive("x @ A @ x", "x", shapes={"x": ("n",), "A": ("n", "n")}).code
        '(A + A.T) @ x'
        """
        if self.form is None:
            return None

        try:
            return to_code(form_expr(self.form))
        except NotSupportedError:  # a form the one-dimensional vectors of the language can't write
            return None

    @property
    def shape(self) -> Shape:
        """The result's shape in its layout; ``out.shape + wrt.shape`` in the tensor layout."""

        return arranged_shape(self.out_shape, self.wrt.shape, self.layout)

    @property
    def wrt_shape(self) -> Shape:
        """Shape of the variable."""
        return self.wrt.shape

    def _numerator(self) -> str:
        """What is differentiated: ``f``, or ``(∂f/∂x)`` for a derivative of a derivative."""
        if isinstance(self.of, Derivative):
            inner = self.of._numerator()
            return rf"\left(\partial {inner} / \partial {latex_name(self.of.wrt.name)}\right)"
        return "f"

    def latex(self) -> str:
        """Return the result as LaTeX: the matrix form where one exists, else index notation."""
        top, v = self._numerator(), latex_name(self.wrt.name)
        form = self.arranged_form
        if form is not None:
            return rf"\frac{{\partial {top}}}{{\partial {v}}} = {form_latex(form)}"
        sub = "".join(i.name for i in self.index_expr.free)
        return rf"D_{{{sub}}} = {index_latex(self.index_expr)}"

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def _repr_markdown_(self) -> str:
        lines = [f"$${self.latex()}$$", ""]
        named = self.abbreviated_latex() if self.abbreviated != self.matrix else None
        if named is not None:  # the same form with its repeated sub-expressions named
            lines[1:1] = [f"$${named}$$", ""]
        if self.form is not None:
            sub = "".join(i.name for i in self.index_expr.free)
            lines.append(f"index form: $D_{{{sub}}} = {index_latex(self.index_expr)}$")
        lines.append(f"shape: {shape_text(self.shape)} ({self.layout} layout)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        shown = self.matrix if self.matrix is not None else self.index
        return f"<Derivative d/d{self.wrt.name} = {shown}, shape={self.shape}>"

    def __str__(self) -> str:
        return self.matrix if self.matrix is not None else self.index

    # numbers -------------------------------------------------------------------------
    def evaluate(
        self,
        given: Mapping[str, Any] | None = None,
        /,
        *,
        via: Literal["auto", "index", "matrix"] = "auto",
        **arrays: Any,
    ) -> Array:
        """Evaluate the derivative on arrays given by variable name.

        Returns an array of shape ``out.shape + wrt.shape`` (tensor layout). Matrix forms are
        evaluated with ``@``, index forms with ``np.einsum`` and a precomputed path; ``via``
        forces one of the two (``"matrix"`` raises when there is no matrix form). Where numpy
        cannot be imported, and only there, small instances (every axis at most 4) are
        evaluated in pure Python and returned as nested lists. The arrays
        may also be passed as one dict (needed for a variable named ``via``). A named size that
        no array's shape gives (the ``n`` of ``ones(n)``) is passed by name as an int:

        >>> import matderiv as md
        >>> md.derive("sum(t * ones(n))", "t", shapes={"t": ()}).evaluate(t=2.0, n=4)
        array(4.)
        """
        # numeric imports wait for the first numeric call: `import matderiv` and every
        # symbolic derivation run without numpy (downward imports, so no cycle)
        from .numeric.pure import numpy_available

        arrays = {**(given or {}), **arrays}
        if not numpy_available():  # nested lists, from the pure-Python backend (small sizes)
            from .numeric.pure import evaluate_derivative

            nested: Array = evaluate_derivative(self, arrays, via)
            return nested
        import numpy as np

        from .numeric.evaluation import Evaluator, bind_sizes, finite_or_raise, result_array

        sizes = bind_sizes(self.variables | {self.wrt}, arrays)
        ev = Evaluator(arrays, sizes)
        shape = tuple(ev.size(d) for d in self.tensor_shape)
        if via == "matrix" and self.form is None:
            raise NotSupportedError(f"{self!r} has no matrix form; evaluate it with via='index'")
        with np.errstate(all="ignore"):
            if self.form is not None and via != "index":
                tensor = result_array(ev.form(self.form), shape)
            else:
                tensor = ev.index(self.index_expr)
        finite_or_raise(tensor, arrays, f"the derivative d/d{self.wrt.name} of {self.of}")
        if self.layout == "tensor":
            return tensor
        out = tuple(ev.size(d) for d in self.out_shape)
        arranged: Array = arrange(tensor, out, tensor.shape[len(out) :], self.layout)
        return arranged

    def check(self, **kwargs: Any) -> Report:
        """Verify numerically; see :func:`matderiv.check_derivative`."""
        from .checks.finite import check_derivative  # numpy on first use, as in evaluate

        kwargs.setdefault("layout", self.layout)
        if self.symmetric is not None:
            kwargs.setdefault("symmetric", self.symmetric)
        return check_derivative(self.of, self, wrt=self.wrt, **kwargs)

    def program(self) -> Expr | IndexExpr:
        """What generated code computes (tensor layout): the matrix form as an expression of the
        language where one exists and the language can write it, else the index form."""

        if self.form is not None:
            try:
                return form_expr(self.form)
            except NotSupportedError:  # e.g. a named size, which the language cannot write
                pass
        return self.index_expr

    def to_source(self, name: str = "derivative", args: Sequence[str] | None = None) -> str:
        """Python source of a plain numpy function computing this derivative in its layout.

        Its arguments are keyword-only, named after the variables, unless ``args`` (every
        variable's name, exactly once) fixes a positional order. The function checks each
        argument's shape against the declared one and raises
        :class:`~matderiv.errors.ShapeError` naming the argument. A named size that no
        argument's shape gives (the ``n`` of ``ones(n)``) is a keyword argument of its own
        (``n=4``). Matrix forms use ``@`` and ``.T``; index forms use ``np.einsum`` with a
        cached contraction path; sub-expressions used twice are computed once. The result
        always has the derivative's full shape, a zero derivative too.

        >>> import matderiv as md
        >>> shapes = {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}
        >>> d = md.derive("sum((X @ W - Y)**2)", "W", shapes=shapes)
        >>> print(d.to_source("grad").split("\\n\\n\\n")[1].splitlines()[0])
        def grad(*, W, X, Y):
        >>> print(d.to_source("grad", args=("X", "W", "Y")).split("\\n\\n\\n")[1].splitlines()[0])
        def grad(X, W, Y):
        """

        if not name.isidentifier():
            raise ParseError(f"function name {name!r} is not a valid identifier")
        suffix = {"same": "", "T": ".T", "row": ".reshape(1, -1)", "col": ".reshape(-1, 1)"}[
            self.arrangement
        ]
        variables = argument_order(self.variables | {self.wrt}, args)
        outputs = [(self.program(), self.tensor_shape, suffix)]
        return generate(name, variables, outputs, positional=args is not None)

    def compile(self, args: Sequence[str] | None = None) -> Any:
        """A plain numpy function computing this derivative in its layout (see
        :meth:`to_source`).

        Its arguments are keyword-only (``f(X=..., W=...)``) unless ``args`` fixes a positional
        order, such as ``d.compile(args=("X", "W"))``; ``inspect.signature`` shows them.

        >>> import numpy as np, matderiv as md
        >>> d = md.derive("sum(t * ones(n))", "t", shapes={"t": ()})
        >>> f = d.compile()
        >>> import inspect; str(inspect.signature(f))
        '(*, t, n=None)'
        >>> float(f(t=2.0, n=4))
        4.0
        """

        return compile_source(self.to_source("derivative", args), "derivative")

    def contract(self, G: str | Var = "G") -> Derivative:
        """Contract with an upstream gradient: ∂L/∂wrt = Σ_i G[i…] ∂out[i…]/∂wrt, the VJP.

        ``G`` (a name, or a variable with the output's shape) stands for ∂L/∂out. Because G
        does not depend on wrt, this is the derivative of ``L = sum(G * out)``, derived with
        every step; the result has the shape of the variable.

        >>> import matderiv as md
        >>> d = md.derive("X @ W", "W", shapes={"X": ("B", "N"), "W": ("N", "M")})
        >>> d.contract("G").matrix
        'X^T G'
        """
        if not isinstance(self.of, Expr):
            raise NotSupportedError(
                "contract() applies to a first derivative; for a second derivative, derive "
                "the contracted first derivative again"
            )
        f = self.of
        g = G if isinstance(G, Var) else Var(G, f.shape)
        if g.shape != f.shape:
            raise ShapeError(
                f"the upstream gradient {g.name} has shape {shape_text(g.shape)}, but it must "
                f"have the output's shape {shape_text(f.shape)}"
            )
        clash = [v for v in f.variables() if v.name == g.name and v != g]
        if clash:
            raise ShapeError(
                f"{g.name!r} is already a variable of {to_text(f)}; name the upstream gradient "
                "differently, e.g. contract('G_up')"
            )
        loss = Reduce("sum", Mul((g, f))) if f.ndim else Mul((g, f))
        return derive(loss, self.wrt, layout=self.layout, symmetric=self.symmetric)

    def to_layout(self, name: Layout) -> Derivative:
        """Return the same derivative arranged in another layout convention.

        ``"tensor"`` (output axes, then the variable's), ``"numerator"``, ``"denominator"``,
        ``"mixed"`` or ``"mit"``; see :mod:`matderiv.numeric.layout`. Raises LayoutError for an
        arrangement the convention does not define.

        >>> import matderiv as md
        >>> d = md.derive("A @ x", "x", shapes={"A": ("m", "n"), "x": ("n",)})
        >>> d.to_layout("numerator").matrix, d.to_layout("denominator").matrix
        ('A', 'A^T')
        >>> d.to_layout("denominator").shape
        ('n', 'm')
        """

        recipe(name, len(self.out_shape), self.wrt.ndim)  # raises for an undefined arrangement
        return replace(self, layout=name)


def _derive_index(
    start: IndexExpr,
    of: Expr | Derivative,
    wrt: Var,
    variables: frozenset[Var],
    convention: SymmetricConvention | None,
) -> Derivative:
    used = {i.name for t in start.terms for i in t.indices()} | {i.name for i in start.free}
    names = free_names(wrt.ndim, used | {v.name for v in variables}, 1)
    widx = tuple(Idx(n, d) for n, d in zip(names, wrt.shape, strict=True))
    free = start.free + widx
    avoid = {v.name for v in variables}
    variables = variables | {wrt}
    differentiator = Differentiator(wrt, widx, convention)
    raw = rename_summed(IndexExpr(tuple(differentiator.terms(start.terms)), free), avoid)
    contracted = rename_summed(contract(raw), avoid)
    # declared structure: S[q,p] is S[p,q], so such terms collect; a stochastic Y's rows sum to 1
    final = rename_summed(collect(use_declared(contracted)), avoid)
    form, note = simplify_with_note(reassemble(final))
    out_shape = tuple(i.dim for i in start.free)
    stages = (start, raw, contracted, final)
    convention = differentiator.convention if wrt.structure == "symmetric" else None
    return Derivative(
        of, wrt, final, form, stages, out_shape, variables, symmetric=convention, note=note
    )


def derive(
    expr: Expr | str | Derivative,
    wrt: Var | str,
    shapes: Mapping[str, Any] | None = None,
    layout: Layout = "tensor",
    *,
    symmetric: SymmetricConvention | None = None,
) -> Derivative:
    """Derive ``∂ expr / ∂ wrt`` step by step.

    The result is arranged in the tensor layout: shape ``out.shape + wrt.shape``, with
    ``D[i..., p...] = ∂out[i...] / ∂wrt[p...]``. For a symmetric ``wrt`` the last two axes
    hold the convention that ``symmetric`` names (there is no default).

    Parameters
    ----------
    expr : str, Expr or Derivative
        The expression (text in the expression language, or built with :func:`matderiv.var`),
        or a derivative to differentiate again.
    wrt : str or Var
        The variable.
    shapes : dict, optional
        ``{name: shape}`` with shapes as tuples of ints or dimension names; ``()`` is a scalar.
    layout : {"tensor", "numerator", "denominator", "mixed", "mit"}
        The layout convention of the result.
    symmetric : {"frobenius", "free"}, optional
        Required when ``wrt`` is a symmetric variable (``md.var(..., structure="symmetric")``
        or ``md.structured``), where the two conventions of the literature differ. With G the
        derivative that ignores the symmetry: ``"frobenius"`` gives the gradient on the space
        of symmetric matrices, (G + Gᵀ)/2, the one gradient descent wants; ``"free"`` the
        partial derivatives by the n(n+1)/2 free entries, G + Gᵀ − G∘I (Matrix Cookbook
        §2.8.2). Without it a symmetric ``wrt`` raises :class:`~matderiv.errors.LayoutError`.
        A diagonal ``wrt`` gives G∘I in both conventions and needs none.

    Returns
    -------
    Derivative
        With ``.matrix``, ``.index``, ``.einsum``, ``.steps``, ``.shape`` and ``.evaluate``.

    Examples
    --------
    >>> import matderiv as md
    >>> d = md.derive("sum((X @ W - Y)**2)", "W",
    ...               shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")})
    >>> d.matrix
    '2 X^T (X W - Y)'
    >>> d.index
    'D[p,q] = 2 Σ_a (X W - Y)[a,q] X[a,p]'
    >>> d.shape
    ('N', 'M')
    >>> S = {"S": md.structured(("n", "n"), "symmetric"), "A": ("n", "n")}
    >>> md.derive("tr(A @ S)", "S", shapes=S, symmetric="free").matrix
    'A^T + A - A^T * I'
    >>> md.derive("logdet(S)", "S", shapes=S, symmetric="frobenius").matrix
    'S^{-1}'
    """
    if isinstance(expr, Derivative):
        prev = expr
        start = prev.index_expr
        variables = prev.variables
        wvar = as_variable(wrt, variables | {prev.wrt}, shapes)
        _same_variable(wvar, variables | {prev.wrt})
        d = _derive_index(start, prev, wvar, variables, symmetric)
    else:
        e = as_expression(expr, shapes)
        variables = e.variables()
        wvar = as_variable(wrt, variables, shapes)
        if not isinstance(wvar, Var):
            raise ParseError(f"wrt must name a variable, got {wrt!r}")
        _same_variable(wvar, variables)
        names = free_names(e.ndim, {v.name for v in variables}, 0)
        out_idx = tuple(Idx(n, d) for n, d in zip(names, e.shape, strict=True))
        start = rename_summed(
            IndexExpr(tuple(lower_normalized(e, out_idx)), out_idx), {v.name for v in variables}
        )
        d = _derive_index(start, e, wvar, variables, symmetric)
    return d if layout == "tensor" else d.to_layout(layout)


def _same_variable(wrt: Var, variables: frozenset[Var]) -> None:
    """Refuse a ``wrt`` named like a variable of the expression but declared otherwise (another
    shape or structure): it is not that variable, and its derivative would be a silent 0."""
    for v in variables:
        if v.name == wrt.name and v != wrt:
            raise ShapeError(
                f"wrt {wrt.name!r} is declared {shape_text(wrt.shape)} ({wrt.structure}), but the "
                f"expression's {v.name!r} is {shape_text(v.shape)} ({v.structure}); pass the "
                "expression's own variable, or its name"
            )


def hessian(
    expr: Expr | str,
    wrt: Var | str,
    wrt2: Var | str | None = None,
    shapes: Mapping[str, Any] | None = None,
    *,
    symmetric: SymmetricConvention | None = None,
) -> Derivative:
    """Second derivative: shape ``out.shape + wrt.shape + wrt2.shape``.

    ``symmetric`` names the convention for a symmetric variable, as in :func:`derive`; it
    applies to both derivatives.

    Examples
    --------
    >>> import matderiv as md
    >>> md.hessian("x @ A @ x", "x", shapes={"x": ("n",), "A": ("n", "n")}).matrix
    'A + A^T'
    """
    first = derive(expr, wrt, shapes, symmetric=symmetric)
    return derive(first, wrt if wrt2 is None else wrt2, shapes, symmetric=symmetric)
