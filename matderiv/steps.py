"""The derivation, step by step: what :attr:`matderiv.Derivative.steps` shows.

1. **element**: the element formula of the output in index notation (with the element formulas of
   the sums it contains);
2. **differentiate**: product and chain rules, Kronecker deltas written out;
3. **contract**: the deltas sifted away;
4. **collect**: equal terms added (only when something was collected);
5. **reassemble**: the matrix form, or the einsum form where none exists;
6. **arrange**: the result in a layout convention (only for a layout other than the tensor one).

Each step has text, LaTeX and an index form that evaluates to the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .engine.formprint import form_latex, form_text
from .engine.index import Idx, IndexExpr
from .engine.lowering import lower_normalized
from .engine.matrixform import MForm
from .engine.notation import einsum_code, free_names, index_latex, index_text, rename_summed
from .engine.result import DerivativeData
from .engine.structure import variable_derivative
from .engine.why import no_matrix_form_reason
from .errors import NotSupportedError
from .language.expression import Add, Expr, Var, shape_text
from .language.printing import Printer, latex_name, to_latex, to_text
from .language.shapes import Shape
from .language.structure import SymmetricConvention
from .numeric.layout import recipe

if TYPE_CHECKING:
    from .numeric.evaluation import Array


class Derivation(DerivativeData, Protocol):
    """What the steps read of a derivative: its stages and its printed result."""

    @property
    def stages(self) -> tuple[IndexExpr, IndexExpr, IndexExpr, IndexExpr]: ...

    @property
    def arranged_form(self) -> MForm | None: ...

    @property
    def shape(self) -> Shape: ...

    @property
    def index(self) -> str: ...

    @property
    def symmetric(self) -> SymmetricConvention | None: ...

    def latex(self) -> str: ...

    @property
    def note(self) -> str | None: ...


__all__ = ["Step", "Steps", "build_steps"]


@dataclass(frozen=True)
class Step:
    """One step of a derivation, with text, LaTeX and an executable index form."""

    name: str
    title: str
    text: str
    latex: str
    index_expr: IndexExpr | None = None
    form: MForm | None = field(default=None, repr=False)
    variables: frozenset[Var] = field(default=frozenset(), repr=False)

    def _repr_markdown_(self, number: int | None = None) -> str:
        head = f"**{number}. {self.title}**" if number else f"**{self.title}**"
        return f"{head}\n\n{_aligned(self.latex)}"

    def evaluate(self, given: Mapping[str, Any] | None = None, /, **arrays: Any) -> Array:
        """Evaluate this step's formula (index form, or matrix form for the last step).

        Shapes follow the tensor layout: output axes, then the variable's axes.
        """
        from .numeric.evaluation import Evaluator, bind_sizes, result_array

        arrays = {**(given or {}), **arrays}
        sizes = bind_sizes(self.variables, arrays)
        ev = Evaluator(arrays, sizes)
        if self.index_expr is None:
            raise NotSupportedError(f"step {self.name!r} has no formula to evaluate")
        if self.form is not None:
            shape = tuple(ev.size(i.dim) for i in self.index_expr.free)
            return result_array(ev.form(self.form), shape)
        return ev.index(self.index_expr)


def _define_opaque(
    expr: IndexExpr, wrt: Var, variables: frozenset[Var]
) -> list[tuple[str, str, str]]:
    """Element formulas of the sums that occur as factors and depend on ``wrt``."""
    seen: dict[Expr, None] = {}
    for t in expr.terms:
        for f in t.factors:
            if f.node is not None and isinstance(f.node, Add) and f.node.depends_on(wrt):
                seen.setdefault(f.node, None)
    out = []
    # letters of the formula being explained stay out of the definitions that explain it, so a
    # summed letter never means two things on one page; nor do the arrays' names
    used = {i.name for t in expr.terms for i in t.indices()} | {i.name for i in expr.free}
    used |= {v.name for v in variables}
    for node in seen:
        names = free_names(node.ndim, used - {i.name for i in expr.free}, 0)
        idx = [Idx(n, d) for n, d in zip(names, node.shape, strict=False)]
        lowered = IndexExpr(tuple(lower_normalized(node, idx)), tuple(idx))
        element = rename_summed(lowered, used)
        sub = "".join(i.name for i in idx)
        lhs_t = f"({to_text(node)})" + (f"[{','.join(i.name for i in idx)}]" if idx else "")
        lhs_l = Printer("latex").wrap(node, 1000) + (f"_{{{sub}}}" if sub else "")
        out.append((lhs_t, lhs_l, f"{index_text(element)}|{index_latex(element)}"))
    return out


def _element_step(
    start: IndexExpr, wrt: Var, of: Expr | DerivativeData, variables: frozenset[Var]
) -> Step:
    if isinstance(of, Expr):
        head_t, head_l = f"f = {to_text(of)}", f"f = {to_latex(of)}"
    else:
        head_t, head_l = "f = the previous derivative", r"f = \text{the previous derivative}"
    sub = ",".join(i.name for i in start.free)
    lhs_t = f"f[{sub}]" if sub else "f"
    lhs_l = f"f_{{{''.join(i.name for i in start.free)}}}" if sub else "f"
    text = [head_t, index_text(start, lhs_t)]
    latex = [head_l, rf"{lhs_l} = {index_latex(start)}"]
    for lt, ll, both in _define_opaque(start, wrt, variables):
        t, lx = both.split("|", 1)
        text.append(f"where {lt} = {t}")
        latex.append(rf"\text{{where }} {ll} = {lx}")
    return Step(
        "element",
        "Write one element of the output in index notation",
        "\n".join(text),
        r" \\ ".join(latex),
        start,
        variables=variables,
    )


def _lhs(start_free: tuple[Idx, ...], wrt: Var, widx: tuple[Idx, ...]) -> tuple[str, str]:
    top = "f" + (f"[{','.join(i.name for i in start_free)}]" if start_free else "")
    text = (
        f"∂{top}/∂{wrt.name}[{','.join(i.name for i in widx)}]" if widx else f"∂{top}/∂{wrt.name}"
    )
    ltop = "f" + (f"_{{{''.join(i.name for i in start_free)}}}" if start_free else "")
    lw = latex_name(wrt.name) + (f"_{{{''.join(i.name for i in widx)}}}" if widx else "")
    return text, rf"\frac{{\partial {ltop}}}{{\partial {lw}}}"


def _structure_rule(
    wrt: Var, widx: tuple[Idx, ...], convention: SymmetricConvention | None
) -> tuple[str, str]:
    """The rule ∂S_ab/∂S_pq of a structured variable, as a first line of the differentiate
    step (text and LaTeX, each ending in a line break), or two empty strings."""
    if wrt.structure == "general":
        return "", ""
    taken = {i.name for i in widx}
    a, b = (Idx(n, wrt.shape[0]) for n in [c for c in "abcdefgh" if c not in taken][:2])
    rule = IndexExpr(tuple(variable_derivative(wrt, (a, b), widx, convention)), (a, b, *widx))
    p, q = widx
    why = {
        "diagonal": "diagonal: only the diagonal entries are free",
        "free": "symmetric, free entries: one entry for each pair (p, q), (q, p)",
        "frobenius": "symmetric, Frobenius: the projection onto the symmetric matrices",
    }["diagonal" if wrt.structure == "diagonal" else str(convention)]
    lw = latex_name(wrt.name)
    text = f"∂{wrt.name}[{a.name},{b.name}]/∂{wrt.name}[{p.name},{q.name}]"
    latex = rf"\frac{{\partial {lw}_{{{a.name}{b.name}}}}}{{\partial {lw}_{{{p.name}{q.name}}}}}"
    return (
        f"{index_text(rule, text)}   ({why})\n",
        rf"{latex} = {index_latex(rule)} \quad \text{{({why})}} \\ ",
    )


def _aligned(latex: str) -> str:
    """Display LaTeX with one row per line, aligned at the relation ``=`` of each row (the
    first one outside braces and ``\\left…\\right``, never an ``axis=1`` inside a call)."""
    rows = []
    for row in latex.split(r" \\ "):
        at = _relation(row)
        rows.append(row if at < 0 else f"{row[:at]}&{row[at:]}")
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def _relation(row: str) -> int:
    depth = 0
    n = 0
    while n < len(row):
        if row.startswith(r"\left", n):
            depth, n = depth + 1, n + 5
            continue
        if row.startswith(r"\right", n):
            depth, n = depth - 1, n + 6
            continue
        c = row[n]
        depth += (c == "{") - (c == "}")
        if c == "=" and depth == 0:
            return n
        n += 1
    return -1


class Steps(tuple[Step, ...]):
    """The steps of a derivation: a tuple of :class:`Step` that a notebook shows as typeset,
    numbered equations, each aligned at its ``=``."""

    def _repr_markdown_(self) -> str:
        return "\n\n".join(s._repr_markdown_(n) for n, s in enumerate(self, 1))


def _capital(reason: str | None) -> str:
    text = reason or "no matrix form"
    return text[:1].upper() + text[1:]


def build_steps(d: Derivation) -> Steps:
    """The derivation's steps, printed (text and LaTeX) when first asked for."""
    start, raw, contracted, final = d.stages
    wrt, variables = d.wrt, d.variables
    widx = final.free[len(start.free) :]
    lhs_t, lhs_l = _lhs(start.free, wrt, widx)
    steps = [_element_step(start, wrt, d.of, variables)]
    rule_t, rule_l = _structure_rule(wrt, widx, d.symmetric)
    steps.append(
        Step(
            "differentiate",
            "Differentiate one element: product and chain rules, Kronecker deltas written out",
            rule_t + index_text(raw, lhs_t),
            rule_l + f"{lhs_l} = {index_latex(raw)}",
            raw,
            variables=variables,
        )
    )
    steps.append(
        Step(
            "contract",
            "Contract the deltas (sifting property)",
            index_text(contracted, lhs_t),
            f"{lhs_l} = {index_latex(contracted)}",
            contracted,
            variables=variables,
        )
    )
    if len(final.terms) != len(contracted.terms):
        symmetric = sorted(v.name for v in variables if v.structure != "general")
        using = f" (using {', '.join(f'{n}^T = {n}' for n in symmetric)})" if symmetric else ""
        steps.append(
            Step(
                "collect",
                "Collect equal terms" + using,
                index_text(final, lhs_t),
                f"{lhs_l} = {index_latex(final)}",
                final,
                variables=variables,
            )
        )
    if d.form is not None:
        wname = latex_name(wrt.name)
        steps.append(
            Step(
                "reassemble",
                "Reassemble into matrix notation" + (f" ({d.note})" if d.note else ""),
                f"∂f/∂{wrt.name} = {form_text(d.form)}",
                rf"\frac{{\partial f}}{{\partial {wname}}} = {form_latex(d.form)}",
                final,
                d.form,
                variables=variables,
            )
        )
    else:
        steps.append(
            Step(
                "reassemble",
                f"{_capital(no_matrix_form_reason(final))}: the result stays an index (einsum) "
                "tensor",
                f"{lhs_t} = {einsum_code(final)}",
                rf"{lhs_l} = {index_latex(final)}",
                final,
                variables=variables,
            )
        )
    if d.layout != "tensor":
        form = d.arranged_form
        shown = form_text(form) if form is not None else d.index
        steps.append(
            Step(
                "arrange",
                f"Arrange in the {d.layout} layout (shape {shape_text(d.shape)})",
                f"{d.layout} layout, {shape_text(d.shape)}: {shown}",
                d.latex(),
                final,
                form
                if form is not None and recipe(d.layout, len(d.out_shape), d.wrt.ndim) == "same"
                else None,
                variables=variables,
            )
        )
    return Steps(steps)
