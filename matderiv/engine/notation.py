"""Index notation as text and LaTeX, with readable index names.

Free indices of the output are named ``i, j, k, l``, those of the variable ``p, q, r, s`` (then
``t, u, v, w`` for a second variable); summed indices are renamed per term to ``a, b, c, …``,
skipping letters that are variable names, so ``X[b,p]`` never reads like the bias ``b``.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..errors import NotSupportedError, unknown_kind
from ..language.expression import Var
from ..language.printing import ATOM, Printer, format_number, latex_name, power_code
from ..language.shapes import Dim
from .index import FACTOR_KINDS, Factor, Idx, IndexExpr, Term

__all__ = [
    "FREE_GROUPS",
    "TermPlan",
    "einsum_code",
    "einsum_letters",
    "einsum_plan",
    "free_names",
    "index_latex",
    "index_text",
    "rename_summed",
]

FREE_GROUPS = ("ijkl", "pqrs", "tuvw", "efgh", "mno")
_SUMMED = "abcdefghmnoxyzuvwt"


def free_names(count: int, used: Iterable[str], group: int) -> list[str]:
    """Return ``count`` free-index names, preferring the letters of ``FREE_GROUPS[group]``."""
    taken = set(used)
    order = "".join(FREE_GROUPS[group:] + FREE_GROUPS[:group])
    pool = [c for c in order if c not in taken]
    if len(pool) < count:  # rare: fall back to any unused letter
        seen = set(pool)
        pool += [c for c in string.ascii_letters if c not in taken and c not in seen]
    if len(pool) >= count:
        return pool[:count]
    return [f"i{n}" for n in range(count)]


def rename_summed(expr: IndexExpr, avoid: Iterable[str] = ()) -> IndexExpr:
    """Rename the summed indices of every term to short letters, in order of appearance.

    An index shared by several terms (the summed axis of ``sum(X + b)`` reaches both of its
    terms) keeps one letter in all of them, so that a reader sees one sum split over terms.
    """
    blocked = {i.name for i in expr.free} | set(avoid)
    pool = [c for c in _SUMMED if c not in blocked] + [
        c for c in string.ascii_uppercase if c not in blocked
    ]
    terms: list[Term] = []
    free = set(expr.free)
    named: dict[Idx, str] = {}
    for t in expr.terms:
        summed = [i for i in t.indices() if i not in free]
        if not summed:
            terms.append(t)
            continue
        taken: set[str] = set()
        mapping: dict[Idx, Idx] = {}
        for i in summed:
            letter = named.get(i)
            if letter is None or letter in taken:
                spare = set(named.values())
                letter = next((c for c in pool if c not in taken and c not in spare), None)
                if letter is None:  # past the letters, numbered names: never the fresh
                    # names, which depend on call history
                    extra = (f"_{n}" for n in itertools.count() if f"_{n}" not in blocked)
                    letter = next(c for c in itertools.chain(pool, extra) if c not in taken)
                named.setdefault(i, letter)
            taken.add(letter)
            mapping[i] = Idx(letter, i.dim)
        terms.append(t.subs(mapping))
    return IndexExpr(tuple(terms), expr.free)


# text ---------------------------------------------------------------------------------------


def _factor_text(f: Factor) -> str:
    idx = ",".join(i.name for i in f.indices)
    match f.kind:
        case "delta":
            return f"δ[{idx}]"
        case "fuse":
            w, a, b = (i.name for i in f.indices)
            return f"F[{w};{a},{b}]"
        case "dim":
            base = f.name
        case "tensor":
            assert f.node is not None
            base = Printer("text").wrap(f.node, ATOM)
            if f.indices:
                base = f"{base}[{idx}]"
        case _:
            unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
    if f.power != 1:
        pw = format_number(f.power)
        base = f"{base}^{pw}" if len(pw) == 1 else f"{base}^({pw})"
    return base


def index_text(expr: IndexExpr, lhs: str = "") -> str:
    """Return index notation as text: ``D[p,q] = 2 Σ_b X[b,p] (X W - Y)[b,q]``."""
    pieces: list[str] = []
    for n, t in enumerate(expr.terms):
        summed = expr.summed(t)
        body = " ".join(_factor_text(f) for f in t.factors)
        c = abs(t.coeff)
        head = "" if c == 1 and body else format_number(c)
        sigma = f"Σ_{''.join(i.name for i in summed)} " if summed else ""
        s = " ".join(x for x in (head, sigma + body) if x).strip()
        sign = "-" if t.coeff < 0 else "+"
        pieces.append(("-" + s if sign == "-" else s) if n == 0 else f" {sign} {s}")
    rhs = "".join(pieces) if pieces else "0"
    return f"{lhs} = {rhs}" if lhs else rhs


# LaTeX --------------------------------------------------------------------------------------


def _sub(indices: Sequence[Idx]) -> str:
    return "".join(i.name if len(i.name) == 1 else "{" + i.name + "}" for i in indices)


def factor_latex(f: Factor) -> str:
    """Return one factor in LaTeX, e.g. ``X_{bp}`` or ``\\delta_{kp}``."""
    sub = _sub(f.indices)
    match f.kind:
        case "delta":
            return rf"\delta_{{{sub}}}"
        case "fuse":
            return rf"F_{{{sub}}}"
        case "dim":
            base = f.name
        case "tensor":
            assert f.node is not None
            node = f.node
            if isinstance(node, Var) and len(latex_name(node.name)) == 1:
                base = latex_name(node.name)
            else:
                base = Printer("latex").wrap(node, 1000)
            if sub:
                base = f"{base}_{{{sub}}}"
        case _:
            unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
    if f.power != 1:
        base = f"{{{base}}}^{{{format_number(f.power, 'latex')}}}"
    return base


def index_latex(expr: IndexExpr) -> str:
    """Return the right-hand side of index notation in LaTeX, sums written out."""
    pieces: list[str] = []
    for n, t in enumerate(expr.terms):
        summed = expr.summed(t)
        body = r"\, ".join(factor_latex(f) for f in t.factors)
        c = abs(t.coeff)
        head = "" if c == 1 and body else format_number(c, "latex")
        sigma = rf"\sum_{{{','.join(i.name for i in summed)}}} " if summed else ""
        s = " ".join(x for x in (head, sigma + body) if x).strip()
        if n == 0:
            pieces.append("-" + s if t.coeff < 0 else s)
        else:
            pieces.append((" - " if t.coeff < 0 else " + ") + s)
    return "".join(pieces) if pieces else "0"


def einsum_letters(expr: IndexExpr) -> dict[Idx, str]:
    """Assign an einsum letter to every index of an index form (its own name if a letter)."""
    seen: dict[Idx, None] = dict.fromkeys(expr.free)
    for t in expr.terms:
        for i in t.indices():
            seen.setdefault(i, None)
    letters: dict[Idx, str] = {}
    used: set[str] = set()
    for i in seen:
        if len(i.name) == 1 and i.name in string.ascii_letters and i.name not in used:
            letters[i] = i.name
            used.add(i.name)
    pool = (c for c in string.ascii_letters if c not in used)
    for i in seen:
        if i not in letters:
            try:
                letters[i] = next(pool)
            except StopIteration:
                raise NotSupportedError(
                    "the index form needs more than 52 distinct indices, more than np.einsum allows"
                ) from None
    return letters


def _size_code(dim: Dim) -> str:
    """A dimension as a Python operand: ``3``, ``n``, ``(M*N)``."""
    text = str(dim)
    return f"({text})" if "*" in text else text


def einsum_code(expr: IndexExpr) -> str:
    """Return Python code with one ``np.einsum`` call per term: operands in the expression
    language, δ as ``np.eye``, named sizes by name; exponents and coefficients print exactly as
    Python reads them (``c ** (-5/3)``), and a zero keeps its shape (``np.zeros((n,))``)."""
    if not expr.terms:
        dims = "".join(f"{_size_code(i.dim)}, " for i in expr.free).rstrip(" ")
        return f"np.zeros(({dims}))" if expr.free else "0.0"
    parts: list[str] = []
    for plan in einsum_plan(expr):
        args: list[str] = []
        for f in plan.operands:
            match f.kind:
                case "delta":
                    args.append(f"np.eye({f.indices[0].dim})")
                case "fuse":  # F[w,a,b] = 1 where w = a * minor + b
                    w, a, b = (str(i.dim) for i in f.indices)
                    args.append(f"np.eye({w}).reshape({w}, {a}, {b})")
                case "tensor":
                    assert f.node is not None
                    p = Printer("code")
                    if f.power == 1:
                        args.append(p.p(f.node)[0])
                    else:
                        args.append(f"{p.wrap(f.node, ATOM)} ** {power_code(f.power)}")
                case "dim":  # einsum_plan keeps sizes out of the operands
                    raise AssertionError(f"a named size {f.name} among einsum operands")
                case _:
                    unknown_kind(f.kind, "factor kind", FACTOR_KINDS)
        args += [f"np.ones({i.dim})" for i in plan.missing]
        scalars = [
            _size_code(f.name) if f.power == 1 else f"{_size_code(f.name)} ** {power_code(f.power)}"
            for f in plan.dims
        ]
        c = abs(plan.coeff)
        head = [] if c == 1 else [format_number(c)]
        best = ", optimize=True" if len(args) > 2 else ""  # else numpy loops over every index
        call = [f"np.einsum('{plan.spec}', {', '.join(args)}{best})"] if args else []
        s = " * ".join([*head, *scalars, *call]) or "1"
        parts.append(("- " if plan.coeff < 0 else "+ ") + s)
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


@dataclass(frozen=True)
class TermPlan:
    """How one term becomes one ``np.einsum`` call: named-size factors (a scalar multiplier),
    the operand factors in order, the free indices no operand carries (a ones vector each), and
    the subscripts of operands then missing indices, ``->`` the free indices."""

    coeff: Fraction
    dims: tuple[Factor, ...]
    operands: tuple[Factor, ...]
    missing: tuple[Idx, ...]
    spec: str


def einsum_plan(expr: IndexExpr) -> list[TermPlan]:
    """One :class:`TermPlan` per term of an index form."""
    letters = einsum_letters(expr)
    out = "".join(letters[i] for i in expr.free)
    plans: list[TermPlan] = []
    for t in expr.terms:
        dims = tuple(f for f in t.factors if f.kind == "dim")
        operands = tuple(f for f in t.factors if f.kind != "dim")
        present = {i for f in operands for i in f.indices}
        missing = tuple(i for i in expr.free if i not in present)
        subs = ["".join(letters[i] for i in f.indices) for f in operands]
        subs += [letters[i] for i in missing]
        plans.append(TermPlan(t.coeff, dims, operands, missing, ",".join(subs) + "->" + out))
    return plans
