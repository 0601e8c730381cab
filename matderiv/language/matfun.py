"""Matrix functions (``expm``, ``logm``, ``sqrtm``, ``sinm``, ``cosm``) and their Fréchet
derivatives, declared as :class:`~matderiv.language.functions.Unary` nodes.

A matrix function f(X) is not elementwise: every entry of f(X) depends on every entry of X.
Its derivative is the Fréchet derivative, the linear map E ↦ L_f(X, E) with
f(X + E) = f(X) + L_f(X, E) + o(‖E‖). In index form it is one opaque 4-index factor,
``L_f(X)[i, j, p, q] = ∂f(X)_ij / ∂X_pq`` (the ``*_frechet`` nodes below), that derivatives
create and users do not write. :mod:`matderiv.language.kernels` evaluates both.

Where a trace contracts the first two indices the factor has a closed form, since
tr L_f(X, E) = tr(f′(X) E) for a primary matrix function: Σ_k L_f(X)[k, k, p, q] = f′(X)_qp.
:data:`TRACED` gives f′ for each (``engine.delta`` applies it), so ∂ tr f(X)/∂X = f′(X)ᵀ.

The options of a ``Unary`` declaration used here and in :mod:`matderiv.language.spectral`:
``user=False`` (not parsed under its name: a factor only derivatives create, whose code
spelling raises NotSupportedError unless ``spelled`` gives one), ``spelled`` (how code and text
write the function, such as ``"norm({x}, 2)"``), ``helpers`` (what the generated code needs:
``"kernels"`` imports :mod:`~matderiv.language.kernels`), ``domain="invertible"`` (sampled
arguments get their spectrum in the right half-plane) and ``kink`` (sampled arguments stay away
from 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from ..errors import NotSupportedError, ShapeError
from .expression import Expr, describe
from .functions import Inv, Unary, _square
from .shapes import Shape

__all__ = [
    "APPLIED",
    "FRECHET",
    "TRACED",
    "Cosm",
    "Expm",
    "FrechetApply",
    "Logm",
    "Sinm",
    "Sqrtm",
    "kernels",
    "no_sympy",
]


def kernels() -> Any:
    """The numpy kernels (imported on first use, so that ``import matderiv`` needs no numpy)."""
    from . import kernels as k

    return k


def no_sympy(name: str) -> Callable[..., Any]:
    """The SymPy evaluation of a function the exact backend cannot evaluate: it refuses."""

    def refuse(sp: Any, np: Any, a: Any) -> Any:
        raise NotSupportedError(
            f"{name}: the exact SymPy check cannot evaluate this function; check it with "
            "method='finite' (finite differences)"
        )

    return refuse


class Expm(
    Unary,
    name="expm",
    latex=r"\operatorname{expm}",
    code="{P}mk.expm({x})",
    numpy=lambda np, a: kernels().expm(a),
    pure=lambda la, a: la.expm(a),
    sympy=no_sympy("expm"),
    square="same",
    helpers=("kernels",),
):
    """The matrix exponential Σ_k X^k / k!."""


class Logm(
    Unary,
    name="logm",
    latex=r"\operatorname{logm}",
    code="{P}mk.logm({x})",
    numpy=lambda np, a: kernels().logm(a),
    pure=lambda la, a: la.logm(a),
    sympy=no_sympy("logm"),
    square="same",
    helpers=("kernels",),
    domain="invertible",
):
    """The principal matrix logarithm (eigenvalues off the closed negative real axis)."""


class Sqrtm(
    Unary,
    name="sqrtm",
    latex=r"\operatorname{sqrtm}",
    code="{P}mk.sqrtm({x})",
    numpy=lambda np, a: kernels().sqrtm(a),
    pure=lambda la, a: la.sqrtm(a),
    sympy=no_sympy("sqrtm"),
    square="same",
    helpers=("kernels",),
    domain="invertible",
):
    """The principal matrix square root (eigenvalues off the closed negative real axis)."""


class Sinm(
    Unary,
    name="sinm",
    latex=r"\operatorname{sinm}",
    code="{P}mk.sinm({x})",
    numpy=lambda np, a: kernels().sinm(a),
    pure=lambda la, a: la.sinm(a),
    sympy=no_sympy("sinm"),
    square="same",
    helpers=("kernels",),
):
    """The matrix sine."""


class Cosm(
    Unary,
    name="cosm",
    latex=r"\operatorname{cosm}",
    code="{P}mk.cosm({x})",
    numpy=lambda np, a: kernels().cosm(a),
    pure=lambda la, a: la.cosm(a),
    sympy=no_sympy("cosm"),
    square="same",
    helpers=("kernels",),
):
    """The matrix cosine."""


def _frechet_shape(arg: Expr, name: str) -> Shape:
    n = _square(arg, name)
    return (n, n, n, n)


class ExpmFrechet(
    Unary,
    name="expm_frechet",
    latex=r"L_{\operatorname{expm}}",
    code="{P}mk.frechet('expm', {x})",
    numpy=lambda np, a: kernels().frechet("expm", a),
    pure=lambda la, a: la.frechet("expm", a),
    sympy=no_sympy("the derivative of expm"),
    user=False,
    helpers=("kernels",),
):
    """L_expm(X)[i, j, p, q] = ∂expm(X)_ij / ∂X_pq."""

    def result_shape(self) -> Shape:
        return _frechet_shape(self.arg, self.name)


class LogmFrechet(
    Unary,
    name="logm_frechet",
    latex=r"L_{\operatorname{logm}}",
    code="{P}mk.frechet('logm', {x})",
    numpy=lambda np, a: kernels().frechet("logm", a),
    pure=lambda la, a: la.frechet("logm", a),
    sympy=no_sympy("the derivative of logm"),
    user=False,
    helpers=("kernels",),
    domain="invertible",
):
    """L_logm(X)[i, j, p, q] = ∂logm(X)_ij / ∂X_pq."""

    def result_shape(self) -> Shape:
        return _frechet_shape(self.arg, self.name)


class SqrtmFrechet(
    Unary,
    name="sqrtm_frechet",
    latex=r"L_{\operatorname{sqrtm}}",
    code="{P}mk.frechet('sqrtm', {x})",
    numpy=lambda np, a: kernels().frechet("sqrtm", a),
    pure=lambda la, a: la.frechet("sqrtm", a),
    sympy=no_sympy("the derivative of sqrtm"),
    user=False,
    helpers=("kernels",),
    domain="invertible",
):
    """L_sqrtm(X)[i, j, p, q] = ∂sqrtm(X)_ij / ∂X_pq."""

    def result_shape(self) -> Shape:
        return _frechet_shape(self.arg, self.name)


class SinmFrechet(
    Unary,
    name="sinm_frechet",
    latex=r"L_{\operatorname{sinm}}",
    code="{P}mk.frechet('sinm', {x})",
    numpy=lambda np, a: kernels().frechet("sinm", a),
    pure=lambda la, a: la.frechet("sinm", a),
    sympy=no_sympy("the derivative of sinm"),
    user=False,
    helpers=("kernels",),
):
    """L_sinm(X)[i, j, p, q] = ∂sinm(X)_ij / ∂X_pq."""

    def result_shape(self) -> Shape:
        return _frechet_shape(self.arg, self.name)


class CosmFrechet(
    Unary,
    name="cosm_frechet",
    latex=r"L_{\operatorname{cosm}}",
    code="{P}mk.frechet('cosm', {x})",
    numpy=lambda np, a: kernels().frechet("cosm", a),
    pure=lambda la, a: la.frechet("cosm", a),
    sympy=no_sympy("the derivative of cosm"),
    user=False,
    helpers=("kernels",),
):
    """L_cosm(X)[i, j, p, q] = ∂cosm(X)_ij / ∂X_pq."""

    def result_shape(self) -> Shape:
        return _frechet_shape(self.arg, self.name)


#: Each matrix function's Fréchet factor.
FRECHET: dict[type[Unary], type[Unary]] = {
    Expm: ExpmFrechet,
    Logm: LogmFrechet,
    Sqrtm: SqrtmFrechet,
    Sinm: SinmFrechet,
    Cosm: CosmFrechet,
}

_HALF = Fraction(1, 2)

#: Each Fréchet factor's trace: Σ_k L_f(X)[k, k, p, q] = c · g(X)_qp with (c, g) given here,
#: c g(X) = f′(X): exp′ = exp, log′(x) = 1/x, sqrt′(x) = 1/(2 sqrt x), sin′ = cos, cos′ = −sin.
TRACED: dict[type[Unary], tuple[Fraction, Callable[[Expr], Expr]]] = {
    ExpmFrechet: (Fraction(1), Expm),
    LogmFrechet: (Fraction(1), Inv),
    SqrtmFrechet: (_HALF, lambda x: Inv(Sqrtm(x))),
    SinmFrechet: (Fraction(1), Cosm),
    CosmFrechet: (Fraction(-1), Sinm),
}


# The Fréchet derivative applied to a matrix (issue 14: the VJP closed form) -------------------
#: The matrix function of each Fréchet factor, by the name its applied form is written under.
APPLIED: dict[str, type[Unary]] = {f.name: f for f in FRECHET.values()}


@dataclass(frozen=True, eq=False, repr=False)
class FrechetApply(Expr):
    """``expm_frechet(X, E)``: the Fréchet derivative of a matrix function at ``X`` applied to
    the direction ``E``, L_f(X, E) = Σ_pq L_f(X)[:, :, p, q] E_pq (an n×n matrix).

    Reassembly writes gradients with it (:mod:`matderiv.engine.frechet`): for a real primary
    matrix function ⟨G, L_f(X, E)⟩ = ⟨L_f(Xᵀ, G), E⟩, so ∂ Σ_ij G_ij f(X)_ij / ∂X =
    L_f(Xᵀ, G), printed ``expm_frechet(X^T, G)``. Users may write it too. It is linear in
    ``E``: its derivative by ``E`` is the 4-index factor ``expm_frechet(X)``; its derivative by
    ``X`` (a second Fréchet derivative) is not supported. numpy evaluates it
    (:func:`matderiv.language.kernels.frechet_apply`); the exact and pure-Python backends
    refuse it.
    """

    function: str
    arg: Expr
    direction: Expr

    def __post_init__(self) -> None:
        if self.name not in APPLIED:
            raise NotSupportedError(f"no Fréchet derivative for the function {self.function!r}")
        n = _square(self.arg, self.name)
        if self.direction.shape != self.arg.shape:
            raise ShapeError(
                f"{self.name}(X, E): the direction E must have the shape of X "
                f"({describe(self.arg)}), got {describe(self.direction)}"
            )
        self._finish((n, n), self.function, self.arg._key, self.direction._key)

    @property
    def name(self) -> str:
        """The name the language writes it under: ``expm_frechet``."""
        return f"{self.function}_frechet"

    @property
    def factor(self) -> Unary:
        """The 4-index factor L_f(X)[i, j, p, q] that this node contracts with ``E``."""
        return APPLIED[self.name](self.arg)

    @property
    def domain(self) -> Literal["real", "invertible"]:
        """Where ``X`` must lie: that of the matrix function (logm, sqrtm: invertible)."""
        return self.factor.domain

    def children(self) -> tuple[Expr, ...]:
        return (self.arg, self.direction)
