"""A corpus of textbook forms: common losses and layers with the gradient a textbook prints.

Each entry records an expression in matderiv's language, the variable, the shapes, the form a
textbook prints (written in the expression language too, so that it can be evaluated), and
where that form comes from. :func:`compare` derives the entry with matderiv and puts the two
printed forms side by side; both are checked against finite differences, so the table can only
show forms that are right.

**Printed length.** Both forms are measured in the same notation, the plain-text matrix notation
of ``Derivative.matrix`` (the textbook form is parsed and printed by the same family of
printers: ``X^T (sigmoid(X w) - y)``). The length is the number of *tokens*
(:func:`printed_length`): a name such as ``sigmoid`` or ``X`` counts one, a number counts one,
``**`` counts one, and every other character that is not a space (an operator, a bracket, a
comma, ``^``) counts one. So ``X^T (sigmoid(X w) - y)`` has 12 tokens, whatever the names.

Sources (keys of the book's bibliography; a section is cited where an equation number could not
be vouched for):

- ``bishop2006``: C. M. Bishop, *Pattern Recognition and Machine Learning* (2006);
- ``murphy2012``: K. P. Murphy, *Machine Learning: A Probabilistic Perspective* (2012);
- ``goodfellow2016``: I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning* (2016);
- ``cookbook``: K. B. Petersen, M. S. Pedersen, *The Matrix Cookbook* (2012);
- ``magnus``: J. R. Magnus, H. Neudecker, *Matrix Differential Calculus* (3rd ed.);
- ``ioffe2015`` (batch normalisation), ``ba2016`` (layer normalisation), ``zhang2019``
  (RMS normalisation), ``vaswani2017`` (attention), ``leeseung2001`` (NMF), ``boyd2004``
  (convex optimisation), ``cv`` (the Cross Validated question on Y = XW + B).

**Declared properties.** The softmax entries use labels whose rows sum to one (one-hot or soft
targets). That is a property of the data, not of the loss, so those entries declare it with the
``"stochastic"`` structure (``structured(shape, "stochastic")``); matderiv uses it only because
it is declared, and the checks draw labels that have it.

**Exceptions.** Where matderiv's form is still longer than the textbook's, :data:`NOTES` says
why (``benchmarks/readable.py`` prints it next to the entry).

Where the source gives the objective but the gradient is derived here with the source's rules,
the source says "objective: ...; gradient by ...". The probit model is left out: the language
has no normal CDF (``erf``), so neither the loss nor its textbook gradient can be written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .checks.finite import check_derivative
from .derivative import Derivative, derive
from .engine.formprint import printed_length
from .language.parsing import parse
from .language.printing import to_text
from .language.structure import SymmetricConvention, structured

__all__ = [
    "ENTRIES",
    "FAMILIES",
    "NOTES",
    "Comparison",
    "Entry",
    "by_id",
    "compare",
    "printed_length",
]

FAMILIES = (
    "regression",
    "glm",
    "gaussian",
    "factorisation",
    "attention",
    "normalisation",
    "mlp",
    "layers",
    "elementwise",
    "cookbook",
)


@dataclass(frozen=True)
class Entry:
    """One loss or layer: ∂ expr / ∂ wrt, and the form a textbook prints for it."""

    id: str
    family: str
    expr: str
    wrt: str
    shapes: Mapping[str, Any]
    textbook: str
    source: str
    #: ``{name: kind}`` for the sampled inputs of the checks (``"onehot"``, ``"spd"``, ...).
    constraints: Mapping[str, str] = field(default_factory=dict)
    #: The convention of a derivative by a symmetric variable.
    symmetric: SymmetricConvention | None = None
    #: A property of the inputs that the textbook form uses and the loss alone does not imply
    #: (declared in ``shapes`` with a structure, such as ``"stochastic"``; the checks draw inputs
    #: that have it).
    assumes: str = ""

    def derive(self) -> Derivative:
        """Derive the entry with matderiv."""
        return derive(self.expr, self.wrt, shapes=self.shapes, symmetric=self.symmetric)

    @property
    def scalar(self) -> bool:
        """Whether the expression is a scalar (so the derivative is a gradient)."""
        return parse(self.expr, dict(self.shapes)).shape == ()

    def check_textbook(self) -> None:
        """Check the textbook form against finite differences (AssertionError when wrong)."""
        self._check(self.textbook)

    def _check(self, claim: str | Derivative) -> None:
        check_derivative(
            self.expr,
            claim,
            wrt=self.wrt,
            shapes=self.shapes,
            constraints=dict(self.constraints) or None,
            symmetric=self.symmetric,
        )


@dataclass(frozen=True)
class Comparison:
    """matderiv's printed form next to the textbook's, for one entry."""

    entry: Entry
    matderiv: str  # the matrix form, or the index form when there is none
    textbook: str  # the textbook form, printed in the same notation
    matrix: bool  # whether matderiv gave a matrix form
    agree: bool  # both forms passed the finite-difference check

    @property
    def matderiv_length(self) -> int:
        return printed_length(self.matderiv)

    @property
    def textbook_length(self) -> int:
        return printed_length(self.textbook)

    @property
    def readable(self) -> bool:
        """An equivalent matrix form no longer than the textbook's."""
        return self.matrix and self.agree and self.matderiv_length <= self.textbook_length


