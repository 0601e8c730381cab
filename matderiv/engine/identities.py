"""Identities of the elementwise functions, used to shorten elementwise parts of a result.

A matrix form holds elementwise parts: sums, scalings and Hadamard products of atoms of one
shape, and the elementwise expression inside an atom (``sigmoid(X w) - y`` in
``X^T (sigmoid(X w) - y)``). :func:`simplify_pointwise` maps each such part to one SymPy
expression, every sub-expression that is not elementwise (``X w``, ``softmax(X W)``, a chain or
a ``diag`` of the form) becoming an opaque real symbol. There it applies the identities of the
elementwise functions and SymPy's algebra, then maps the shortest result back:

- the derivatives are written as values: ``sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))`` and
  ``tanh'(z) = 1 - tanh(z)²`` (the declarations in :mod:`matderiv.language.specs` say so);
- ``log(exp(u)) = u`` (u real) and ``exp(log(u)) = u`` (where log u is defined), which SymPy
  applies by itself to real symbols; ``sqrt(u²) = |u|`` likewise;
- ``exp(u) / (1 + exp(u)) = sigmoid(u)``, ``1 / (1 + exp(u)) = sigmoid(-u)`` and
  ``log(1 + exp(u)) = softplus(u)``;
- rational algebra (``cancel``, ``factor``, ``expand``): ``(1 - s)⁻¹ s (1 - s) = s``.

Correct or silent. Each rewrite is an identity wherever the original is defined (``a / a``
only widens the domain; the symbols are real, and SymPy's automatic rules respect that). A
candidate is kept only when its exact difference with the original (sigmoids and softpluses
written out) cancels to 0, when it maps back to a form of the same shape and number of axes, and
when it is cheaper to read (:data:`PRIME_COST`); otherwise (an unknown SymPy node, a part over
the budget :data:`MAX_OPS`, no SymPy as in the browser) the original stays.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..errors import MatderivError
from ..language import nodes
from .formprint import form_text
from .matrixform import (
    Atom,
    Chain,
    DiagOf,
    FormShapeError,
    Hadamard,
    KronOf,
    MForm,
    MSum,
    ScalarOf,
    Scaled,
    VecOf,
    form_expr,
    form_shape,
)

__all__ = ["MAX_OPS", "PRIME_COST", "form_cost", "simplify_pointwise"]

#: A part with more SymPy operations than this is left as it is (the budget).
MAX_OPS = 60

#: What a primed function (``sigmoid'``, ``tanh'``) costs a reader, in printed characters: a
#: value form such as ``1 - tanh(x)**2`` wins when it is at most this much longer.
PRIME_COST = 10

_NATIVE = ("exp", "log", "abs")  # functions SymPy knows (its automatic log/exp identities)
#: The derivatives written as values (f' in terms of f), by name: (f, rule on f's value).
_PRIMES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "sigmoid'": ("sigmoid", lambda s: s * (1 - s)),
    "tanh'": ("tanh", lambda t: 1 - t**2),
}

_CACHE: dict[MForm, MForm] = {}
_CACHE_SIZE = 2048


class _RejectedError(Exception):
    """The part cannot be mapped to SymPy and back: it stays as it is."""


def form_cost(f: MForm) -> int:
    """How hard a form is to read: its length, plus :data:`PRIME_COST` per primed function."""
    text = form_text(f)
    return len(text) + PRIME_COST * text.count("'")


def simplify_pointwise(form: MForm) -> MForm:
    """Return ``form`` with each maximal elementwise part rewritten to a shorter equal one."""
    if not _promising(form):
        return form
    hit = _CACHE.get(form)
    if hit is not None:
        return hit
    try:
        import sympy
    except ImportError:  # pure-Python installs: no rewriting
        return form
    out = _Simplifier(sympy).form(form)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[form] = out
    return out


# which parts are worth SymPy's time ----------------------------------------------------------


def _expr_promising(e: nodes.Expr) -> bool:
    """Whether an expression holds something an identity may shorten: a division, a log of an
    exp (or an exp of a log), ``tanh'``, or ``sigmoid'(u)`` next to ``sigmoid(u)`` (alone,
    ``sigmoid'(u)`` is shorter than its value)."""
    funcs = [n for n in e.walk() if isinstance(n, nodes.Func)]
    for n in funcs:
        if n.name == "tanh'":
            return True
        if n.name == "sigmoid'" and nodes.Func("sigmoid", n.arg) in _surface(e):
            return True
        inner = {m.name for m in n.arg.walk() if isinstance(m, nodes.Func)}
        if (n.name == "log" and "exp" in inner) or (n.name == "exp" and "log" in inner):
            return True
    return any(
        isinstance(n, nodes.Pow) and isinstance(n.exponent, nodes.Const) and n.exponent.value < 0
        for n in e.walk()
    )


def _surface(e: nodes.Expr) -> set[nodes.Expr]:
    """The nodes reached from ``e`` through elementwise operations only."""
    out: set[nodes.Expr] = set()
    stack = [e]
    while stack:
        n = stack.pop()
        out.add(n)
        if isinstance(n, nodes.Add | nodes.Mul | nodes.Pow | nodes.Reduce):
            stack.extend(n.children())
    return out


def _promising(f: MForm) -> bool:
    """Whether a form holds a part worth SymPy's time (all its atoms read as one)."""
    atoms = _atoms(f)
    if not atoms:
        return False
    return _expr_promising(atoms[0] if len(atoms) == 1 else nodes.Add(tuple(atoms)))


def _atoms(f: MForm) -> list[nodes.Expr]:
    """The expressions of every atom in a form, each flattened to one axis or none (only their
    functions and powers are read)."""
    match f:
        case Atom():
            return [nodes.Reduce("sum", f.expr) if f.expr.ndim else f.expr]
        case Chain() | Hadamard():
            return [a for i in f.items for a in _atoms(i)]
        case MSum():
            return [a for t in f.terms for a in _atoms(t)]
        case Scaled():
            inner = [a for s, _ in f.scalars for a in _atoms(s)]
            return inner + ([] if f.body is None else _atoms(f.body))
        case DiagOf() | VecOf():
            return _atoms(f.arg)
        case ScalarOf():
            return [] if f.arg is None else _atoms(f.arg)
        case KronOf():
            return _atoms(f.left) + _atoms(f.right)
    return []


# the simplifier -----------------------------------------------------------------------------


class _Simplifier:
    def __init__(self, sp: Any) -> None:
        self.sp = sp
        self.funcs: dict[str, Any] = {}

    def func(self, name: str) -> Any:
        """The SymPy function for a language function (an undefined real one, except the
        native ones)."""
        sp = self.sp
        native = {"exp": sp.exp, "log": sp.log, "abs": sp.Abs}
        if name in native:
            return native[name]
        if name not in self.funcs:
            self.funcs[name] = sp.Function(name.replace("'", "_prime"), real=True)
        return self.funcs[name]

    # walking the form ------------------------------------------------------------------------
    def form(self, f: MForm) -> MForm:
        if not _promising(f):
            return f
        if isinstance(f, Atom | Hadamard | MSum | Scaled):
            new = self.part(f)
            if new is not None:
                return new
        return self.children(f)

    def children(self, f: MForm) -> MForm:
        match f:
            case Chain():
                return Chain(tuple(self.form(i) for i in f.items))
            case Hadamard():
                return Hadamard(tuple(self.form(i) for i in f.items))
            case MSum():
                return MSum(tuple(self.form(t) for t in f.terms))
            case Scaled():
                scalars = tuple((self.form(s), p) for s, p in f.scalars)
                return Scaled(f.coeff, scalars, None if f.body is None else self.form(f.body))
            case DiagOf():
                return DiagOf(self.form(f.arg), f.vector, f.t)
            case VecOf():
                return VecOf(self.form(f.arg), f.t)
            case ScalarOf() if f.arg is not None:
                return ScalarOf(f.op, self.form(f.arg), f.name)
            case KronOf():
                return KronOf(self.form(f.left), self.form(f.right))
        return f

    def part(self, f: MForm) -> MForm | None:
        """The best rewrite of an elementwise part, or None to keep it (its children are then
        simplified one by one)."""
        try:
            shape = form_shape(f), form_expr(f).ndim  # a size-1 axis must not become a scalar
            tr = _Translation(self, _row(f))
            start = tr.to_sympy(f)
            if self.sp.count_ops(start) > MAX_OPS:
                return None
            found: list[tuple[int, MForm, Any]] = []
            for cand in dict.fromkeys(self.candidates(start)):
                try:
                    new = tr.to_form(cand)
                    if (form_shape(new), form_expr(new).ndim) == shape:
                        found.append((form_cost(new), new, cand))
                except (_RejectedError, FormShapeError, MatderivError):
                    continue
        except (_RejectedError, FormShapeError, MatderivError):
            return None
        cost = form_cost(f)
        for c, new, cand in sorted(found, key=lambda x: x[0]):
            if c >= cost:
                break
            if self.equal(start, cand):
                return new
        return None

    def candidates(self, e: Any) -> list[Any]:
        sp = self.sp
        out = [e]
        for how in (sp.cancel, sp.expand):
            try:
                out.append(how(e))
            except (sp.PolynomialError, TypeError, ValueError):  # pragma: no cover - SymPy
                continue
        return [self.recognise(c) for c in out]

    def recognise(self, e: Any) -> Any:
        """Write ``exp(u)/(1 + exp(u))`` as sigmoid(u), ``1/(1 + exp(u))`` as sigmoid(-u),
        ``log(1 + exp(u))`` as softplus(u), everywhere in ``e``."""
        sp = self.sp
        if not e.args:
            return e
        if isinstance(e, sp.Mul):
            return self.recognise_product(e)
        e = e.func(*(self.recognise(a) for a in e.args))
        if isinstance(e, sp.log) and _one_plus_exp(sp, e.args[0]) is not None:
            return self.func("softplus")(_one_plus_exp(sp, e.args[0]))
        if isinstance(e, sp.Pow) and e.exp == -1:
            u = _one_plus_exp(sp, e.base)
            if u is not None:
                return self.func("sigmoid")(-u)
        return e

    def recognise_product(self, e: Any) -> Any:
        """``exp(u) (1 + exp(u))⁻¹`` in a product is sigmoid(u); the rest as ``recognise``."""
        sp = self.sp
        factors = list(e.args)
        out = []
        for a in list(factors):
            u = _one_plus_exp(sp, a.base) if isinstance(a, sp.Pow) and a.exp == -1 else None
            if u is not None and sp.exp(u) in factors:
                factors.remove(sp.exp(u))
                factors.remove(a)
                out.append(self.func("sigmoid")(self.recognise(u)))
        return sp.Mul(*out, *(self.recognise(a) for a in factors))

    def equal(self, a: Any, b: Any) -> bool:
        """Whether SymPy proves ``a == b`` (sigmoid and softplus written out)."""
        sp = self.sp
        sig, soft = self.func("sigmoid"), self.func("softplus")

        def defined(e: Any) -> Any:
            return e.replace(sig, lambda u: 1 / (1 + sp.exp(-u))).replace(
                soft, lambda u: sp.log(1 + sp.exp(u))
            )

        diff = defined(a) - defined(b)
        if diff == 0:
            return True
        return bool(sp.cancel(sp.expand(diff)) == 0)


def _one_plus_exp(sp: Any, e: Any) -> Any:
    """``u`` when ``e`` is ``1 + exp(u)``, else None."""
    if isinstance(e, sp.Add) and len(e.args) == 2 and sp.S.One in e.args:
        other = e.args[0] if e.args[1] == sp.S.One else e.args[1]
        if isinstance(other, sp.exp):
            return other.args[0]
    return None


def _row(f: MForm) -> bool:
    """Whether an elementwise part is a row (its vector atoms are transposed)."""
    return any(isinstance(a, Atom) and a.t and a.expr.ndim == 1 for a in _elementwise_atoms(f))


def _elementwise_atoms(f: MForm) -> list[MForm]:
    match f:
        case Hadamard():
            return [a for i in f.items for a in _elementwise_atoms(i)]
        case MSum():
            return [a for t in f.terms for a in _elementwise_atoms(t)]
        case Scaled():
            return [] if f.body is None else _elementwise_atoms(f.body)
    return [f]


def _full(e: nodes.Expr, ndim: int) -> bool:
    """Whether every operand of ``e``'s elementwise tree has ``ndim`` axes or none (so that
    transposing ``e`` transposes each operand)."""
    if isinstance(e, nodes.Add | nodes.Mul):
        return all(_full(a, ndim) for a in e.args)
    if isinstance(e, nodes.Pow):
        return _full(e.base, ndim) and e.exponent.ndim == 0
    if isinstance(e, nodes.Func):
        return _full(e.arg, ndim)
    return e.ndim in (0, ndim)


def _true_scalar(f: MForm) -> bool:
    """A 1×1 form that is a scalar in the language too (``r^T M``, M n×1, has one axis)."""
    try:
        return form_shape(f) == (1, 1) and form_expr(f).ndim == 0
    except MatderivError:
        return False


class _Translation:
    """One part mapped to SymPy: the opaque symbols and what they stand for."""

    def __init__(self, owner: _Simplifier, row: bool) -> None:
        self.owner, self.sp, self.row = owner, owner.sp, row
        self.leaves: dict[Any, Any] = {}  # key -> symbol
        self.back: dict[Any, tuple[str, Any]] = {}  # symbol -> ("expr", expr) | ("form", form)
        self.scalar: set[Any] = set()  # symbols of scalar forms

    def leaf(self, key: tuple[str, Any], scalar: bool) -> Any:
        if key not in self.leaves:
            s = self.sp.Symbol(f"_m{len(self.leaves)}", real=True)
            self.leaves[key] = s
            self.back[s] = key
            if scalar:
                self.scalar.add(s)
        return self.leaves[key]

    def form_leaf(self, f: MForm) -> Any:
        f = self.owner.form(f)
        return self.leaf(("form", f), _true_scalar(f))

    # to SymPy ---------------------------------------------------------------------------------
    def to_sympy(self, f: MForm) -> Any:
        sp = self.sp
        match f:
            case Atom():
                e = f.expr
                if e.ndim == 2 and f.t:
                    if not _full(e, 2):  # kept whole: simplifying it again would be this part
                        return self.leaf(("form", f), _true_scalar(f))
                    return self.expr(e, True)
                if e.ndim == 1 and f.t != self.row:
                    raise _RejectedError("rows and columns in one part")
                return self.expr(e, False)
            case Hadamard():
                return sp.Mul(*(self.to_sympy(i) for i in f.items))
            case MSum():
                return sp.Add(*(self.to_sympy(t) for t in f.terms))
            case Scaled():
                out = sp.Rational(f.coeff.numerator, f.coeff.denominator)
                for s, p in f.scalars:
                    out *= self.form_leaf(s) ** sp.Rational(p.numerator, p.denominator)
                return out if f.body is None else out * self.to_sympy(f.body)
        return self.form_leaf(f)

    def expr(self, e: nodes.Expr, t: bool) -> Any:
        sp = self.sp
        match e:
            case nodes.Const():
                return sp.Rational(e.value.numerator, e.value.denominator)
            case nodes.Add():
                return sp.Add(*(self.expr(a, t) for a in e.args))
            case nodes.Mul():
                return sp.Mul(*(self.expr(a, t) for a in e.args))
            case nodes.Pow() if isinstance(e.exponent, nodes.Const):
                v = e.exponent.value
                return self.expr(e.base, t) ** sp.Rational(v.numerator, v.denominator)
            case nodes.Func():
                arg = self.expr(e.arg, t)
                if e.name in _PRIMES:
                    name, rule = _PRIMES[e.name]
                    return rule(self.owner.func(name)(arg))
                return self.owner.func(e.name)(arg)
        return self.leaf(("expr", (e, t and e.ndim == 2)), e.ndim == 0)

    # back to a form ---------------------------------------------------------------------------
    def to_form(self, e: Any) -> MForm:
        sp = self.sp
        if not any(self.back[s][0] == "form" for s in e.free_symbols):
            return self.atom(self.lang(e))
        terms = [self.term(t) for t in _ordered(sp, sp.Add.make_args(e))]
        return terms[0] if len(terms) == 1 else MSum(tuple(terms))

    def atom(self, e: nodes.Expr) -> Atom:
        flags = [k[1][1] for k in self.back.values() if k[0] == "expr" and k[1][0].ndim == 2]
        if e.ndim == 2 and flags and all(flags):
            # every matrix operand transposed: transpose the atom instead
            return Atom(self.untranspose(e), True)
        return Atom(e, self.row and e.ndim == 1)

    def untranspose(self, e: nodes.Expr) -> nodes.Expr:
        if isinstance(e, nodes.Transpose):
            return e.arg
        if isinstance(e, nodes.Add):
            return nodes.Add(tuple(self.untranspose(a) for a in e.args))
        if isinstance(e, nodes.Mul):
            return nodes.Mul(tuple(self.untranspose(a) for a in e.args))
        if isinstance(e, nodes.Pow):
            return nodes.Pow(self.untranspose(e.base), e.exponent)
        if isinstance(e, nodes.Func):
            return nodes.Func(e.name, self.untranspose(e.arg))
        return e

    def term(self, t: Any) -> MForm:
        """One term with opaque forms: coefficient, scalar forms, other forms, the rest."""
        sp = self.sp
        coeff, factors = t.as_coeff_mul()
        if not coeff.is_Rational:
            raise _RejectedError("an irrational coefficient")
        scalars: list[tuple[MForm, Fraction]] = []
        body: list[MForm] = []
        rest: list[Any] = []
        for f in factors:
            base, power = f.as_base_exp()
            kind = self.back.get(base, ("", None))
            if kind[0] == "form" and base in self.scalar and power.is_Rational:
                scalars.append((kind[1], Fraction(int(power.p), int(power.q))))
            elif kind[0] == "form" and power == 1:
                body.append(kind[1])
            elif any(self.back[s][0] == "form" for s in f.free_symbols):
                raise _RejectedError("an opaque form inside an elementwise function")
            else:
                rest.append(f)
        if rest:  # the elementwise functions first: (1 - tanh(h)**2) * W^T r
            body.insert(0, self.atom(self.lang(sp.Mul(*rest))))
        inner = None if not body else body[0] if len(body) == 1 else Hadamard(tuple(body))
        c = Fraction(int(coeff.p), int(coeff.q))
        if c == 1 and not scalars and inner is not None:
            return inner
        return Scaled(c, tuple(scalars), inner)

    def lang(self, e: Any) -> nodes.Expr:
        """A SymPy expression without opaque forms, as an expression of the language."""
        sp = self.sp
        if e.is_Rational:
            return nodes.Const(Fraction(int(e.p), int(e.q)))
        if e.is_Symbol:
            kind, value = self.back[e]
            if kind != "expr":
                raise _RejectedError("an opaque form")
            ex, t = value
            return nodes.Transpose(ex) if t else ex
        if isinstance(e, sp.Add):
            return nodes.Add(tuple(self.lang(a) for a in _ordered(sp, e.args)))
        if isinstance(e, sp.Mul):
            coeff, rest = e.as_coeff_mul()
            args = [self.lang(a) for a in rest]
            if coeff != 1:
                args.insert(0, self.lang(coeff))
            return args[0] if len(args) == 1 else nodes.Mul(tuple(args))
        if isinstance(e, sp.Pow) and e.exp.is_Rational:
            p = e.exp
            return nodes.Pow(self.lang(e.base), nodes.Const(Fraction(int(p.p), int(p.q))))
        if isinstance(e, sp.exp):
            return nodes.Func("exp", self.lang(e.args[0]))
        if isinstance(e, sp.log) and len(e.args) == 1:
            return nodes.Func("log", self.lang(e.args[0]))
        if isinstance(e, sp.Abs):
            return nodes.Func("abs", self.lang(e.args[0]))
        for name, fn in self.owner.funcs.items():
            if isinstance(e, fn) and name not in _PRIMES:
                return nodes.Func(name, self.lang(e.args[0]))
        raise _RejectedError(f"no language node for {type(e).__name__}")


def _ordered(sp: Any, terms: tuple[Any, ...]) -> list[Any]:
    """Terms of a sum as a textbook orders them: those with a positive sign first."""
    ordered = sp.Add(*terms).as_ordered_terms() if len(terms) > 1 else list(terms)
    return sorted(ordered, key=lambda t: t.could_extract_minus_sign())
