"""Spectral functions and the norms that are not smooth everywhere, declared as
:class:`~matderiv.language.functions.Unary` nodes, with the factors their derivatives use.

- ``eigvalsh(S)``: the eigenvalues of a symmetric matrix, ascending, exactly as numpy's
  ``eigvalsh`` computes them: from the **lower triangle** of S (``UPLO='L'``), whatever the upper
  triangle holds. So, over all n² entries of S (the tensor layout),
  ∂λ_k/∂S_pq = u_pk u_qk w_pq with w = 1 on the diagonal, 2 below it (S_pq also stands for
  S_qp), 0 above it (never read): what finite differences of ``numpy.linalg.eigvalsh`` measure.
  On symmetric matrices the Frobenius gradient is sym of that, u_k u_kᵀ.
- ``svdvals(X)``: the singular values, descending: ∂σ_k/∂X = u_k v_kᵀ.
- ``norm(X, 2)`` = σ₁: ∂ = u₁ v₁ᵀ; ``norm(X, 'nuc')`` = Σ σ_k: ∂ = U Vᵀ (thin SVD);
  ``norm(x, 1)`` = Σ |x_i|: ∂ = sign(x); ``norm(x, inf)`` = max |x_i|: ∂ = sign(x_k) e_k.

Where the derivative does not exist (repeated eigenvalues or singular values, a zero singular
value, a zero entry under the 1-norm, a tie under the ∞-norm), evaluating the factor raises
:class:`~matderiv.errors.DomainError` (see :mod:`matderiv.language.kernels`): the compiled
code too, since it calls the same kernels. Repeated values count as degenerate even where a
symmetric sum of them would be smooth (``sum(eigvalsh(S))`` at S = I): the error is loud, never
a wrong number. The factors have no derivative rule: second derivatives raise
NotSupportedError.
"""

from __future__ import annotations

from typing import Any

from ..errors import NotSupportedError, ShapeError
from .expression import describe
from .functions import Unary, _square
from .matfun import kernels, no_sympy
from .shapes import Shape

__all__ = [
    "EighVectors",
    "Eigvalsh",
    "KinkSign",
    "LowerWeights",
    "MaxSign",
    "Norm1",
    "NormInf",
    "NuclearNorm",
    "Polar",
    "SpectralNorm",
    "SvdU",
    "SvdV",
    "Svdvals",
    "TopU",
    "TopV",
]


def _vector(e: Unary) -> Shape:
    if e.arg.ndim != 1:
        raise ShapeError(f"{e.name} needs a vector, got {describe(e.arg)}")
    return ()


def _matrix(e: Unary) -> Shape:
    if e.arg.ndim != 2:
        raise ShapeError(f"{e.name} needs a matrix, got {describe(e.arg)}")
    return ()


def _same(e: Unary) -> Shape:
    if e.arg.ndim not in (1, 2):
        raise ShapeError(f"{e.name} needs a vector or a matrix, got {describe(e.arg)}")
    return tuple(e.arg.shape)


def singular_count(arg: Any, fn: str) -> Any:
    """min(m, n) for an m×n matrix: an int, or the name when both sizes are that name."""
    if arg.ndim != 2:
        raise ShapeError(f"{fn} needs a matrix, got {describe(arg)}")
    m, n = arg.shape
    if m == n:
        return m
    if isinstance(m, int) and isinstance(n, int):
        return min(m, n)
    raise NotSupportedError(
        f"{fn} of {describe(arg)}: the number of singular values, min({m}, {n}), is not known "
        "symbolically; give the sizes as ints or make the matrix square"
    )


class Eigvalsh(
    Unary,
    name="eigvalsh",
    latex=r"\operatorname{eigvalsh}",
    code="{np}.linalg.eigvalsh({x})",
    numpy=lambda np, a: np.linalg.eigvalsh(a),
    pure=lambda la, a: la.eigvalsh(a),
    sympy=no_sympy("eigvalsh"),
):
    """Eigenvalues of a symmetric matrix (its lower triangle), ascending, as numpy's."""

    def result_shape(self) -> Shape:
        return (_square(self.arg, self.name),)