def compare(entry: Entry, check: bool = True) -> Comparison:
    """Derive ``entry`` and compare matderiv's printed form with the textbook's.

    With ``check`` (the default) the textbook form and matderiv's printed matrix form (parsed
    back) are both checked against finite differences; ``agree`` says whether both passed.
    Without it ``agree`` is False: nothing unchecked is called equivalent.
    """
    d = entry.derive()
    textbook = to_text(parse(entry.textbook, dict(entry.shapes)))
    printed = d.matrix
    agree = False
    if check:
        try:
            entry.check_textbook()
            entry._check(d.code if d.code is not None else d)
            agree = True
        except AssertionError:
            agree = False
    matrix = printed is not None
    return Comparison(entry, printed if printed is not None else d.index, textbook, matrix, agree)


def by_id(id: str) -> Entry:
    """The corpus entry with this id."""
    for e in ENTRIES:
        if e.id == id:
            return e
    raise KeyError(f"no corpus entry {id!r}")


# shapes ----------------------------------------------------------------------------------
SYM = structured(("n", "n"), "symmetric")
REG = {"X": ("B", "n"), "w": ("n",), "y": ("B",), "lam": (), "b": (), "c": ("B",), "d": ()}
MREG = {"X": ("B", "n"), "W": ("n", "k"), "Y": ("B", "k"), "lam": (), "b": ("k",)}
#: Labels whose rows sum to one (one-hot or soft targets), declared so: the textbook softmax
#: gradients use that property, and matderiv uses it only when it is declared.
PMREG = {**MREG, "Y": structured(("B", "k"), "stochastic")}
GLS = {"X": ("B", "n"), "w": ("n",), "y": ("B",), "S": structured(("B", "B"), "symmetric")}
VEC = {"x": ("n",), "mu": ("n",), "S": SYM, "L": SYM, "z": ("n",), "y": ("n",)}
PVEC = {**VEC, "y": structured(("n",), "stochastic")}
GEN = {"x": ("n",), "mu": ("n",), "S": ("n", "n"), "L": ("n", "n")}
BATCH = {"X": ("B", "n"), "mu": ("n",), "S": SYM}
LIN = {"x": ("n",), "y": ("m",), "A": ("m", "n"), "L": structured(("m", "m"), "symmetric")}
MF = {"Y": ("m", "k"), "U": ("m", "r"), "V": ("k", "r"), "M": ("m", "k"), "lam": ()}
NMF = {"V": ("m", "k"), "W": ("m", "r"), "H": ("r", "k")}
PCA = {"X": ("B", "n"), "W": ("n", "k"), "C": SYM, "E": ("n", "k"), "D": ("k", "n")}
ATT = {"Q": ("T", "d"), "K": ("S", "d"), "V": ("S", "e"), "G": ("T", "e")}
SELF = {"X": ("T", "m"), "Wq": ("m", "d"), "Wk": ("m", "d"), "Wv": ("m", "e"), "G": ("T", "e")}
NORM = {"x": ("n",), "g": ("n",), "gamma": ("n",), "beta": ("n",)}
BN = {"X": ("B", "n"), "G": ("B", "n"), "gamma": ("n",), "beta": ("n",)}
ONE = {"X": ("B", "n"), "W1": ("n", "h"), "b1": ("h",), "Y": ("B", "h")}
TWO = {"X": ("B", "n"), "W1": ("n", "h"), "b1": ("h",), "W2": ("h", "m"), "b2": ("m",), "Y": ("B", "m")}  # fmt: skip
PTWO = {**TWO, "Y": structured(("B", "m"), "stochastic")}
DEEP = {"X": ("B", "n"), "Y": ("B", "h"), **{f"{p}{i}": s for i in range(1, 5) for p, s in (("W", ("h", "h")), ("b", ("h",)))}}  # fmt: skip
DEEP = {**DEEP, "W1": ("n", "h")}
NET = {"W1": ("h", "n"), "b1": ("h",), "W2": ("m", "h"), "x": ("n",), "y": ("m",)}
LAYER = {"W": ("m", "n"), "x": ("n",), "b": ("m",), "z": ("n",), "X": ("B", "n"), "G": ("B", "m"), "Wt": ("n", "m"), "bt": ("m",)}  # fmt: skip
EW = {"x": ("n",), "p": ("n",), "q": ("n",), "y": ("n",)}
SQ = {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n"), "C": ("n", "n"), "S": SYM, "x": ("n",)}
RECT = {"X": ("m", "n"), "A": ("k", "m"), "B": ("n", "k"), "a": ("n",), "b": ("n",), "c": ("n",)}

# repeated sub-expressions of the textbook forms --------------------------------------------
LOGIT = "-sum(y * log(sigmoid(X @ w)) + (1 - y) * log(1 - sigmoid(X @ w)))"
SMX = "softmax(X @ W, axis=1)"
P = "softmax(Q @ K.T, axis=1)"
DS = f"{P} * (G @ V.T - sum({P} * (G @ V.T), axis=1, keepdims=True))"
P8 = "softmax(0.125 * (Q @ K.T), axis=1)"
DS8 = f"{P8} * (G @ V.T - sum({P8} * (G @ V.T), axis=1, keepdims=True))"
PX = "softmax(X @ Wq @ (X @ Wk).T, axis=1)"
GX = "(G @ (X @ Wv).T)"
DSX = f"{PX} * ({GX} - sum({PX} * {GX}, axis=1, keepdims=True))"
SD = "sqrt(var(x) + 1e-5)"
XH = f"((x - mean(x)) / {SD})"
SB = "sqrt(var(X, axis=0) + 1e-5)"
XB = f"((X - mean(X, axis=0)) / {SB})"
SR = "sqrt(var(X, axis=1, keepdims=True) + 1e-5)"
XR = f"((X - mean(X, axis=1, keepdims=True)) / {SR})"
MS = "(mean(x**2) + 1e-5)"
H = "tanh(X @ W1 + b1)"
R = f"({H} @ W2 + b2 - Y)"
D1 = f"(({R} @ W2.T) * (1 - {H}**2))"
HR = "relu(X @ W1 + b1)"
RR = f"({HR} @ W2 + b2 - Y)"
HS = "sigmoid(X @ W1 + b1)"
RS = f"({HS} @ W2 + b2 - Y)"
SM2 = f"softmax({H} @ W2 + b2, axis=1)"
H1, H2, H3, H4 = (
    "tanh(X @ W1 + b1)",
    "tanh(tanh(X @ W1 + b1) @ W2 + b2)",
    "tanh(tanh(tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3)",
    "tanh(tanh(tanh(tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3) @ W4 + b4)",
)
M3 = f"(2 * ({H3} - Y) * (1 - {H3}**2))"  # δ of layer 3, then back through layers 2 and 1
M3 = f"((({M3} @ W3.T) * (1 - {H2}**2)) @ W2.T * (1 - {H1}**2))"
M4 = f"(2 * ({H4} - Y) * (1 - {H4}**2))"
M4 = f"(((({M4} @ W4.T) * (1 - {H3}**2)) @ W3.T * (1 - {H2}**2)) @ W2.T * (1 - {H1}**2))"
h = "tanh(W1 @ x + b1)"
SIG = "sigmoid(W @ x + b)"
BIS, MUR, GBC, CBK = "bishop2006", "murphy2012", "goodfellow2016", "cookbook"
ONEHOT, PROB, POS = {"Y": "onehot"}, {"y": "probability"}, "positive"

_E = Entry
ENTRIES: tuple[Entry, ...] = (
    # regression -------------------------------------------------------------------------------
    _E("least-squares", "regression", "sum((X @ w - y)**2)", "w", REG, "2 * (X.T @ (X @ w - y))", f"{BIS} §3.1.1; {MUR} §7.3"),
    _E("least-squares-half", "regression", "0.5 * norm(X @ w - y)**2", "w", REG, "X.T @ (X @ w - y)", f"{GBC} §4.5"),
    _E("mean-squared-error", "regression", "mean((X @ w - y)**2)", "w", REG, "2 * (X.T @ (X @ w - y)) / B", f"{GBC} §5.1.4"),
    _E("least-squares-matrix", "regression", "sum((X @ W - Y)**2)", "W", MREG, "2 * (X.T @ (X @ W - Y))", "cv; cookbook §2.5.2"),
    _E("least-squares-bias", "regression", "sum((X @ w + b - y)**2)", "b", REG, "2 * sum(X @ w + b - y)", f"{BIS} §3.1.1 (the bias w0)"),
    _E("ridge", "regression", "sum((X @ w - y)**2) + lam * (w @ w)", "w", REG, "2 * (X.T @ (X @ w - y)) + 2 * lam * w", f"{BIS} §3.1.4; {MUR} §7.5"),
    _E("ridge-matrix", "regression", "sum((X @ W - Y)**2) + lam * sum(W**2)", "W", MREG, "2 * (X.T @ (X @ W - Y)) + 2 * lam * W", f"{MUR} §7.5"),
    _E("weighted-least-squares", "regression", "sum(c * (X @ w - y)**2)", "w", REG, "2 * (X.T @ (c * (X @ w - y)))", f"{CBK} §2.4.2 with W = diag(c)", {"c": POS}),
    _E("generalised-least-squares", "regression", "(y - X @ w) @ S @ (y - X @ w)", "w", GLS, "-2 * (X.T @ S @ (y - X @ w))", f"{CBK} §2.4.2 (W symmetric)"),
    _E("lasso-smooth-part", "regression", "0.5 * sum((X @ w - y)**2) / B", "w", REG, "X.T @ (X @ w - y) / B", f"{MUR} §13.3 (objective; the ℓ1 term is handled apart)"),
    _E("pseudo-huber", "regression", "sum(sqrt(1 + (X @ w - y)**2) - 1)", "w", REG, "X.T @ ((X @ w - y) / sqrt(1 + (X @ w - y)**2))", f"{MUR} §7.4 (Huber loss, smoothed); gradient by the chain rule"),
    _E("pseudo-huber-delta", "regression", "sum(d**2 * (sqrt(1 + ((X @ w - y) / d)**2) - 1))", "w", REG, "X.T @ ((X @ w - y) / sqrt(1 + ((X @ w - y) / d)**2))", f"{MUR} §7.4 (Huber loss, smoothed); gradient by the chain rule", {"d": POS}),
    # generalised linear models ------------------------------------------------------------------
    _E("logistic", "glm", LOGIT, "w", REG, "X.T @ (sigmoid(X @ w) - y)", f"{BIS} §4.3.2; {MUR} §8.3.1"),
    _E("logistic-softplus", "glm", "sum(softplus(X @ w) - y * (X @ w))", "w", REG, "X.T @ (sigmoid(X @ w) - y)", f"{MUR} §8.3.1"),
    _E("logistic-plus-minus", "glm", "sum(softplus(-y * (X @ w)))", "w", REG, "-(X.T @ (y * sigmoid(-y * (X @ w))))", f"{MUR} §8.3.1 (labels ±1)"),
    _E("logistic-l2", "glm", f"{LOGIT} + 0.5 * lam * (w @ w)", "w", REG, "X.T @ (sigmoid(X @ w) - y) + lam * w", f"{MUR} §8.3"),
    _E("logistic-mean", "glm", f"({LOGIT}) / B", "w", REG, "X.T @ (sigmoid(X @ w) - y) / B", f"{MUR} §8.3.1"),
    _E("logistic-bias", "glm", "sum(softplus(X @ w + b) - y * (X @ w + b))", "b", REG, "sum(sigmoid(X @ w + b) - y)", f"{BIS} §4.3.2"),
    _E("poisson", "glm", "sum(exp(X @ w) - y * (X @ w))", "w", REG, "X.T @ (exp(X @ w) - y)", f"{MUR} §9.3 (Poisson regression, log link)"),
    _E("poisson-offset", "glm", "sum(exp(X @ w + c) - y * (X @ w + c))", "w", REG, "X.T @ (exp(X @ w + c) - y)", f"{MUR} §9.3 (log link, with an offset)"),
    _E("exponential-log-link", "glm", "sum(X @ w + y * exp(-(X @ w)))", "w", REG, "X.T @ (1 - y * exp(-(X @ w)))", f"{MUR} §9.3 (objective); gradient by the chain rule"),
    _E("softmax-regression", "glm", f"-sum(Y * log({SMX}))", "W", PMREG, f"X.T @ ({SMX} - Y)", f"{BIS} §4.3.4; {MUR} §8.3.7", ONEHOT, assumes="rows of Y sum to one"),
    _E("softmax-regression-soft", "glm", f"-sum(Y * log({SMX}))", "W", PMREG, f"X.T @ ({SMX} - Y)", f"{BIS} §4.3.4", {"Y": "probability"}, assumes="rows of Y sum to one"),
    _E("softmax-logsumexp", "glm", "sum(logsumexp(X @ W, axis=1)) - sum(Y * (X @ W))", "W", MREG, f"X.T @ ({SMX} - Y)", f"{MUR} §8.3.7"),
    _E("softmax-regression-bias", "glm", "-sum(Y * log(softmax(X @ W + b, axis=1)))", "b", PMREG, "sum(softmax(X @ W + b, axis=1) - Y, axis=0)", f"{BIS} §4.3.4", ONEHOT, assumes="rows of Y sum to one"),
    _E("softmax-cross-entropy", "glm", "-y @ log(softmax(z))", "z", PVEC, "softmax(z) - y", f"{GBC} §6.2.2.3", PROB, assumes="y sums to one"),
    # Gaussian likelihoods --------------------------------------------------------------------
    _E("gaussian-mean", "gaussian", "0.5 * (x - mu) @ inv(S) @ (x - mu)", "mu", VEC, "-(inv(S) @ (x - mu))", f"{BIS} §2.3.4; {MUR} §4.1.3", {"S": "spd"}),
    _E("gaussian-mean-batch", "gaussian", "0.5 * sum((X - mu) @ inv(S) * (X - mu))", "mu", BATCH, "-(inv(S) @ sum(X - mu, axis=0))", f"{BIS} §2.3.4", {"S": "spd"}),
    _E("gaussian-precision", "gaussian", "0.5 * (x - mu) @ L @ (x - mu) - 0.5 * logdet(L)", "L", VEC, "0.5 * outer(x - mu, x - mu) - 0.5 * inv(L)", f"{MUR} §4.1.3", {"L": "spd"}, "frobenius"),
    _E("gaussian-precision-general", "gaussian", "0.5 * (x - mu) @ L @ (x - mu) - 0.5 * logdet(L)", "L", GEN, "0.5 * outer(x - mu, x - mu) - 0.5 * inv(L).T", f"{CBK} §2.1.2 and §2.4.1", {"L": "spd"}),
    _E("gaussian-covariance", "gaussian", "0.5 * logdet(S) + 0.5 * (x - mu) @ inv(S) @ (x - mu)", "S", VEC, "0.5 * inv(S) - 0.5 * (inv(S) @ outer(x - mu, x - mu) @ inv(S))", f"{MUR} §4.1.3; {BIS} §2.3.4", {"S": "spd"}, "frobenius"),
    _E("gaussian-covariance-batch", "gaussian", "0.5 * B * logdet(S) + 0.5 * tr(inv(S) @ (X - mu).T @ (X - mu))", "S", BATCH, "0.5 * B * inv(S) - 0.5 * (inv(S) @ (X - mu).T @ (X - mu) @ inv(S))", f"{MUR} §4.1.3", {"S": "spd"}, "frobenius"),
    _E("mahalanobis", "gaussian", "(x - mu) @ inv(S) @ (x - mu)", "x", VEC, "2 * (inv(S) @ (x - mu))", f"{CBK} §2.4.2", {"S": "spd"}),
    _E("mahalanobis-general", "gaussian", "(x - mu) @ inv(S) @ (x - mu)", "x", GEN, "(inv(S) + inv(S).T) @ (x - mu)", f"{CBK} §2.4.2", {"S": "invertible"}),
    _E("gaussian-linear-model", "gaussian", "0.5 * (y - A @ x) @ L @ (y - A @ x)", "x", LIN, "-(A.T @ L @ (y - A @ x))", f"{BIS} §2.3.3 (objective); {CBK} §2.4.2"),
    # PCA and factorisation -----------------------------------------------------------------
    _E("pca-reconstruction", "factorisation", "sum((X - X @ W @ W.T)**2)", "W", PCA, "-2 * (X.T @ (X - X @ W @ W.T) @ W + (X - X @ W @ W.T).T @ X @ W)", f"objective: {BIS} §12.1.2; gradient by {CBK} §2.5.2"),
    _E("pca-variance", "factorisation", "tr(W.T @ C @ W)", "W", PCA, "2 * (C @ W)", f"{BIS} §12.1.1; {CBK} §2.5.2"),
    _E("linear-autoencoder", "factorisation", "sum((X @ E @ D - X)**2)", "E", PCA, "2 * (X.T @ (X @ E @ D - X) @ D.T)", f"objective: {GBC} §14.1; gradient by {CBK} §2.5.2"),
    _E("factorisation-U", "factorisation", "sum((Y - U @ V.T)**2)", "U", MF, "-2 * ((Y - U @ V.T) @ V)", f"{CBK} §2.5.2"),
    _E("factorisation-V", "factorisation", "sum((Y - U @ V.T)**2)", "V", MF, "-2 * ((Y - U @ V.T).T @ U)", f"{CBK} §2.5.2"),
    _E("factorisation-ridge", "factorisation", "sum((Y - U @ V.T)**2) + lam * (sum(U**2) + sum(V**2))", "U", MF, "-2 * ((Y - U @ V.T) @ V) + 2 * lam * U", f"{CBK} §2.5.2"),
    _E("matrix-completion", "factorisation", "sum(M * (Y - U @ V.T)**2)", "U", MF, "-2 * ((M * (Y - U @ V.T)) @ V)", f"{CBK} §2.5.2 with a mask"),
    _E("nmf-H", "factorisation", "0.5 * sum((V - W @ H)**2)", "H", NMF, "W.T @ (W @ H - V)", "leeseung2001 §4"),
    _E("nmf-W", "factorisation", "0.5 * sum((V - W @ H)**2)", "W", NMF, "(W @ H - V) @ H.T", "leeseung2001 §4"),
    _E("nmf-kl-H", "factorisation", "sum(V * log(V / (W @ H)) - V + W @ H)", "H", NMF, "W.T @ (1 - V / (W @ H))", "leeseung2001 §4", {"V": POS, "W": POS, "H": POS}),
    _E("nmf-kl-W", "factorisation", "sum(V * log(V / (W @ H)) - V + W @ H)", "W", NMF, "(1 - V / (W @ H)) @ H.T", "leeseung2001 §4", {"V": POS, "W": POS, "H": POS}),
    # attention: G is the upstream gradient ∂L/∂(attention output) ------------------------------
    _E("attention-Q", "attention", f"sum(G * ({P} @ V))", "Q", ATT, f"({DS}) @ K", f"vaswani2017 §3.2.1; softmax rule {BIS} §4.3.4"),
    _E("attention-K", "attention", f"sum(G * ({P} @ V))", "K", ATT, f"({DS}).T @ Q", f"vaswani2017 §3.2.1; softmax rule {BIS} §4.3.4"),
    _E("attention-V", "attention", f"sum(G * ({P} @ V))", "V", ATT, f"{P}.T @ G", "vaswani2017 §3.2.1"),
    _E("attention-scaled-Q", "attention", f"sum(G * ({P8} @ V))", "Q", ATT, f"0.125 * (({DS8}) @ K)", "vaswani2017 §3.2.1 (scale 1/√64)"),
    _E("self-attention-Wq", "attention", f"sum(G * ({PX} @ X @ Wv))", "Wq", SELF, f"X.T @ ({DSX}) @ X @ Wk", "vaswani2017 §3.2.1"),
    _E("self-attention-Wv", "attention", f"sum(G * ({PX} @ X @ Wv))", "Wv", SELF, f"X.T @ {PX}.T @ G", "vaswani2017 §3.2.1"),
    # normalisation layers: g or G is the upstream gradient ----------------------------------------
    _E("layer-norm", "normalisation", f"sum(g * {XH})", "x", NORM, f"(g - mean(g) - {XH} * mean(g * {XH})) / {SD}", "ioffe2015 §3; ba2016 §3"),
    _E("layer-norm-gain", "normalisation", f"sum(g * (gamma * {XH} + beta))", "gamma", NORM, f"g * {XH}", "ba2016 §3"),
    _E("layer-norm-bias", "normalisation", f"sum(g * (gamma * {XH} + beta))", "beta", NORM, "g", "ba2016 §3"),
    _E("layer-norm-rows", "normalisation", f"sum(G * {XR})", "X", BN, f"(G - mean(G, axis=1, keepdims=True) - {XR} * mean(G * {XR}, axis=1, keepdims=True)) / {SR}", "ba2016 §3; ioffe2015 §3"),
    _E("batch-norm", "normalisation", f"sum(G * {XB})", "X", BN, f"(G - mean(G, axis=0) - {XB} * mean(G * {XB}, axis=0)) / {SB}", "ioffe2015 §3"),
    _E("batch-norm-gain", "normalisation", f"sum(G * (gamma * {XB} + beta))", "gamma", BN, f"sum(G * {XB}, axis=0)", "ioffe2015 §3"),
    _E("batch-norm-bias", "normalisation", f"sum(G * (gamma * {XB} + beta))", "beta", BN, "sum(G, axis=0)", "ioffe2015 §3"),
    _E("rms-norm", "normalisation", f"sum(g * x / sqrt{MS})", "x", NORM, f"(g - x * mean(g * x) / {MS}) / sqrt{MS}", "zhang2019"),
    # multilayer perceptrons, batched (rows are examples) -------------------------------------------
    _E("mlp1-tanh", "mlp", f"sum(({H} - Y)**2)", "W1", ONE, f"2 * (X.T @ (({H} - Y) * (1 - {H}**2)))", f"{BIS} §5.3.2"),
    _E("mlp1-sigmoid", "mlp", f"sum(({HS} - Y)**2)", "W1", ONE, f"2 * (X.T @ (({HS} - Y) * {HS} * (1 - {HS})))", f"{BIS} §5.3.1"),
    _E("mlp1-relu-bias", "mlp", f"sum(({HR} - Y)**2)", "b1", ONE, f"2 * sum(({HR} - Y) * step(X @ W1 + b1), axis=0)", f"{GBC} §6.3.1 and §6.5"),
    _E("mlp2-tanh-W2", "mlp", f"sum({R}**2)", "W2", TWO, f"2 * ({H}.T @ {R})", f"{BIS} §5.3.1; {GBC} §6.5"),
    _E("mlp2-tanh-b2", "mlp", f"sum({R}**2)", "b2", TWO, f"2 * sum({R}, axis=0)", f"{BIS} §5.3.1"),
    _E("mlp2-tanh-W1", "mlp", f"sum({R}**2)", "W1", TWO, f"2 * (X.T @ {D1})", f"{BIS} §5.3.2; {GBC} §6.5"),
    _E("mlp2-tanh-b1", "mlp", f"sum({R}**2)", "b1", TWO, f"2 * sum({D1}, axis=0)", f"{BIS} §5.3.2"),
    _E("mlp2-relu-W1", "mlp", f"sum({RR}**2)", "W1", TWO, f"2 * (X.T @ (({RR} @ W2.T) * step(X @ W1 + b1)))", f"{GBC} §6.3.1 and §6.5"),
    _E("mlp2-sigmoid-W1", "mlp", f"sum({RS}**2)", "W1", TWO, f"2 * (X.T @ (({RS} @ W2.T) * {HS} * (1 - {HS})))", f"{BIS} §5.3.1"),
    _E("mlp2-softmax-W2", "mlp", f"-sum(Y * log({SM2}))", "W2", PTWO, f"{H}.T @ ({SM2} - Y)", f"{BIS} §5.3.1 and §4.3.4", ONEHOT, assumes="rows of Y sum to one"),
    _E("mlp2-softmax-W1", "mlp", f"-sum(Y * log({SM2}))", "W1", PTWO, f"X.T @ ((({SM2} - Y) @ W2.T) * (1 - {H}**2))", f"{BIS} §5.3.1 and §4.3.4", ONEHOT, assumes="rows of Y sum to one"),
    _E("mlp3-tanh-W1", "mlp", f"sum(({H3} - Y)**2)", "W1", DEEP, f"X.T @ {M3}", f"{BIS} §5.3.1 (the δ recursion)"),
    _E("mlp4-tanh-W1", "mlp", f"sum(({H4} - Y)**2)", "W1", DEEP, f"X.T @ {M4}", f"{BIS} §5.3.1 (the δ recursion)"),
    _E("mlp-vector", "mlp", f"0.5 * norm(W2 @ {h} - y)**2", "W1", NET, f"outer((W2.T @ (W2 @ {h} - y)) * (1 - {h}**2), x)", f"{BIS} §5.3.2"),
    # single layers: Jacobians and vector–Jacobian products -----------------------------------------
    _E("sigmoid-layer-bias", "layers", SIG, "b", LAYER, f"diag({SIG} * (1 - {SIG}))", f"{BIS} §4.3.2 (σ′ = σ(1 − σ))"),
    _E("tanh-layer-input", "layers", "tanh(W @ x + b)", "x", LAYER, "diag(1 - tanh(W @ x + b)**2) @ W", f"{BIS} §5.3.2"),
    _E("softmax-jacobian", "layers", "softmax(z)", "z", LAYER, "diag(softmax(z)) - outer(softmax(z), softmax(z))", f"{BIS} §4.3.4"),
    _E("linear-layer-weight", "layers", "sum(G * (X @ Wt + bt))", "Wt", LAYER, "X.T @ G", "cv"),
    _E("linear-layer-bias", "layers", "sum(G * (X @ Wt + bt))", "bt", LAYER, "sum(G, axis=0)", "cv"),
    _E("logsumexp", "layers", "logsumexp(z)", "z", LAYER, "softmax(z)", "boyd2004 §3.1.5"),
    # elementwise functions -------------------------------------------------------------------
    _E("tanh-squared", "elementwise", "sum(tanh(x)**2)", "x", EW, "2 * tanh(x) * (1 - tanh(x)**2)", f"{BIS} §5.3.2 (tanh′ = 1 − tanh²)"),
    _E("softplus", "elementwise", "sum(softplus(x))", "x", EW, "sigmoid(x)", f"{GBC} §3.10"),
    _E("log-sigmoid", "elementwise", "sum(log(sigmoid(x)))", "x", EW, "1 - sigmoid(x)", f"{GBC} §3.10"),
    _E("binary-cross-entropy", "elementwise", "-sum(y * log(p) + (1 - y) * log(1 - p))", "p", EW, "(p - y) / (p * (1 - p))", f"{BIS} §4.3.2 (objective)", {"p": "probability"}),
    _E("entropy", "elementwise", "-sum(p * log(p))", "p", EW, "-(log(p) + 1)", f"{BIS} §1.6", {"p": POS}),
    _E("kl-divergence", "elementwise", "sum(p * log(p / q))", "q", EW, "-p / q", f"{BIS} §1.6.1", {"p": POS, "q": POS}),
    # Matrix Cookbook classics ---------------------------------------------------------------
    _E("trace-AXB", "cookbook", "tr(A @ X @ B)", "X", RECT, "A.T @ B.T", f"{CBK} §2.5.1"),
    _E("trace-XtAX", "cookbook", "tr(X.T @ A @ X)", "X", SQ, "(A + A.T) @ X", f"{CBK} §2.5.2"),
    _E("trace-X8", "cookbook", "tr(X @ X @ X @ X @ X @ X @ X @ X)", "X", SQ, "8 * matrix_power(X.T, 7)", f"{CBK} §2.5.3"),
    _E("trace-X16", "cookbook", "tr(" + " @ ".join(["X"] * 16) + ")", "X", SQ, "16 * matrix_power(X.T, 15)", f"{CBK} §2.5.3"),
    _E("logdet-gram", "cookbook", "logdet(X.T @ X)", "X", RECT, "2 * (X @ inv(X.T @ X))", f"{CBK} §2.1.2"),
    _E("logdet", "cookbook", "logdet(X)", "X", SQ, "inv(X).T", f"{CBK} §2.1.2; magnus ch. 8", {"X": "spd"}),
    _E("det", "cookbook", "det(X)", "X", SQ, "det(X) * inv(X).T", f"{CBK} §2.1.2"),
    _E("trace-inverse", "cookbook", "tr(A @ inv(X))", "X", SQ, "-(inv(X) @ A @ inv(X)).T", f"{CBK} §2.2"),
    _E("inverse-form", "cookbook", "a @ inv(X) @ b", "X", {**SQ, "a": ("n",), "b": ("n",)}, "-(inv(X).T @ outer(a, b) @ inv(X).T)", f"{CBK} §2.2"),
    _E("quadratic", "cookbook", "x @ A @ x", "x", SQ, "(A + A.T) @ x", f"{CBK} §2.4.2"),
    _E("quadratic-symmetric", "cookbook", "x @ S @ x", "x", SQ, "2 * (S @ x)", f"{CBK} §2.4.2"),
    _E("logdet-low-rank", "cookbook", "logdet(S + X @ X.T)", "X", {"S": SYM, "X": ("n", "k")}, "2 * (inv(S + X @ X.T) @ X)", f"{CBK} §2.1.2 with the chain rule", {"S": "spd"}),
    _E("gram-bilinear", "cookbook", "b @ X.T @ X @ c", "X", RECT, "X @ (outer(b, c) + outer(c, b))", f"{CBK} §2.4.2"),
    _E("trace-AXBXtC", "cookbook", "tr(A @ X @ B @ X.T @ C)", "X", SQ, "A.T @ C.T @ X @ B.T + C @ A @ X @ B", f"{CBK} §2.5.2"),
    _E("trace-expm", "cookbook", "tr(expm(X))", "X", SQ, "expm(X).T", f"{CBK} §2.5.4"),
)  # fmt: skip

_NORM_STAT = (
    "Both sides spell the statistic sqrt(var + 1e-5) out in full wherever it occurs (the language "
    "has no named statistics), which is most of the length. "
)

#: Why matderiv's form is longer than the textbook's, for the entries where it still is.
NOTES: dict[str, str] = {
    "layer-norm": _NORM_STAT
    + "The textbook divides once by sigma and writes the two projections as means, "
    "(g - mean(g) - xhat mean(g * xhat)) / sigma; matderiv prints the three terms of the same sum "
    "apart, each with its own power of sigma (1/sigma, 1/(sigma n), 1/(sigma^3 n)) and with sums "
    "divided by n. Pulling a common power out of terms with different powers (sigma^-1 out of "
    "sigma^-3 leaves sigma^-2 = var + 1e-5) and writing a sum over n as a mean are not "
    "implemented.",
    "layer-norm-rows": _NORM_STAT
    + "As layer-norm, row by row: matderiv's per-row scalars become diag(...) scalings and row "
    "sums times ones(n)^T where the textbook broadcasts a keepdims mean.",
    "batch-norm": _NORM_STAT
    + "As layer-norm, column by column: per-column scalars become diag(...) scalings on the "
    "right and ones(B) outer products where the textbook broadcasts a mean over the batch.",
    "rms-norm": "The textbook divides once by r = sqrt(mean(x**2) + 1e-5) and writes "
    "(g^T x) / n as mean(g * x) and r^2 as mean(x**2) + 1e-5; matderiv keeps two terms with "
    "1/r and 1/(r^3 n), for the reasons given for layer-norm.",
}
