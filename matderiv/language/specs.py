"""One declaration per elementwise function: everything every stage needs to know about it.

An elementwise function such as ``exp`` or ``sigmoid`` is declared here once, as an
:class:`Elementwise` spec: its name, its derivative (an expression in the argument), its numpy
and SymPy evaluation, the numpy code it compiles to, its LaTeX, and where its argument may be
sampled. The parser, the printers, the differentiation rules, the evaluator, the code generator,
the exact (SymPy) backend and the sampler all read :data:`ELEMENTWISE`; none keeps a table of
its own. Adding a function is adding one entry (plus a catalogue row and its documentation):
``tests/language/test_specs.py`` then checks it end to end.

The specs import nothing from the rest of the package: a derivative is written with the
operators of an expression node and :meth:`~matderiv.language.expression.Expr.apply`, and
evaluation receives the numpy or SymPy module as its first argument.

>>> ELEMENTWISE["log1p"].code.format(np="np", x="z", P="_")
'np.log1p(z)'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, Protocol

__all__ = ["CODE_HELPERS", "ELEMENTWISE", "USER_ELEMENTWISE", "Elementwise", "Operand"]


class Operand(Protocol):
    """What a derivative rule may do with the argument (an expression node): arithmetic, and
    applying another elementwise function with :meth:`apply`."""

    def apply(self, name: str) -> Operand: ...

    def __add__(self, other: Any) -> Operand: ...

    def __radd__(self, other: Any) -> Operand: ...

    def __mul__(self, other: Any) -> Operand: ...

    def __rmul__(self, other: Any) -> Operand: ...

    def __pow__(self, other: Any) -> Operand: ...

    def __neg__(self) -> Operand: ...


Rule = Callable[[Operand], Operand]
Numeric = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Elementwise:
    """The declaration of one elementwise function.

    Attributes
    ----------
    name
        The name in the expression language and in printed text.
    prime
        ``f′`` as an expression in the argument ``a`` (``lambda a: a.apply("cos")`` for sin),
        or None for a function that is piecewise constant (its derivative is 0 wherever it
        exists).
    numpy, sympy
        ``(module, x) -> f(x)``: numpy on float arrays, SymPy on one scalar expression.
    code
        The numpy code, a template with ``{np}`` (the numpy alias), ``{x}`` (the argument) and
        ``{P}`` (the prefix of helper functions named in ``helpers``).
    latex
        A LaTeX operator name (``\\exp``), or a template with ``{x}`` (``\\sqrt{{{x}}}``).
    user
        Whether users may write it. False for the functions differentiation creates, which
        print compactly (``sigmoid'(y)``) and are ``spelled`` in user functions for code that
        parses back.
    domain
        ``"positive"``: a variable that is the argument is sampled positive (``log``).
    kink
        Not differentiable at 0: sampled arguments stay away from it.
    helpers, inline
        Helper functions ``code`` calls (names in :data:`CODE_HELPERS`), and then the same code
        as one expression without them (for a one-line numpy spelling).
    undefined
        When not empty, the function has no value at 0 (its ``numpy`` gives NaN there) and the
        evaluator raises DomainError with this reason at an argument that is exactly 0.
    """

    name: str
    prime: Rule | None
    numpy: Numeric
    sympy: Numeric
    code: str
    latex: str
    user: bool = True
    spelled: Rule | None = None
    domain: Literal["real", "positive"] = "real"
    kink: bool = False
    helpers: tuple[str, ...] = ()
    inline: str | None = None
    undefined: str = ""

    def __post_init__(self) -> None:
        if not self.user and self.spelled is None:
            raise ValueError(f"{self.name}: a function users cannot write needs `spelled`")


def _sigmoid(np: Any, x: Any) -> Any:
    return np.exp(-np.logaddexp(0.0, -x))


def _sigmoid_prime(np: Any, x: Any) -> Any:
    s = _sigmoid(np, x)
    return s * (1.0 - s)


def _sympy_sigmoid(sp: Any, x: Any) -> Any:
    return 1 / (1 + sp.exp(-x))


#: Helper functions the generated code defines when a spec names them (``{P}`` is the prefix
#: that keeps them apart from the user's names).
CODE_HELPERS = {
    "sigmoid": "def {P}sigmoid(x):\n    return {np}.exp(-{np}.logaddexp(0.0, -x))\n",
    "sigmoid_prime": (
        "def {P}sigmoid_prime(x):\n    s = {P}sigmoid(x)\n    return s * (1.0 - s)\n"
    ),
}

_HALF = Fraction(1, 2)

# maximum / minimum (issue 14): the derivative selects the larger (smaller) argument, and at a
# tie it does not exist. strict_step is 1 above 0, 0 below, and undefined (NaN) at 0.
CODE_HELPERS["strict_step"] = (
    "def {P}strict_step(x):\n"
    "    if {np}.any({np}.asarray(x) == 0):\n"
    "        from matderiv.errors import DomainError\n"
    "        raise DomainError('strict_step(x) is undefined at x = 0: maximum/minimum of two "
    "arrays is not differentiable where they tie')\n"
    "    return {np}.where({np}.asarray(x) > 0, 1.0, 0.0)\n"
)

_TIE = (
    "maximum(a, b) and minimum(a, b) are not differentiable where a == b (a tie), so their "
    "derivative does not exist at this point"
)

_SPECS = (
    Elementwise(
        "exp",
        prime=lambda a: a.apply("exp"),
        numpy=lambda np, x: np.exp(x),
        sympy=lambda sp, x: sp.exp(x),
        code="{np}.exp({x})",
        latex=r"\exp",
    ),
    Elementwise(
        "log",
        prime=lambda a: a ** (-1),
        numpy=lambda np, x: np.log(x),
        sympy=lambda sp, x: sp.log(x),
        code="{np}.log({x})",
        latex=r"\log",
        domain="positive",
    ),
    Elementwise(
        "log1p",
        prime=lambda a: (1 + a) ** (-1),
        numpy=lambda np, x: np.log1p(x),
        sympy=lambda sp, x: sp.log(1 + x),
        code="{np}.log1p({x})",
        latex=r"\operatorname{log1p}",
        domain="positive",
    ),
    Elementwise(
        "expm1",
        prime=lambda a: a.apply("exp"),
        numpy=lambda np, x: np.expm1(x),
        sympy=lambda sp, x: sp.exp(x) - 1,
        code="{np}.expm1({x})",
        latex=r"\operatorname{expm1}",
    ),
    Elementwise(
        "sin",
        prime=lambda a: a.apply("cos"),
        numpy=lambda np, x: np.sin(x),
        sympy=lambda sp, x: sp.sin(x),
        code="{np}.sin({x})",
        latex=r"\sin",
    ),
    Elementwise(
        "cos",
        prime=lambda a: -a.apply("sin"),
        numpy=lambda np, x: np.cos(x),
        sympy=lambda sp, x: sp.cos(x),
        code="{np}.cos({x})",
        latex=r"\cos",
    ),
    Elementwise(
        "tanh",
        prime=lambda a: a.apply("tanh'"),
        numpy=lambda np, x: np.tanh(x),
        sympy=lambda sp, x: sp.tanh(x),
        code="{np}.tanh({x})",
        latex=r"\tanh",
    ),
    Elementwise(
        "tanh'",
        prime=lambda a: -2 * a.apply("tanh") * a.apply("tanh'"),
        numpy=lambda np, x: 1.0 - np.tanh(x) ** 2,
        sympy=lambda sp, x: 1 - sp.tanh(x) ** 2,
        code="(1.0 - {np}.tanh({x}) ** 2)",
        latex=r"\tanh'",
        user=False,
        spelled=lambda a: 1 + -(a.apply("tanh") ** 2),
    ),
    Elementwise(
        "sigmoid",
        prime=lambda a: a.apply("sigmoid'"),
        numpy=_sigmoid,
        sympy=_sympy_sigmoid,
        code="{P}sigmoid({x})",
        latex=r"\sigma",
        helpers=("sigmoid",),
        inline="{np}.exp(-{np}.logaddexp(0.0, -({x})))",
    ),
    Elementwise(
        "sigmoid'",
        prime=lambda a: a.apply("sigmoid'") * (1 + -2 * a.apply("sigmoid")),
        numpy=_sigmoid_prime,
        sympy=lambda sp, x: _sympy_sigmoid(sp, x) * (1 - _sympy_sigmoid(sp, x)),
        code="{P}sigmoid_prime({x})",
        latex=r"\sigma'",
        user=False,
        spelled=lambda a: a.apply("sigmoid") * (1 + -a.apply("sigmoid")),
        helpers=("sigmoid", "sigmoid_prime"),
        inline="(lambda s: s * (1.0 - s))({np}.exp(-{np}.logaddexp(0.0, -({x}))))",
    ),
    Elementwise(
        "softplus",
        prime=lambda a: a.apply("sigmoid"),
        numpy=lambda np, x: np.logaddexp(0.0, x),
        sympy=lambda sp, x: sp.log(1 + sp.exp(x)),
        code="{np}.logaddexp(0.0, {x})",
        latex=r"\operatorname{softplus}",
    ),
    Elementwise(
        "sqrt",
        prime=lambda a: _HALF * a.apply("sqrt") ** (-1),
        numpy=lambda np, x: np.sqrt(x),
        sympy=lambda sp, x: sp.sqrt(x),
        code="{np}.sqrt({x})",
        latex=r"\sqrt{{{x}}}",
        domain="positive",
    ),
    Elementwise(
        "relu",
        prime=lambda a: a.apply("step"),
        numpy=lambda np, x: np.maximum(x, 0.0),
        sympy=lambda sp, x: sp.Max(0, x),
        code="{np}.maximum({x}, 0.0)",
        latex=r"\operatorname{relu}",
        kink=True,
    ),
    Elementwise(
        "abs",
        prime=lambda a: a.apply("sign"),
        numpy=lambda np, x: np.abs(x),
        sympy=lambda sp, x: sp.Abs(x),
        code="{np}.abs({x})",
        latex=r"\left|{x}\right|",
        kink=True,
    ),
    Elementwise(
        "step",  # 0 for x <= 0, 1 for x > 0: relu's derivative
        prime=None,
        numpy=lambda np, x: np.heaviside(x, 0.0),
        sympy=lambda sp, x: sp.Heaviside(x),
        code="{np}.heaviside({x}, 0.0)",
        latex=r"\operatorname{step}",
        kink=True,
    ),
    Elementwise(
        "sign",
        prime=None,
        numpy=lambda np, x: np.sign(x),
        sympy=lambda sp, x: sp.sign(x),
        code="{np}.sign({x})",
        latex=r"\operatorname{sign}",
        kink=True,
    ),
    Elementwise(
        "strict_step",  # 1 for x > 0, 0 for x < 0, undefined at 0: maximum's derivative
        prime=None,
        numpy=lambda np, x: np.heaviside(x, float("nan")),
        sympy=lambda sp, x: sp.Heaviside(x),  # its value at 0 never enters a proof
        code="{P}strict_step({x})",
        latex=r"\left[{x} > 0\right]",
        kink=True,
        helpers=("strict_step",),
        inline="{np}.where(({x}) > 0, 1.0, {np}.where(({x}) < 0, 0.0, {np}.nan))",
        undefined=_TIE,
    ),
)

#: Every elementwise function, by name.
ELEMENTWISE: dict[str, Elementwise] = {s.name: s for s in _SPECS}

#: The elementwise functions users may write, in the order they are declared.
USER_ELEMENTWISE = tuple(s.name for s in _SPECS if s.user)