class Svdvals(
    Unary,
    name="svdvals",
    latex=r"\operatorname{svdvals}",
    code="{np}.linalg.svd({x}, compute_uv=False)",
    numpy=lambda np, a: np.linalg.svd(a, compute_uv=False),
    pure=lambda la, a: la.svdvals(a),
    sympy=no_sympy("svdvals"),
):
    """Singular values, descending, as numpy's ``svd(X, compute_uv=False)``."""

    def result_shape(self) -> Shape:
        return (singular_count(self.arg, "svdvals"),)


class SpectralNorm(
    Unary,
    name="norm_2",
    spelled="norm({x}, 2)",
    latex=r"\left\lVert {x} \right\rVert_2",
    code="{np}.linalg.norm({x}, 2)",
    numpy=lambda np, a: np.linalg.norm(a, 2),
    pure=lambda la, a: la.norm_2(a),
    sympy=no_sympy("norm(X, 2)"),
    user=False,
):
    """The spectral norm σ₁ of a matrix."""

    def result_shape(self) -> Shape:
        return _matrix(self)


class NuclearNorm(
    Unary,
    name="norm_nuc",
    spelled="norm({x}, 'nuc')",
    latex=r"\left\lVert {x} \right\rVert_*",
    code="{np}.linalg.norm({x}, 'nuc')",
    numpy=lambda np, a: np.linalg.norm(a, "nuc"),
    pure=lambda la, a: la.norm_nuc(a),
    sympy=no_sympy("norm(X, 'nuc')"),
    user=False,
):
    """The nuclear norm Σ σ_k of a matrix."""

    def result_shape(self) -> Shape:
        return _matrix(self)


class Norm1(
    Unary,
    name="norm_1",
    spelled="norm({x}, 1)",
    latex=r"\left\lVert {x} \right\rVert_1",
    code="{np}.linalg.norm({x}, 1)",
    numpy=lambda np, a: np.linalg.norm(a, 1),
    pure=lambda la, a: la.norm_1(a),
    sympy=no_sympy("norm(x, 1)"),
    user=False,
    kink=True,
):
    """The 1-norm Σ |x_i| of a vector."""

    def result_shape(self) -> Shape:
        return _vector(self)


class NormInf(
    Unary,
    name="norm_inf",
    spelled="norm({x}, inf)",
    latex=r"\left\lVert {x} \right\rVert_\infty",
    code="{np}.linalg.norm({x}, {np}.inf)",
    numpy=lambda np, a: np.linalg.norm(a, np.inf),
    pure=lambda la, a: la.norm_inf(a),
    sympy=no_sympy("norm(x, inf)"),
    user=False,
):
    """The ∞-norm max |x_i| of a vector."""

    def result_shape(self) -> Shape:
        return _vector(self)


# the factors of the derivatives: user=False, evaluated by the kernel of the same name -------


class EighVectors(
    Unary,
    name="eigh_vectors",
    latex=r"U_{{{x}}}",
    code="{P}mk.eigh_vectors({x})",
    numpy=lambda np, a: kernels().eigh_vectors(a),
    pure=lambda la, a: la.eigh_vectors(a),
    sympy=no_sympy("eigh_vectors"),
    user=False,
    helpers=("kernels",),
):
    """The eigenvectors of eigvalsh's matrix, as columns (DomainError at a repeated eigenvalue)."""

    def result_shape(self) -> Shape:
        n = _square(self.arg, self.name)
        return (n, n)


class LowerWeights(
    Unary,
    name="lower_weights",
    latex=r"W_{{{x}}}",
    code="{P}mk.lower_weights({x})",
    numpy=lambda np, a: kernels().lower_weights(a),
    pure=lambda la, a: la.lower_weights(a),
    sympy=no_sympy("lower_weights"),
    user=False,
    helpers=("kernels",),
):
    """1 on the diagonal, 2 below it, 0 above: how eigvalsh reads the entries of its matrix."""

    def result_shape(self) -> Shape:
        n = _square(self.arg, self.name)
        return (n, n)


