"""The identity catalogue: one table that the tests and the book both iterate over.

Every entry names a function, the variable, the shapes, the closed form a reference gives
(written in the expression language and arranged in the tensor layout, so it can be evaluated
and compared), and where that closed form comes from. The tests check every entry three ways:
matderiv's index form, its matrix form and the reference's closed form must agree with each
other and with finite differences; the small ones are also proved exactly with SymPy.

Sources (see the book's bibliography):

- ``cookbook``: K. B. Petersen, M. S. Pedersen, *The Matrix Cookbook* (2012), cited by section;
- ``umass``: the UMass Amherst slides "Vector, Matrix and Tensor Derivatives";
- ``zou``: Yuze Zou, "向量, 矩阵与张量梯度的理论推导" (blog post);
- ``cv``: the Cross Validated question on dL/dW for Y = XW + B with row vectors;
- ``mit``: MIT 6.390 "Explanatory Notes", appendix "Matrix Derivatives" (Fall 2024);
- ``magnus``: J. R. Magnus, H. Neudecker, *Matrix Differential Calculus* (3rd ed.);
- ``higham2008``: N. J. Higham, *Functions of Matrices: Theory and Computation* (SIAM, 2008).
- ``srinivasan2019``: S. Srinivasan, N. Panda, "What is the gradient of a scalar function of a
  symmetric matrix?" (arXiv 1911.06491): the Frobenius gradient sym(G) on symmetric matrices.
  Cookbook equation numbers are those of the version of November 15, 2012.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .derivative import Derivative, derive, hessian
from .language.structure import SymmetricConvention, structured

__all__ = ["CATALOGUE", "TOPICS", "Identity", "by_name"]

TOPICS = (
    "traces",
    "determinants",
    "inverses",
    "forms",
    "norms",
    "elementwise",
    "neural networks",
    "hessians",
    "sources",
    "rearranging",
)


@dataclass(frozen=True)
class Identity:
    """One catalogue entry: ∂ expr / ∂ wrt (then / ∂ wrt2 for a second derivative)."""

    name: str
    topic: str
    expr: str
    wrt: str
    shapes: Mapping[str, Any]
    reference: str
    source: str
    wrt2: str | None = None
    note: str = ""
    constraints: Mapping[str, str] = field(default_factory=dict)
    #: False for an identity whose functions the exact SymPy check cannot evaluate (matrix and
    #: spectral functions): it is checked against finite differences only.
    exact: bool = True
    #: The convention of a derivative by a symmetric variable (see matderiv.language.structure).
    symmetric: SymmetricConvention | None = None

    def first(self) -> Derivative:
        """The first derivative by ``wrt`` (in the row's convention), which a second
        derivative's check compares against."""
        return derive(self.expr, self.wrt, shapes=self.shapes, symmetric=self.symmetric)

    def derive(self) -> Derivative:
        """Derive the entry with matderiv."""

        if self.wrt2 is not None:
            return hessian(
                self.expr, self.wrt, self.wrt2, shapes=self.shapes, symmetric=self.symmetric
            )
        return derive(self.expr, self.wrt, shapes=self.shapes, symmetric=self.symmetric)


SQ = {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n"), "C": ("n", "n"), "Y": ("n", "n")}
VEC = {"x": ("n",), "a": ("n",), "b": ("n",), "y": ("n",), "A": ("n", "n")}
MLP = {"W1": ("h", "n"), "b1": ("h",), "W2": ("m", "h"), "x": ("n",), "y": ("m",)}
H = "tanh(W1 @ x + b1)"
R = f"(W2 @ {H} - y)"
LN = "((x - mean(x)) / sqrt(var(x) + 1e-5))"
SYM = {"S": structured(("n", "n"), "symmetric"), "A": ("n", "n"), "x": ("n",)}
DIA = {"D": structured(("n", "n"), "diagonal"), "A": ("n", "n")}

_I = Identity
CATALOGUE: tuple[Identity, ...] = (
    # traces ---------------------------------------------------------------------------
    _I("trace", "traces", "tr(X)", "X", SQ, "eye(n)", "cookbook §2.5.1"),
    _I("trace-XA", "traces", "tr(X @ A)", "X", SQ, "A.T", "cookbook §2.5.1"),
    _I("trace-AXB", "traces", "tr(A @ X @ B)", "X", {"A": ("k", "n"), "X": ("n", "m"), "B": ("m", "k")}, "A.T @ B.T", "cookbook §2.5.1"),
    _I("trace-AXtB", "traces", "tr(A @ X.T @ B)", "X", {"A": ("k", "m"), "X": ("n", "m"), "B": ("n", "k")}, "B @ A", "cookbook §2.5.1"),
    _I("trace-XtA", "traces", "tr(X.T @ A)", "X", {"X": ("n", "m"), "A": ("n", "m")}, "A", "cookbook §2.5.1"),
    _I("trace-AXt", "traces", "tr(A @ X.T)", "X", {"X": ("n", "m"), "A": ("n", "m")}, "A", "cookbook §2.5.1"),
    _I("trace-X2", "traces", "tr(X @ X)", "X", SQ, "2 * X.T", "cookbook §2.5.2"),
    _I("trace-X2B", "traces", "tr(X @ X @ B)", "X", SQ, "(X @ B + B @ X).T", "cookbook §2.5.2"),
    _I("trace-XtBX", "traces", "tr(X.T @ B @ X)", "X", {"X": ("n", "m"), "B": ("n", "n")}, "B @ X + B.T @ X", "cookbook §2.5.2"),
    _I("trace-XBXt", "traces", "tr(X @ B @ X.T)", "X", {"X": ("m", "n"), "B": ("n", "n")}, "X @ B.T + X @ B", "cookbook §2.5.2"),
    _I("trace-XtX", "traces", "tr(X.T @ X)", "X", {"X": ("m", "n")}, "2 * X", "cookbook §2.5.2"),
    _I("trace-BtXtCXB", "traces", "tr(B.T @ X.T @ C @ X @ B)", "X", {"B": ("n", "k"), "X": ("m", "n"), "C": ("m", "m")}, "C.T @ X @ B @ B.T + C @ X @ B @ B.T", "cookbook §2.5.2"),
    _I("trace-X3", "traces", "tr(matrix_power(X, 3))", "X", SQ, "3 * (X @ X).T", "cookbook §2.5.3"),
    _I("trace-AinvXB", "traces", "tr(A @ inv(X) @ B)", "X", SQ, "-(inv(X) @ B @ A @ inv(X)).T", "cookbook §2.5.4"),
    _I("trace-sum-of-traces", "traces", "tr(X) + tr(X @ Y)", "X", SQ, "eye(n) + Y.T", "cookbook §2.5.1", note="SymPy 1.14 returns 0"),
    _I("trace-log", "traces", "log(tr(X))", "X", SQ, "eye(n) / tr(X)", "cookbook §2.5.1 with the chain rule", constraints={"X": "spd"}),
    _I("trace-exp", "traces", "exp(tr(X))", "X", SQ, "exp(tr(X)) * eye(n)", "cookbook §2.5.1 with the chain rule"),
    _I("trace-squared", "traces", "tr(eye(n) - A)**2", "A", SQ, "-2 * tr(eye(n) - A) * eye(n)", "cookbook §2.5.1 with the chain rule"),
    _I("trace-kron", "traces", "tr(kron(X, X))", "X", SQ, "2 * tr(X) * eye(n)", "magnus ch. 2: tr(A ⊗ B) = tr A tr B"),
    # traces of matrix functions and sums of eigenvalues (issue 14): ∂ tr f(X) = f′(X)ᵀ
    _I("trace-expm", "traces", "tr(expm(X))", "X", SQ, "expm(X).T", "higham2008 §3.2 (tr L_f(X, E) = tr(f′(X) E)); cookbook §2.5.4", exact=False),
    _I("trace-logm", "traces", "tr(logm(X))", "X", SQ, "inv(X).T", "higham2008 ch. 11 (tr log X = log det X); cookbook §2.1.2", exact=False),
    _I("trace-sqrtm", "traces", "tr(sqrtm(X))", "X", SQ, "0.5 * inv(sqrtm(X)).T", "higham2008 §3.2 and ch. 6", exact=False),
    _I("trace-sinm", "traces", "tr(sinm(X))", "X", SQ, "cosm(X).T", "cookbook §2.5.4; higham2008 ch. 12", exact=False),
    _I("trace-cosm", "traces", "tr(cosm(X))", "X", SQ, "-sinm(X).T", "cookbook §2.5.4; higham2008 ch. 12", exact=False),
    _I("sum-of-eigenvalues", "traces", "sum(eigvalsh(S))", "S", {"S": ("n", "n")}, "eye(n)", "magnus ch. 8 (dλ = uᵀ dX u), summed: Σ u_k u_kᵀ = I", constraints={"S": "symmetric"}, exact=False),
    # determinants ---------------------------------------------------------------------
    _I("det", "determinants", "det(X)", "X", SQ, "det(X) * inv(X).T", "cookbook §2.1.2"),
    _I("logdet", "determinants", "logdet(X)", "X", SQ, "inv(X).T", "cookbook §2.1.2"),
    _I("log-det", "determinants", "log(det(X))", "X", SQ, "inv(X).T", "cookbook §2.1.2", note="SymPy 1.14 returns 0", constraints={"X": "spd"}),
    _I("det-AXB", "determinants", "det(A @ X @ B)", "X", SQ, "det(A @ X @ B) * inv(X).T", "cookbook §2.1.2", constraints={"A": "invertible", "B": "invertible", "X": "invertible"}),
    _I("logdet-XtX", "determinants", "logdet(X.T @ X)", "X", {"X": (4, 2)}, "2 * X @ inv(X.T @ X)", "cookbook §2.1.2", note="X has full column rank"),
    _I("det-X2", "determinants", "det(X @ X)", "X", SQ, "2 * det(X) ** 2 * inv(X).T", "cookbook §2.1.2", constraints={"X": "invertible"}),
    # inverses -------------------------------------------------------------------------
    _I("inverse", "inverses", "inv(X)", "X", SQ, "-einsum('ik,lj->ijkl', inv(X), inv(X))", "cookbook §2.2"),
    _I("inverse-form", "inverses", "a @ inv(X) @ b", "X", {"a": ("n",), "b": ("n",), "X": ("n", "n")}, "-(inv(X).T @ outer(a, b) @ inv(X).T)", "cookbook §2.2"),
    _I("trace-inverse", "inverses", "tr(inv(X))", "X", SQ, "-(inv(X) @ inv(X)).T", "cookbook §2.2"),
    # forms ----------------------------------------------------------------------------
    _I("linear", "forms", "a @ x", "x", VEC, "a", "cookbook §2.4.1"),
    _I("quadratic", "forms", "x @ A @ x", "x", VEC, "(A + A.T) @ x", "cookbook §2.4.2"),
    _I("bilinear", "forms", "a @ X @ b", "X", {"a": ("m",), "X": ("m", "n"), "b": ("n",)}, "outer(a, b)", "cookbook §2.4.1"),
    _I("bilinear-transposed", "forms", "a @ X.T @ b", "X", {"a": ("n",), "X": ("m", "n"), "b": ("m",)}, "outer(b, a)", "cookbook §2.4.1"),
    _I("gram-form", "forms", "b @ X.T @ X @ c", "X", {"b": ("n",), "X": ("m", "n"), "c": ("n",)}, "X @ (outer(b, c) + outer(c, b))", "cookbook §2.4.2"),
    _I("affine-forms", "forms", "(A @ x + b) @ C @ (D @ x + e)", "x", {"A": ("m", "n"), "x": ("n",), "b": ("m",), "C": ("m", "k"), "D": ("k", "n"), "e": ("k",)}, "A.T @ C @ (D @ x + e) + D.T @ C.T @ (A @ x + b)", "cookbook §2.4.2"),
    _I("matrix-vector", "forms", "A @ x", "x", {"A": ("m", "n"), "x": ("n",)}, "A", "cookbook §2.4.1"),
    _I("vector-matrix", "forms", "x @ A", "x", {"A": ("n", "m"), "x": ("n",)}, "A.T", "cookbook §2.4.1"),
    _I("outer-self", "forms", "outer(x, x)", "x", {"x": ("n",)}, "einsum('ip,j->ijp', eye(n), x) + einsum('i,jp->ijp', x, eye(n))", "umass: δ-sifting"),
    # norms ----------------------------------------------------------------------------
    _I("norm", "norms", "norm(x)", "x", {"x": ("n",)}, "x / norm(x)", "cookbook §2.6"),
    _I("norm-squared", "norms", "norm(x)**2", "x", {"x": ("n",)}, "2 * x", "cookbook §2.6"),
    _I("distance-squared", "norms", "norm(x - a)**2", "x", VEC, "2 * (x - a)", "cookbook §2.6"),
    _I("frobenius-squared", "norms", "norm(X, 'fro')**2", "X", {"X": ("m", "n")}, "2 * X", "cookbook §2.7"),
    _I("least-squares", "norms", "norm(A @ x - b)**2", "x", {"A": ("m", "n"), "x": ("n",), "b": ("m",)}, "2 * A.T @ (A @ x - b)", "cookbook §2.6 with the chain rule"),
    _I("frobenius-regression", "norms", "norm(X @ W - Y, 'fro')**2", "W", {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}, "2 * X.T @ (X @ W - Y)", "cookbook §2.7 with the chain rule"),
    # elementwise ----------------------------------------------------------------------
    _I("sum-exp", "elementwise", "sum(exp(x))", "x", {"x": ("n",)}, "exp(x)", "scalar calculus, entry by entry"),
    _I("sum-log", "elementwise", "sum(log(x))", "x", {"x": ("n",)}, "1 / x", "scalar calculus, entry by entry", constraints={"x": "positive"}),
    _I("hadamard", "elementwise", "sum(x * y)", "x", VEC, "y", "scalar calculus, entry by entry"),
    _I("sum-sigmoid", "elementwise", "sum(sigmoid(x))", "x", {"x": ("n",)}, "sigmoid(x) * (1 - sigmoid(x))", "scalar calculus, entry by entry"),
    _I("sum-tanh-squared", "elementwise", "sum(tanh(x)**2)", "x", {"x": ("n",)}, "2 * tanh(x) * (1 - tanh(x)**2)", "scalar calculus, entry by entry"),
    _I("sum-softplus", "elementwise", "sum(softplus(x))", "x", {"x": ("n",)}, "sigmoid(x)", "scalar calculus, entry by entry"),
    _I("sum-sqrt", "elementwise", "sum(sqrt(x))", "x", {"x": ("n",)}, "0.5 / sqrt(x)", "scalar calculus, entry by entry", constraints={"x": "positive"}),
    _I("log1p-loss", "elementwise", "sum(log1p(exp(x)))", "x", {"x": ("n",)}, "exp(x) / (1 + exp(x))", "scalar calculus: log1p(exp(x)) is softplus"),
    _I("sum-expm1", "elementwise", "sum(expm1(x) * y)", "x", VEC, "exp(x) * y", "scalar calculus, entry by entry"),
    _I("sum-relu", "elementwise", "sum(relu(x))", "x", {"x": ("n",)}, "step(x)", "scalar calculus, away from 0"),
    _I("sum-abs", "elementwise", "sum(abs(x))", "x", {"x": ("n",)}, "sign(x)", "scalar calculus, away from 0"),
    _I("exp-jacobian", "elementwise", "exp(x)", "x", {"x": ("n",)}, "diag(exp(x))", "mit: ∂A/∂Z = diag(f′(Z))"),
    _I("sigmoid-jacobian", "elementwise", "sigmoid(z)", "z", {"z": ("n",)}, "diag(sigmoid(z) * (1 - sigmoid(z)))", "mit: ∂A/∂Z = diag(f′(Z))"),
    _I("sin-cos", "elementwise", "sum(sin(x) * cos(x))", "x", {"x": ("n",)}, "cos(x)**2 - sin(x)**2", "scalar calculus, entry by entry"),
    # neural networks --------------------------------------------------------------------
    _I("softmax-jacobian", "neural networks", "softmax(z)", "z", {"z": ("n",)}, "diag(softmax(z)) - outer(softmax(z), softmax(z))", "standard result"),
    _I("logsumexp", "neural networks", "logsumexp(z)", "z", {"z": ("n",)}, "softmax(z)", "standard result"),
    _I("softmax-cross-entropy", "neural networks", "-y @ log(softmax(z))", "z", {"y": ("n",), "z": ("n",)}, "softmax(z) * sum(y) - y", "standard result", constraints={"y": "probability"}),
    _I("logistic-loss", "neural networks", "sum(softplus(X @ w) - y * (X @ w))", "w", {"X": ("B", "n"), "w": ("n",), "y": ("B",)}, "X.T @ (sigmoid(X @ w) - y)", "standard result"),
    _I("mlp-W1", "neural networks", f"0.5 * norm({R})**2", "W1", MLP, f"outer((W2.T @ {R}) * (1 - {H}**2), x)", "backpropagation"),
    _I("mlp-b1", "neural networks", f"0.5 * norm({R})**2", "b1", MLP, f"(W2.T @ {R}) * (1 - {H}**2)", "backpropagation"),
    _I("mlp-W2", "neural networks", f"0.5 * norm({R})**2", "W2", MLP, f"outer({R}, {H})", "backpropagation"),
    _I("sigmoid-mlp", "neural networks", "sum(sigmoid(W2 @ sigmoid(W1 @ x)))", "W1", {"W1": ("h", "n"), "W2": ("m", "h"), "x": ("n",)}, "outer((W2.T @ (sigmoid(W2 @ sigmoid(W1 @ x)) * (1 - sigmoid(W2 @ sigmoid(W1 @ x))))) * sigmoid(W1 @ x) * (1 - sigmoid(W1 @ x)), x)", "backpropagation"),
    _I("bias-gradient", "neural networks", "sum((X @ W + b - Y)**2)", "b", {"X": ("B", "N"), "W": ("N", "M"), "b": ("M",), "Y": ("B", "M")}, "2 * sum(X @ W + b - Y, axis=0)", "backpropagation"),
    _I("bias-column-sum", "neural networks", "sum(G * (X @ W + b))", "b", {"G": ("B", "M"), "X": ("B", "N"), "W": ("N", "M"), "b": ("M",)}, "sum(G, axis=0)", "backpropagation: a broadcast bias sums its gradient over the batch"),
    _I("variance", "neural networks", "var(x)", "x", {"x": ("n",)}, "2 * (x - mean(x)) / n", "population variance (ddof = 0), as numpy"),
    _I("standard-deviation", "neural networks", "std(x)", "x", {"x": ("n",)}, "(x - mean(x)) / (n * std(x))", "population standard deviation (ddof = 0), as numpy"),
    _I("layer-norm", "neural networks", f"sum(g * {LN})", "x", {"x": ("n",), "g": ("n",)}, f"(g - mean(g) - {LN} * mean(g * {LN})) / sqrt(var(x) + 1e-5)", "layer normalisation (Ba, Kiros and Hinton), backward pass"),
    _I("upstream-right", "neural networks", "sum(G * (A @ B))", "B", {"G": ("m", "n"), "A": ("m", "k"), "B": ("k", "n")}, "A.T @ G", "zou: C = AB ⇒ ∂f/∂B = Aᵀ ∂f/∂C"),
    _I("upstream-left", "neural networks", "sum(G * (A @ B))", "A", {"G": ("m", "n"), "A": ("m", "k"), "B": ("k", "n")}, "G @ B.T", "zou: the twin ∂f/∂A = ∂f/∂C Bᵀ"),
    _I("mit-dZ-dA", "neural networks", "W.T @ a", "a", {"W": ("m", "n"), "a": ("m",)}, "W.T", "mit: Z = WᵀA, ∂Z/∂A = W in their layout"),
    # spectral and nonsmooth norms (issue 14)
    _I("nuclear-norm", "norms", "norm(X, 'nuc')", "X", {"X": (4, 3)}, "X @ inv(sqrtm(X.T @ X))", "magnus ch. 8 via the SVD: ∂‖X‖_* = U Vᵀ = X (XᵀX)^(-1/2), full column rank", exact=False),
    _I("sum-of-singular-values", "norms", "sum(svdvals(X))", "X", {"X": (3, 4)}, "inv(sqrtm(X @ X.T)) @ X", "magnus ch. 8: ∂σ_k = u_k v_kᵀ, summed: U Vᵀ = (XXᵀ)^(-1/2) X, full row rank", exact=False),
    _I("one-norm", "norms", "norm(x, 1)", "x", {"x": ("n",)}, "sign(x)", "∂|x_i| = sign(x_i) away from 0; the 1-norm's kinks raise DomainError", exact=False),
    # hessians -------------------------------------------------------------------------
    _I("hessian-quadratic", "hessians", "x @ A @ x", "x", VEC, "A + A.T", "cookbook §2.4.2", wrt2="x"),
    _I("hessian-least-squares", "hessians", "norm(A @ x - b)**2", "x", {"A": ("m", "n"), "x": ("n",), "b": ("m",)}, "2 * A.T @ A", "cookbook §2.4.2", wrt2="x"),
    _I("hessian-logistic", "hessians", "sum(softplus(X @ w))", "w", {"X": ("B", "n"), "w": ("n",)}, "X.T @ diag(sigmoid(X @ w) * (1 - sigmoid(X @ w))) @ X", "standard result", wrt2="w"),
    _I("hessian-gaussian-mean", "hessians", "sum((X - m)**2)", "m", {"X": ("B", "n"), "m": ("n",)}, "2 * B * eye(n)", "Fisher information of a Gaussian mean: B samples, 2B I", wrt2="m"),
    _I("hessian-logdet", "hessians", "logdet(X)", "X", {"X": ("n", "n")}, "-einsum('qr,sp->pqrs', inv(X), inv(X))", "cookbook §2.2 with §2.1.2", wrt2="X"),
    _I("hessian-sum-exp", "hessians", "sum(exp(x))", "x", {"x": ("n",)}, "diag(exp(x))", "scalar calculus", wrt2="x"),
    _I("hessian-mixed", "hessians", "x @ A @ y", "x", {"x": ("n",), "A": ("n", "m"), "y": ("m",)}, "A", "cookbook §2.4.1", wrt2="y"),
    # the four source texts --------------------------------------------------------------
    _I("umass-example-1", "sources", "sigmoid(W @ x + b)", "W", {"W": ("m", "n"), "x": ("n",), "b": ("m",)}, "einsum('i,ij,k->ijk', sigmoid(W @ x + b) * (1 - sigmoid(W @ x + b)), eye(m), x)", "umass: example 1"),
    _I("umass-example-2", "sources", "outer(A @ (t*u + v), B @ (t*u + v))", "t", {"t": (), "u": ("n",), "v": ("n",), "A": ("m", "n"), "B": ("k", "n")}, "outer(A @ u, B @ (t*u + v)) + outer(A @ (t*u + v), B @ u)", "umass: example 2"),
    _I("umass-example-3", "sources", "tr(W)", "W", {"W": ("n", "n")}, "eye(n)", "umass: example 3"),
    _I("umass-chain-rule", "sources", "norm(A @ x)**2", "x", {"A": ("m", "n"), "x": ("n",)}, "2 * A.T @ A @ x", "umass: chain rule example"),
    _I("umass-einsum-stack", "sources", "einsum('ilk,jlk->', X, X)", "X", {"X": ("K", "N", "M")}, "2 * einsum('i,lk->ilk', ones(K), sum(X, axis=0))", "umass: einsum example 2"),
    _I("zou-fully-connected", "sources", "sum((X @ W - Y)**2)", "W", {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}, "2 * X.T @ (X @ W - Y)", "zou: the worked example"),
    _I("zou-first-factor", "sources", "sum((Z - Y)**2)", "Z", {"Z": ("B", "M"), "Y": ("B", "M")}, "2 * (Z - Y)", "zou: ∂L/∂Ỹ"),
    _I("cv-row-vector-layer", "sources", "x @ W + b", "W", {"x": (3,), "W": (3, 2), "b": (2,)}, "einsum('jl,k->jkl', eye(2), x)", "cv: ∂Y/∂W, 2×3×2"),
    _I("cv-loss", "sources", "sum(G * (x @ W + b))", "W", {"G": (2,), "x": (3,), "W": (3, 2), "b": (2,)}, "outer(x, G)", "cv: dL = L_Y : dY = (XᵀL_Y) : dW"),
    # structured variables: symmetric S (two conventions) and diagonal D ----------------------
    _I("sym-trace-free", "traces", "tr(A @ S)", "S", SYM, "A + A.T - A * eye(n)", "cookbook §2.8.2 eq. (139)", symmetric="free"),
    _I("sym-trace-frobenius", "traces", "tr(A @ S)", "S", SYM, "(A + A.T) / 2", "sym of cookbook §2.5.1 (Srinivasan & Panda 2019)", symmetric="frobenius"),
    _I("diag-trace", "traces", "tr(A @ D)", "D", DIA, "A * eye(n)", "cookbook §2.8.3 eq. (142)"),
    _I("sym-det-free", "determinants", "det(S)", "S", SYM, "det(S) * (2 * inv(S) - inv(S) * eye(n))", "cookbook §2.8.2 eq. (140)", symmetric="free"),
    _I("sym-det-frobenius", "determinants", "det(S)", "S", SYM, "det(S) * inv(S)", "sym of cookbook §2.1.1 (Srinivasan & Panda 2019)", symmetric="frobenius"),
    _I("sym-logdet-free", "determinants", "logdet(S)", "S", SYM, "2 * inv(S) - inv(S) * eye(n)", "cookbook §2.8.2 eq. (141)", symmetric="free"),
    _I("sym-logdet-frobenius", "determinants", "logdet(S)", "S", SYM, "inv(S)", "Srinivasan & Panda 2019: sym(G) = S⁻¹", symmetric="frobenius"),
    _I("sym-quadratic-free", "forms", "x @ S @ x", "S", SYM, "2 * outer(x, x) - diag(x * x)", "cookbook §2.8.2 eq. (138) with §2.4.1's x xᵀ", symmetric="free"),
    _I("sym-quadratic-frobenius", "forms", "x @ S @ x", "S", SYM, "outer(x, x)", "sym of cookbook §2.4.1's x xᵀ", symmetric="frobenius"),
    _I("sym-inverse-trace-frobenius", "inverses", "tr(A @ inv(S))", "S", SYM, "-inv(S) @ (A + A.T) @ inv(S) / 2", "sym of cookbook §2.2 (Srinivasan & Panda 2019)", symmetric="frobenius"),
    # issue 14, part 2: Hessians by structured variables, more structured rows, and the VJP
    # closed forms of matrix functions (Σ G_ij L_f(X)[i,j,p,q] = L_f(Xᵀ, G)_pq)
    _I("sym-hessian-logdet-frobenius", "hessians", "logdet(S)", "S", SYM, "-(einsum('ap,qb->abpq', inv(S), inv(S)) + einsum('aq,pb->abpq', inv(S), inv(S))) / 2", "magnus ch. 8: d² log det S = -tr(S⁻¹ dS S⁻¹ dS), on symmetric dS (Srinivasan & Panda 2019)", wrt2="S", symmetric="frobenius"),
    _I("sym-hessian-logdet-free", "hessians", "logdet(S)", "S", SYM, "-einsum('ab,pq,ap,qb->abpq', 2 - eye(n), 1 - eye(n) / 2, inv(S), inv(S)) - einsum('ab,pq,aq,pb->abpq', 2 - eye(n), 1 - eye(n) / 2, inv(S), inv(S))", "cookbook §2.8.2 eq. (141) differentiated by the free entries with §2.2", wrt2="S", symmetric="free"),
    _I("diag-hessian-logdet", "hessians", "logdet(D)", "D", DIA, "-einsum('ab,ap,bq,pq->abpq', eye(n), inv(D), inv(D), eye(n))", "cookbook §2.8.3: log det D = Σ log d_a, ∂² = -1/d_a²", wrt2="D"),
    _I("sym-hessian-quadratic-frobenius", "hessians", "tr(S @ A @ S)", "S", SYM, "(einsum('ap,qb->abpq', eye(n), A + A.T) + einsum('aq,pb->abpq', eye(n), A + A.T) + einsum('ap,qb->abpq', A + A.T, eye(n)) + einsum('aq,pb->abpq', A + A.T, eye(n))) / 4", "cookbook §2.5.2 ∂tr(XBX) = XBᵀ + BᵀX... projected twice onto the symmetric matrices (Srinivasan & Panda 2019)", wrt2="S", symmetric="frobenius"),
    _I("sym-trace-SAS-frobenius", "traces", "tr(S @ A @ S)", "S", SYM, "(S @ (A + A.T) + (A + A.T) @ S) / 2", "sym of cookbook §2.5.2 (Srinivasan & Panda 2019)", symmetric="frobenius"),
    _I("sym-trace-SAS-free", "traces", "tr(S @ A @ S)", "S", SYM, "S @ (A + A.T) + (A + A.T) @ S - (S @ (A + A.T)) * eye(n)", "cookbook §2.8.2 eq. (138): G + Gᵀ - G∘I with G = (AS + SA)ᵀ", symmetric="free"),
    _I("diag-quadratic", "forms", "x @ D @ x", "D", {"D": structured(("n", "n"), "diagonal"), "x": ("n",)}, "diag(x * x)", "cookbook §2.8.3 with §2.4.1's x xᵀ: its diagonal"),
    _I("sym-trace-expm-frobenius", "traces", "tr(expm(S))", "S", SYM, "expm(S)", "higham2008 §3.2 (f′(S)ᵀ = expm(S), already symmetric; Srinivasan & Panda 2019)", symmetric="frobenius", exact=False),
    _I("trace-A-expm", "traces", "tr(A @ expm(X))", "X", SQ, "expm_frechet(X.T, A.T)", "higham2008 §3.1-3.2: the adjoint of L_f(X) is L_f(Xᵀ), so ⟨Aᵀ, L_f(X, E)⟩ = ⟨L_f(Xᵀ, Aᵀ), E⟩", exact=False),
    _I("weighted-logm", "traces", "sum(A * logm(X))", "X", SQ, "logm_frechet(X.T, A)", "higham2008 §3.1 and ch. 11: ⟨A, L_log(X, E)⟩ = ⟨L_log(Xᵀ, A), E⟩", exact=False),
    _I("trace-A-sqrtm-B", "traces", "tr(A @ sqrtm(X) @ B)", "X", SQ, "sqrtm_frechet(X.T, (B @ A).T)", "higham2008 §3.1 and ch. 6: the VJP of sqrtm, G = (BA)ᵀ", exact=False),
    # rearranging: indexing, reshape, joining, maximum (issue 14); each is linear with a 0/1
    # factor, or piecewise (maximum), and e_k = eye(n)[k] is the k-th unit vector, from 0
    _I("column-select", "rearranging", "sum(X[:, 0] * y)", "X", {"X": ("m", "n"), "y": ("m",)}, "outer(y, eye(n)[0])", "X[:, k] = X e_k; cookbook §2.4.1 ∂(aᵀXb)/∂X = abᵀ with a = y, b = e_k"),
    _I("entry-select", "rearranging", "X[1, 2]", "X", {"X": (3, 4)}, "outer(eye(3)[1], eye(4)[2])", "cookbook: the single-entry matrix J¹² (∂X_ij/∂X = J^ij)"),
    _I("slice-squared", "rearranging", "sum(x[1:3] ** 2)", "x", {"x": ("n",)}, "2 * eye(n)[1:3].T @ x[1:3]", "x[1:3] = S x with S = I[1:3]; cookbook §2.4.2 with B = SᵀS"),
    _I("reverse-dot", "rearranging", "x[::-1] @ a", "x", {"x": ("n",), "a": ("n",)}, "a[::-1]", "reversal is a permutation P with Pᵀ = P"),
    _I("reshape-trace", "rearranging", "tr(reshape(x, (2, 2)) @ A)", "x", {"x": (4,), "A": (2, 2)}, "reshape(A.T, (4,))", "row-major reshape relabels entries: cookbook §2.5.1 ∂tr(XA)/∂X = Aᵀ, read back row by row"),
    _I("reshape-is-vec", "rearranging", "sum(reshape(X.T, (-1,)) * vec(A))", "X", {"X": (2, 3), "A": (2, 3)}, "A", "magnus: vec X stacks columns, so vec X = row-major reshape of Xᵀ"),
    _I("concatenate-block", "rearranging", "sum(concatenate([A, B], axis=1) * G)", "A", {"A": ("m", 2), "B": ("m", 1), "G": ("m", 3)}, "G[:, :2]", "a block's gradient is the matching block of the upstream gradient"),
    _I("stack-slice", "rearranging", "sum(stack([x, y]) * G)", "y", {"x": ("n",), "y": ("n",), "G": (2, "n")}, "G[1]", "stack along a new axis: the gradient of one part is its slice"),
    _I("maximum-sum", "rearranging", "sum(maximum(x, y))", "x", {"x": ("n",), "y": ("n",)}, "strict_step(x - y)", "∂max(a, b) = [a > b] ∂a + [b > a] ∂b, undefined at a tie (a subgradient there)"),
    _I("relu-as-maximum", "rearranging", "sum(maximum(x, 0) * a)", "x", {"x": ("n",), "a": ("n",)}, "a * step(x)", "relu(x) = max(x, 0): the same derivative away from 0"),
    _I("minimum-jacobian", "rearranging", "minimum(x, y)", "y", {"x": ("n",), "y": ("n",)}, "diag(strict_step(x - y))", "min(a, b) = −max(−a, −b): [b < a] on the diagonal"),
)  # fmt: skip


def by_name(name: str) -> Identity:
    """Return the catalogue entry with this name."""
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise KeyError(f"no catalogue entry {name!r}")