class SvdU(
    Unary,
    name="svd_u",
    latex=r"U_{{{x}}}",
    code="{P}mk.svd_u({x})",
    numpy=lambda np, a: kernels().svd_u(a),
    pure=lambda la, a: la.svd_u(a),
    sympy=no_sympy("svd_u"),
    user=False,
    helpers=("kernels",),
):
    """Left singular vectors as columns (DomainError at repeated or zero singular values)."""

    def result_shape(self) -> Shape:
        return (self.arg.shape[0], singular_count(self.arg, self.name))


class SvdV(
    Unary,
    name="svd_v",
    latex=r"V_{{{x}}}",
    code="{P}mk.svd_v({x})",
    numpy=lambda np, a: kernels().svd_v(a),
    pure=lambda la, a: la.svd_v(a),
    sympy=no_sympy("svd_v"),
    user=False,
    helpers=("kernels",),
):
    """Right singular vectors as columns (DomainError at repeated or zero singular values)."""

    def result_shape(self) -> Shape:
        return (self.arg.shape[1], singular_count(self.arg, self.name))


class TopU(
    Unary,
    name="top_u",
    latex=r"u_{{1}}\left({x}\right)",
    code="{P}mk.top_u({x})",
    numpy=lambda np, a: kernels().top_u(a),
    pure=lambda la, a: la.top_u(a),
    sympy=no_sympy("top_u"),
    user=False,
    helpers=("kernels",),
):
    """The left singular vector of σ₁ (DomainError when σ₁ = σ₂ or X = 0)."""

    def result_shape(self) -> Shape:
        singular_count(self.arg, self.name)  # a matrix
        return (self.arg.shape[0],)


class TopV(
    Unary,
    name="top_v",
    latex=r"v_{{1}}\left({x}\right)",
    code="{P}mk.top_v({x})",
    numpy=lambda np, a: kernels().top_v(a),
    pure=lambda la, a: la.top_v(a),
    sympy=no_sympy("top_v"),
    user=False,
    helpers=("kernels",),
):
    """The right singular vector of σ₁ (DomainError when σ₁ = σ₂ or X = 0)."""

    def result_shape(self) -> Shape:
        singular_count(self.arg, self.name)  # a matrix
        return (self.arg.shape[1],)


class Polar(
    Unary,
    name="polar",
    latex=r"\operatorname{{polar}}\left({x}\right)",
    code="{P}mk.polar({x})",
    numpy=lambda np, a: kernels().polar(a),
    pure=lambda la, a: la.polar(a),
    sympy=no_sympy("polar"),
    user=False,
    helpers=("kernels",),
):
    """U Vᵀ from the thin SVD (DomainError at a zero singular value)."""

    def result_shape(self) -> Shape:
        return _same(self)


class KinkSign(
    Unary,
    name="kink_sign",
    latex=r"\operatorname{{sign}}\left({x}\right)",
    code="{P}mk.kink_sign({x})",
    numpy=lambda np, a: kernels().kink_sign(a),
    pure=lambda la, a: la.kink_sign(a),
    sympy=no_sympy("kink_sign"),
    user=False,
    helpers=("kernels",),
):
    """sign(x), with DomainError where an entry is 0."""

    def result_shape(self) -> Shape:
        return _same(self)


class MaxSign(
    Unary,
    name="max_sign",
    latex=r"e_{{\max}}\left({x}\right)",
    code="{P}mk.max_sign({x})",
    numpy=lambda np, a: kernels().max_sign(a),
    pure=lambda la, a: la.max_sign(a),
    sympy=no_sympy("max_sign"),
    user=False,
    helpers=("kernels",),
):
    """sign(x_k) e_k for the largest |x_k| (DomainError at a tie)."""

    def result_shape(self) -> Shape:
        return _same(self)
