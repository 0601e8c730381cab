"""The errata table of the four source texts, and the runner that checks it.

Every displayed formula of the sources that can be checked is an entry, whether it is right or
wrong, together with the prose slips a reader trips over (reused index letters, swapped words,
spelling, invalid code). The appendix page ``appendix-errata.md`` renders this table and runs
every check while the book builds; ``tests/book/test_errata.py`` runs the same checks in the test
suite.

An entry has a ``status``:

``"correct"``
    The formula is right as printed; its check (``printed``) must pass.
``"error"``
    The source prints something wrong; ``kind`` says what sort of slip it is and ``corrected``
    gives the right formula. A printed formula that has a check must FAIL it, and the
    correction must PASS; either surprise is an error of this table and stops the build.
``"garbled"``
    Only in the MIT notes, which reach us as text extracted from a PDF: the printed text is
    damage done by the extraction (broken escape sequences, runaway repetitions, entries pushed
    into a neighbouring column, labels fused into formulas), not a slip of the author.
    ``corrected`` is the formula the typeset notes evidently show; its check must pass.

Every entry has a check. An entry that states or implies something computable is checked by
computation; a slip of spelling or grammar (kind ``"typo"``) and extraction damage that only swaps
a letter, which say nothing about a number, are checked against the text itself: a ``Text`` check
confirms that the slip is really in the source as transcribed here.

``extraction_possible`` marks an error in the MIT notes that is a well-formed formula (so it is
counted as the notes' own error) but that an extraction slip could also explain.

A computed check is one of three kinds, each with a ``printed`` and/or a ``corrected`` part:

``Derivative``
    expression strings in matderiv's language, compared by :func:`matderiv.check_derivative`
    in the given layout (``"mit"`` is the MIT notes' own convention).
``Identity``
    a left side and right sides, compared by :func:`matderiv.check_identity`.
``Snippet``
    Python code that defines ``printed()`` and/or ``corrected()``; each raises
    ``AssertionError`` when its claim is false. The code sees ``np``, ``md``, a seeded ``rng``,
    ``close(a, b, what)`` (an assertion on arrays) and ``deriv(expr, wrt, shapes,
    layout="tensor")``, which returns a derivative evaluated at seeded random inputs together
    with those inputs.

A ``Text`` check reads the source text file (``../shared/sources`` beside the repository, as in
CI; the environment variable ``MATDERIV_SOURCES`` may point elsewhere). Its ``found`` wordings
must occur in the source, its ``unique`` wordings exactly once, and its ``absent`` wordings not
at all (whole words, case-sensitive, after straightening curly apostrophes and collapsing runs
of spaces). The printed slip is kept to a few words. The source texts are not part of the
repository, so a book built without them cannot run these checks: :func:`run_check` then reports
that the test suite checks the entry against the source, instead of failing.

This module is data plus a small runner; it imports matderiv only when a check runs. Its lines
hold formulas as printed, so the line-length rule is waived for this file.
"""

# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = (
    "sign",
    "transpose",
    "summation limit",
    "index",
    "shape",
    "notation",
    "code",
    "typo",
    "wording",
)
STATUSES = ("correct", "error", "garbled")
SOURCES = {
    "zou": "Yuze Zou, 向量, 矩阵与张量梯度的理论推导 (blog post)",
    "umass": "UMass Amherst, Vector, Matrix and Tensor Derivatives (slides)",
    "cv": "Cross Validated, deriving dL/dW for Y = XW + B with row vectors (question and answers)",
    "mit6390": "Shaunticlair Ruiz, Explanatory Notes for 6.3900, appendix A (MIT)",
}
PREFIX = {"zou": "Z", "umass": "U", "cv": "C", "mit6390": "M"}


@dataclass(frozen=True)
class Derivative:
    """Check a claimed derivative of ``f`` by ``wrt`` with :func:`matderiv.check_derivative`."""

    f: str
    wrt: str
    shapes: dict[str, tuple]
    printed: str | None = None
    corrected: str | None = None
    layout: str = "tensor"


@dataclass(frozen=True)
class Identity:
    """Check ``lhs == printed`` and/or ``lhs == corrected`` with :func:`matderiv.check_identity`."""

    lhs: str
    shapes: dict[str, tuple]
    printed: str | None = None
    corrected: str | None = None


@dataclass(frozen=True)
class Snippet:
    """Python code defining ``printed()`` and/or ``corrected()``, each raising on a false claim."""

    code: str

    @property
    def printed(self) -> bool:
        return "def printed(" in self.code

    @property
    def corrected(self) -> bool:
        return "def corrected(" in self.code


@dataclass(frozen=True)
class Text:
    """Check that a slip of wording is transcribed faithfully, against the source text itself.

    ``found``: wordings that occur in the source; ``unique``: wordings that occur exactly once;
    ``absent``: wordings that do not occur (typically the corrected wording).
    """

    found: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    absent_means: str = "the corrected wording"  # how the verdict names the absent wordings


Check = Derivative | Identity | Snippet | Text

#: The source text files, in ``../shared/sources`` beside the repository.
SOURCE_FILES = {
    "zou": "000_7b2a9bec1a46f122.txt",
    "umass": "001_52de0b8efba893a3.txt",
    "cv": "002_f6152749f9431582.txt",
    "mit6390": "003_4c39806f7bc5f32f.txt",
}


@dataclass(frozen=True)
class Erratum:
    source: str
    location: str
    printed: str  # the formula or phrase as printed (LaTeX between $ $, or text)
    status: str
    note: str  # one line: what is right or wrong about it
    corrected: str | None = None
    kind: str | None = None
    check: Check | None = None
    extraction_possible: bool = False
    id: str = field(default="", compare=False)


def _e(*args: Any, **kwargs: Any) -> Erratum:
    return Erratum(*args, **kwargs)


# ------------------------------------------------------------------------------------------------
# Yuze Zou's blog post (Chinese).
# ------------------------------------------------------------------------------------------------
_ZOU_SHAPES = {"X": (4, 3), "W": (3, 2), "Y": (4, 2)}

ZOU = [
    _e(
        "zou",
        "front matter",
        "key: rl-target-magnitude",
        "error",
        "The page key belongs to another post (a copy-paste leftover); readers of the rendered "
        "page never see it.",
        corrected="a key of its own",
        kind="typo",
        check=Text(
            unique=("key: rl-target-magnitude",),
            absent=("强化学习", "reinforcement", "Reinforcement"),
            absent_means="any mention of reinforcement learning",
        ),
    ),
    _e(
        "zou",
        "§例子, loss and §结合",
        r"$L=\sum_b\sum_m(\tilde y_{b,m}-y_{b,m})^2$, then $\pd{L}{w_{n,m}}$",
        "error",
        "The summed index m of the loss is reused as the fixed column index of w; "
        "differentiating by w_{n,m} then needs a fresh letter in the sum.",
        corrected=r"$L=\sum_a\sum_c(\tilde y_{a,c}-y_{a,c})^2$",
        kind="notation",
        check=Snippet(
            "D, at = deriv('sum((X @ W - Y)**2)', 'W', {'X': (4, 3), 'W': (3, 2), 'Y': (4, 2)})\n"
            "X, R = at['X'], at['X'] @ at['W'] - at['Y']\n"
            "L = np.sum(R**2)\n"
            "n, m = 2, 1                                      # differentiate by w_{n,m}\n"
            "def printed():\n"
            "    # with m bound to the weight's column, Σ_m is no sum: only column m is left\n"
            "    close(sum(R[b, m]**2 for b in range(4)), L, 'Σ_b Σ_m (ỹ_bm - y_bm)² with m fixed against L')\n"
            "def corrected():\n"
            "    close(sum(R[a, c]**2 for a in range(4) for c in range(2)), L, 'Σ_a Σ_c (ỹ_ac - y_ac)² against L')\n"
            "    close(sum(2 * R[a, m] * X[a, n] for a in range(4)), D[n, m], '∂L/∂w_nm')\n"
        ),
    ),
    _e(
        "zou",
        "§例子, chain rule",
        r"$\pd{L}{w_{n,m}}=\pd{L}{\tilde Y}\,\pd{\tilde Y}{w_{n,m}}$",
        "correct",
        "Both factors are B×M; the juxtaposition means the sum of their entrywise products "
        "(the post says so), not a matrix product.",
        check=Snippet(
            "Dw, at = deriv('sum((X @ W - Y)**2)', 'W', {'X': (4, 3), 'W': (3, 2), 'Y': (4, 2)})\n"
            "X, W, Y = at['X'], at['W'], at['Y']\n"
            "G = 2 * (X @ W - Y)\n"
            "def printed():\n"
            "    for n in range(3):\n"
            "        for m in range(2):\n"
            "            E = np.zeros((4, 2)); E[:, m] = X[:, n]      # ∂Ỹ/∂w_nm\n"
            "            close(np.sum(G * E), Dw[n, m], f'∂L/∂w_{n}{m}')\n"
        ),
    ),
    _e(
        "zou",
        "§第一项",
        r"$\pd{L}{\tilde y_{i,j}}=2(\tilde y_{i,j}-y_{i,j})$, "
        r"$\pd{L}{\tilde Y}=2(\tilde Y-Y)$",
        "correct",
        "The element formula and its matrix form.",
        check=Derivative(
            "sum((Yt - Y)**2)", "Yt", {"Yt": (4, 2), "Y": (4, 2)}, printed="2 * (Yt - Y)"
        ),
    ),
    _e(
        "zou",
        "§第二项, element form",
        r"$\pd{\tilde y_{i,j}}{w_{n,m}}=x_{i,n}$ if $j=m$, else $0$",
        "correct",
        "In the library's letters: D[i,j,p,q] = X[i,p] δ[j,q].",
        check=Derivative("X @ W", "W", _ZOU_SHAPES, printed="einsum('ip,jq->ijpq', X, eye(2))"),
    ),
    _e(
        "zou",
        "§第二项, matrix form",
        r"$\pd{\tilde Y}{w_{n,m}}=[\,0\;\cdots\;X_{:,n}\;\cdots\;0\,]$, the column in place $m$",
        "correct",
        "A B×M matrix whose only non-zero column is column n of X, in position m.",
        check=Snippet(
            "D, at = deriv('X @ W', 'W', {'X': (4, 3), 'W': (3, 2)})\n"
            "def printed():\n"
            "    for n in range(3):\n"
            "        for m in range(2):\n"
            "            E = np.zeros((4, 2)); E[:, m] = at['X'][:, n]\n"
            "            close(D[:, :, n, m], E, f'∂Ỹ/∂w_{n}{m}')\n"
        ),
    ),
    _e(
        "zou",
        "§结合, first line",
        r"$\pd{L}{w_{n,m}}=\sum_i\sum_j 2(\tilde Y-Y)\circ[\cdots]$",
        "error",
        "The indices i, j of the double sum are attached to nothing: the sum is over the entries "
        "of the Hadamard product, which needs an (i, j) subscript.",
        corrected=r"$\sum_i\sum_j\big[2(\tilde Y-Y)\circ\pd{\tilde Y}{w_{n,m}}\big]_{i,j}$",
        kind="notation",
        check=Snippet(
            "D, at = deriv('sum((X @ W - Y)**2)', 'W', {'X': (4, 3), 'W': (3, 2), 'Y': (4, 2)})\n"
            "G = 2 * (at['X'] @ at['W'] - at['Y'])\n"
            "n, m = 2, 1\n"
            "E = np.zeros((4, 2)); E[:, m] = at['X'][:, n]     # ∂Ỹ/∂w_nm\n"
            "def printed():\n"
            "    # no (i, j) on the summand: each of the B·M terms is the whole matrix\n"
            "    close(sum(G * E for i in range(4) for j in range(2)), D[n, m], 'Σ_i Σ_j 2(Ỹ-Y)∘[…] without a subscript')\n"
            "def corrected():\n"
            "    close(sum((G * E)[i, j] for i in range(4) for j in range(2)), D[n, m], 'Σ_i Σ_j [2(Ỹ-Y)∘∂Ỹ/∂w_nm]_ij')\n"
        ),
    ),
    _e(
        "zou",
        "§结合, second and third lines",
        r"$=2\sum_{i=1}^B x_{i,n}(\tilde y_{i,m}-y_{i,m})=X_n^\T\cdot 2(\tilde Y-Y)_m$",
        "correct",
        "Column n of X against column m of the residual.",
        check=Snippet(
            "Dw, at = deriv('sum((X @ W - Y)**2)', 'W', {'X': (4, 3), 'W': (3, 2), 'Y': (4, 2)})\n"
            "R = at['X'] @ at['W'] - at['Y']\n"
            "def printed():\n"
            "    for n in range(3):\n"
            "        for m in range(2):\n"
            "            close(at['X'][:, n] @ (2 * R[:, m]), Dw[n, m], f'∂L/∂w_{n}{m}')\n"
        ),
    ),
    _e(
        "zou",
        "§结合, result",
        r"$\pd{L}{W}=X^\T\cdot 2(\tilde Y-Y)=X^\T\pd{L}{\tilde Y}$",
        "correct",
        "The gradient of the layer's loss.",
        check=Derivative(
            "sum((X @ W - Y)**2)", "W", _ZOU_SHAPES, printed="X.T @ (2 * (X @ W - Y))"
        ),
    ),
    _e(
        "zou",
        "小结 (summary rule)",
        r"$C=AB\Rightarrow\pd{f}{B}=A^\T\pd{f}{C}$",
        "correct",
        "Checked with f(C) = Σ sin(C_ij), so ∂f/∂C = cos(C).",
        check=Derivative(
            "sum(sin(A @ B))", "B", {"A": (4, 3), "B": (3, 2)}, printed="A.T @ cos(A @ B)"
        ),
    ),
]

# ------------------------------------------------------------------------------------------------
# UMass Amherst slides.
# ------------------------------------------------------------------------------------------------
_WXB = {"W": (3, 4), "x": (4,), "b": (3,)}
_SIG = "sigmoid(W @ x + b)"
_DSIG = f"{_SIG} * (1 - {_SIG})"

UMASS = [
    _e(
        "umass",
        "title slide",
        "Wait its all scalar derivatives?",
        "error",
        "Missing apostrophe.",
        corrected="Wait, it's all scalar derivatives?",
        kind="typo",
        check=Text(found=("Wait its all",), absent=("it's all",)),
    ),
    _e(
        "umass",
        "Overview slide",
        "Kronocker delta function",
        "error",
        "Misspelled name.",
        corrected="Kronecker delta function",
        kind="typo",
        # the slides spell the name right on later slides, so the slip is one of transcription
        check=Text(unique=("Kronocker delta",), found=("Kronecker delta",)),
    ),
    _e(
        "umass",
        "Scalar derivatives",
        r"$\pd{L}{W}=\big[\pd{L}{W_{ij}}\big]$, an $n\times m$ array like $W$",
        "correct",
        "A scalar's derivative by a matrix has the matrix's shape. Checked with L = Σ C ⊙ W.",
        check=Derivative("sum(C * W)", "W", {"C": (3, 4), "W": (3, 4)}, printed="C"),
    ),
    _e(
        "umass",
        "Scalar derivatives",
        r"$h=\sigma(Wx+b)$: $\pd{h}{W}$ has ndim 3",
        "correct",
        "One axis for h, two for W.",
        check=Snippet(
            "D, _ = deriv('sigmoid(W @ x + b)', 'W', {'W': (3, 4), 'x': (4,), 'b': (3,)})\n"
            "def printed():\n"
            "    assert D.ndim == 3, f'ndim is {D.ndim}'\n"
        ),
    ),
    _e(
        "umass",
        "Rewriting matrix equations in scalars",
        r"$y_i=\sum_j W_{ij}x_j+b_i$",
        "correct",
        "The element formula of y = Wx + b.",
        check=Identity("W @ x + b", _WXB, printed="einsum('ij,j->i', W, x) + b"),
    ),
    _e(
        "umass",
        "Rewriting matrix equations in scalars",
        r"$\pd{y_i}{W_{jk}}$ next to $y_i=\sum_j W_{ij}x_j+b_i$",
        "error",
        "j is the fixed row of W_jk and also the summed index on the same slide; the later "
        "'Don't repeat indices!' slide renames the sum to l.",
        corrected=r"$y_i=\sum_l W_{il}x_l+b_i$",
        kind="notation",
        check=Snippet(
            "D, at = deriv('W @ x + b', 'W', {'W': (3, 4), 'x': (4,), 'b': (3,)})   # D[i, j, k] = ∂y_i/∂W_jk\n"
            "W, x, b = at['W'], at['x'], at['b']\n"
            "y = W @ x + b\n"
            "def printed():\n"
            "    # j is the fixed row of W_jk, so Σ_j has nothing to run over: y_i = W_ij x_j + b_i\n"
            "    for i, j in [(0, 1), (2, 2)]:\n"
            "        close(W[i, j] * x[j] + b[i], y[i], f'y_{i} with j = {j} fixed')\n"
            "def corrected():\n"
            "    close(np.array([sum(W[i, l] * x[l] for l in range(4)) + b[i] for i in range(3)]), y, 'Σ_l W_il x_l + b_i')\n"
            "    close(D, np.einsum('ij,k->ijk', np.eye(3), x), '∂y_i/∂W_jk against δ_ij x_k')\n"
        ),
    ),
    _e(
        "umass",
        "Chain rule",
        r"$\pd{f}{W_{ij}}=\sum_{k=1}^n\pd{f}{x_k}\frac{x_k}{W_{ij}}$",
        "error",
        "The second factor lost its ∂ signs: it reads as the ratio x_k / W_ij. Checked on "
        "f = Σ sin(x_k) with x = Wc, where the chain rule gives cos(x_i) c_j.",
        corrected=r"$\pd{f}{W_{ij}}=\sum_{k=1}^n\pd{f}{x_k}\pd{x_k}{W_{ij}}$",
        kind="notation",
        check=Derivative(
            "sum(sin(W @ c))", "W", {"W": (3, 4), "c": (4,)}, corrected="outer(cos(W @ c), c)"
        ),
    ),
    _e(
        "umass",
        "Remove nested equations",
        r"$f=\lVert Ax\rVert^2$, $\pd{f}{x_i}=\sum_k\pd{f}{y_k}\pd{y_k}{x_i}$, $y=Ax$",
        "correct",
        "The chain rule through y = Ax; summed over all k, it gives the gradient below.",
        check=Derivative(
            "sum((A @ x)**2)",
            "x",
            {"A": (3, 4), "x": (4,)},
            printed="einsum('k,ki->i', 2 * (A @ x), A)",
        ),
    ),
    _e(
        "umass",
        "Chain rule example",
        r"$\pd{f}{x_l}=\sum_a 2y_aA_{al}=2A^\T y$",
        "correct",
        "The gradient of the squared norm of Ax.",
        check=Derivative(
            "sum((A @ x)**2)", "x", {"A": (3, 4), "x": (4,)}, printed="2 * A.T @ (A @ x)"
        ),
    ),
    _e(
        "umass",
        "Chain rule example, ∂f/∂y_a",
        r"$\sum_k 2y_k\pd{y_k}{y_a}=2y_a\delta_{ka}$",
        "error",
        "After the sum over k the delta must be gone: the printed right side still carries the "
        "free index k, so it is a matrix, not the vector 2y.",
        corrected=r"$\sum_k 2y_k\delta_{ka}=2y_a$",
        kind="index",
        check=Snippet(
            "y = rng.normal(size=4); I = np.eye(4)\n"
            "lhs = np.einsum('k,ka->a', 2 * y, I)           # Σ_k 2 y_k δ_ka\n"
            "def printed():\n"
            "    close(lhs, np.einsum('a,ka->ka', 2 * y, I), 'Σ_k 2y_k δ_ka against 2y_a δ_ka')\n"
            "def corrected():\n"
            "    close(lhs, 2 * y, 'Σ_k 2y_k δ_ka against 2y_a')\n"
        ),
    ),
    _e(
        "umass",
        "Chain rule example, ∂y_a/∂x_l",
        r"$\pd{y_a}{x_l}=\sum_jA_{aj}\delta_{jl}=A_{al}$",
        "correct",
        "The Jacobian of Ax is A.",
        check=Derivative("A @ x", "x", {"A": (3, 4), "x": (4,)}, printed="A"),
    ),
    _e(
        "umass",
        "Caution: Don't repeat indices!",
        r"$\pd{y_i}{W_{jk}}=\pd{}{W_{jk}}\big(\sum_lW_{il}x_l+b_i\big)$",
        "correct",
        "With a fresh summed letter the result is δ_ij x_k.",
        check=Derivative("W @ x + b", "W", _WXB, printed="einsum('ij,k->ijk', eye(3), x)"),
    ),
    _e(
        "umass",
        "Kronecker delta function",
        r"$\pd{y_a}{y_k}=\delta_{ak}$",
        "correct",
        "The derivative of a vector by itself is the identity.",
        check=Derivative("y", "y", {"y": (4,)}, printed="eye(4)"),
    ),
    _e(
        "umass",
        "Kronecker delta function",
        r"$I=[\delta_{ij}]=\begin{bmatrix}1&0&0\\0&1&0\\\vdots&\vdots&\vdots\\0&0&1\end{bmatrix}$",
        "error",
        "[δ_ij] is n×n, but the explicit matrix has three columns and n rows.",
        corrected=r"$I=\begin{bmatrix}1&0&\cdots&0\\0&1&\cdots&0\\\vdots&&\ddots&\vdots\\0&0&\cdots&1\end{bmatrix}$",
        kind="shape",
        check=Snippet(
            "n = 5\n"
            "delta = np.array([[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)])   # [δ_ij]\n"
            "D, _ = deriv('y', 'y', {'y': (n,)})                                              # ∂y_i/∂y_j\n"
            "def printed():\n"
            "    drawn = np.vstack([np.eye(3)[:2], np.zeros((n - 3, 3)), np.eye(3)[2:]])       # n rows, 3 columns\n"
            "    close(drawn, delta, 'the drawn matrix against [δ_ij]')\n"
            "def corrected():\n"
            "    assert np.eye(n).shape == (n, n)\n"
            "    close(np.eye(n), delta, 'I against [δ_ij]')\n"
            "    close(D, delta, '∂y_i/∂y_j against δ_ij')\n"
        ),
    ),
    _e(
        "umass",
        "Kronecker delta function",
        r"$\pd{W_{ij}}{W_{ab}}=\delta_{ia}\delta_{jb}$",
        "correct",
        "The derivative of a matrix by itself.",
        check=Derivative("W", "W", {"W": (3, 4)}, printed="einsum('ia,jb->ijab', eye(3), eye(4))"),
    ),
    _e(
        "umass",
        "Kronecker delta function (sifting)",
        r"$\sum_k\gamma_k\delta_{ak}=\gamma_1\delta_{a1}+\dots+\gamma_a\delta_{aa}+\dots+\gamma_n\delta_{an}=\gamma_a$",
        "correct",
        "The delta picks out one term.",
        check=Identity("einsum('k,ak->a', g, eye(5))", {"g": (5,)}, printed="g"),
    ),
    _e(
        "umass",
        "Kronecker delta function (double sum)",
        r"$\sum_i\sum_j\gamma_i\gamma_j\delta_{ij}=\sum_i\gamma_i\gamma_i$",
        "correct",
        "The delta removes one of the two sums.",
        check=Identity("einsum('i,j,ij->', g, g, eye(5))", {"g": (5,)}, printed="sum(g * g)"),
    ),
    _e(
        "umass",
        "Example 1, first line",
        r"$\sum_r\delta_{il}\delta_{rj}=\delta_{ij}$",
        "error",
        "The first delta must carry the summed r. As printed, Σ_r δ_il δ_rj = δ_il, which depends "
        "on l and not on j.",
        corrected=r"$\sum_r\delta_{ir}\delta_{rj}=\delta_{ij}$",
        kind="index",
        check=Snippet(
            "I = np.eye(4)\n"
            "def printed():\n"
            "    lhs = np.einsum('il,rj->ilj', I, I)          # Σ_r δ_il δ_rj, free i, l, j\n"
            "    close(lhs, np.einsum('ij,l->ilj', I, np.ones(4)), 'Σ_r δ_il δ_rj against δ_ij')\n"
            "def corrected():\n"
            "    close(np.einsum('ir,rj->ij', I, I), I, 'Σ_r δ_ir δ_rj against δ_ij')\n"
        ),
    ),
    _e(
        "umass",
        "Example 1",
        r"$\pd{h}{W}=\pd{h_i}{W_{jk}}$",
        "error",
        "A 3-axis array is set equal to one of its entries; the array is the collection of them.",
        corrected=r"$\pd{h}{W}=\Big[\pd{h_i}{W_{jk}}\Big]_{ijk}$",
        kind="notation",
        check=Snippet(
            "D, at = deriv('sigmoid(W @ x + b)', 'W', {'W': (3, 4), 'x': (4,), 'b': (3,)})\n"
            "h = 1 / (1 + np.exp(-(at['W'] @ at['x'] + at['b'])))\n"
            "ds, x = h * (1 - h), at['x']\n"
            "def printed():\n"
            "    i, j, k = 1, 1, 2\n"
            "    close(D[i, j, k], D, 'one entry ∂h_i/∂W_jk against the array ∂h/∂W')\n"
            "def corrected():\n"
            "    entries = np.array([[[ds[i] * (i == j) * x[k] for k in range(4)] for j in range(3)] for i in range(3)])\n"
            "    close(entries, D, '[∂h_i/∂W_jk]_ijk against ∂h/∂W')\n"
        ),
    ),
    _e(
        "umass",
        "Example 1",
        r"$y_i=\sum_jW_{ij}X_j+b_i$ (and $X_k$, $X_a$ below)",
        "error",
        "The vector x becomes a capital X for the rest of the example, and the summed j is again "
        "the j of ∂h_i/∂W_jk (the slides' own caution).",
        corrected=r"$y_i=\sum_aW_{ia}x_a+b_i$",
        kind="notation",
        check=Snippet(
            "D, at = deriv('sigmoid(W @ x + b)', 'W', {'W': (3, 4), 'x': (4,), 'b': (3,)})\n"
            "W, x, b = at['W'], at['x'], at['b']\n"
            "y = W @ x + b\n"
            "ds = np.exp(-y) / (1 + np.exp(-y))**2                 # σ'(y)\n"
            "def printed():\n"
            "    # the j of ∂h_i/∂W_jk is fixed, so Σ_j W_ij x_j collapses to one term\n"
            "    for i, j in [(0, 1), (2, 2)]:\n"
            "        close(W[i, j] * x[j] + b[i], y[i], f'y_{i} with j = {j} fixed')\n"
            "def corrected():\n"
            "    close(np.array([sum(W[i, a] * x[a] for a in range(4)) + b[i] for i in range(3)]), y, 'Σ_a W_ia x_a + b_i')\n"
            "    close(D, np.einsum('i,ij,k->ijk', ds, np.eye(3), x), '∂h_i/∂W_jk against σ′(y_i) δ_ij x_k')\n"
        ),
    ),
    _e(
        "umass",
        "Example 1, result",
        r"$\pd{h_i}{W_{jk}}=\sum_e\pd{\sigma}{y_i}\delta_{ie}\delta_{ej}X_k=\pd{\sigma}{y_i}\delta_{ij}X_k$",
        "correct",
        "σ′(y_i) δ_ij x_k; ∂σ/∂y_i stands for σ′(y_i).",
        check=Derivative(_SIG, "W", _WXB, printed=f"einsum('i,ij,k->ijk', {_DSIG}, eye(3), x)"),
    ),
    _e(
        "umass",
        "Example 1, ∂h/∂y",
        r"$\pd{h_i}{y_e}=\pd{\sigma}{y_i}\pd{y_i}{y_e}=\pd{\sigma}{y_i}\delta_{ie}$",
        "correct",
        "An elementwise function has a diagonal Jacobian.",
        check=Derivative(
            "sigmoid(y)", "y", {"y": (4,)}, printed="diag(sigmoid(y) * (1 - sigmoid(y)))"
        ),
    ),
    _e(
        "umass",
        "Example 1, ∂y/∂W",
        r"$\pd{y_e}{W_{jk}}=\sum_a\delta_{ej}\delta_{ak}X_a=\delta_{ej}X_k$",
        "correct",
        "The same as the caution slide, with e for i.",
        check=Derivative("W @ x + b", "W", _WXB, printed="einsum('ej,k->ejk', eye(3), x)"),
    ),
    _e(
        "umass",
        "Example 2",
        r"$y(\theta)=(Ax(\theta))(Bx(\theta))^T$",
        "error",
        "The outer product is the matrix Y of the next lines, not a vector y.",
        corrected=r"$Y(\theta)=(Ax(\theta))(Bx(\theta))^\T$",
        kind="notation",
        check=Snippet(
            "A, B, x = rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=4)\n"
            "Y = np.outer(A @ x, B @ x)\n"
            "def printed():\n"
            "    assert Y.ndim == 1, f'(Ax)(Bx)ᵀ has shape {Y.shape}: a matrix, not a vector y'\n"
            "def corrected():\n"
            "    assert Y.shape == (3, 2), Y.shape\n"
            "    close(Y, (A @ x)[:, None] @ (B @ x)[None, :], 'Y = (Ax)(Bx)ᵀ')\n"
        ),
    ),
    _e(
        "umass",
        "Example 2",
        r"$\pd{Y_{ij}}{\theta}=\sum_k\Big[\pd{Y_{ij}}{p_k}\pd{p_k}{\theta}+\pd{Y_{ij}}{q_k}\pd{q_k}{\theta}\Big]$",
        "error",
        "One sum for both terms assumes p and q have the same length; with A of r rows and B of "
        "s rows the two sums have different limits. The result below is right either way.",
        corrected=r"$\sum_{k=1}^{r}\pd{Y_{ij}}{p_k}\pd{p_k}{\theta}+\sum_{k=1}^{s}\pd{Y_{ij}}{q_k}\pd{q_k}{\theta}$",
        kind="summation limit",
        check=Snippet(
            "S = {'A': (3, 4), 'B': (2, 4), 'c': (4,), 't': ()}   # x(θ) = sin(θc); p = Ax has r = 3 entries, q = Bx has s = 2\n"
            "D, at = deriv('outer(A @ sin(t * c), B @ sin(t * c))', 't', S)   # D[i, j] = ∂Y_ij/∂θ\n"
            "A, B, c, t = at['A'], at['B'], at['c'], at['t']\n"
            "p, q = A @ np.sin(t * c), B @ np.sin(t * c)\n"
            "dp, dq = A @ (c * np.cos(t * c)), B @ (c * np.cos(t * c))        # ∂p_k/∂θ, ∂q_k/∂θ\n"
            "PQ = {'p': (3,), 'q': (2,)}\n"
            "Dp = md.derive('outer(p, q)', 'p', shapes=PQ).evaluate({'p': p, 'q': q})   # [i, j, k] = ∂Y_ij/∂p_k\n"
            "Dq = md.derive('outer(p, q)', 'q', shapes=PQ).evaluate({'p': p, 'q': q})   # [i, j, k] = ∂Y_ij/∂q_k\n"
            "def printed():\n"
            "    problems = []\n"
            "    for K in (3, 2):                                   # one limit for both sums: r or s\n"
            "        if K > len(q):\n"
            "            problems.append(f'Σ_k to {K} runs past q, which has {len(q)} entries')\n"
            "            continue\n"
            "        try:\n"
            "            close(sum(Dp[:, :, k] * dp[k] + Dq[:, :, k] * dq[k] for k in range(K)), D, f'one Σ_k to {K}')\n"
            "            return\n"
            "        except AssertionError as e:\n"
            "            problems.append(str(e))\n"
            "    raise AssertionError('; '.join(problems))\n"
            "def corrected():\n"
            "    got = sum(Dp[:, :, k] * dp[k] for k in range(3)) + sum(Dq[:, :, k] * dq[k] for k in range(2))\n"
            "    close(got, D, 'Σ_{k≤r} ∂Y_ij/∂p_k ∂p_k/∂θ + Σ_{k≤s} ∂Y_ij/∂q_k ∂q_k/∂θ')\n"
        ),
    ),
    _e(
        "umass",
        "Example 2",
        r"$\pd{Y_{ij}}{p_k}=\delta_{ik}q_j$, $\pd{Y_{ij}}{q_k}=\delta_{jk}p_i$",
        "correct",
        "The two partial derivatives of an outer product.",
        check=Derivative(
            "outer(p, q)", "p", {"p": (3,), "q": (2,)}, printed="einsum('ik,j->ijk', eye(3), q)"
        ),
    ),
    _e(
        "umass",
        "Example 2, result",
        r"$\pd{Y_{ij}}{\theta}=q_j\sum_uA_{iu}\pd{x_u}{\theta}+p_i\sum_vB_{jv}\pd{x_v}{\theta}$",
        "correct",
        "Checked with x(θ) = sin(θc).",
        check=Derivative(
            "outer(A @ sin(t * c), B @ sin(t * c))",
            "t",
            {"A": (3, 4), "B": (2, 4), "c": (4,), "t": ()},
            printed="outer(A @ (c * cos(t * c)), B @ sin(t * c)) + outer(A @ sin(t * c), B @ (c * cos(t * c)))",
        ),
    ),
    _e(
        "umass",
        "Example 3",
        r"$\pd{\tr W}{W_{jk}}=\sum_i\delta_{ij}\delta_{ik}=\delta_{jk}$",
        "correct",
        "The gradient of the trace is the identity.",
        check=Derivative("trace(W)", "W", {"W": (4, 4)}, printed="eye(4)"),
    ),
    _e(
        "umass",
        "Implementation with einsum",
        r"$y=ABx$: $y_i=\sum_jA_{ij}\sum_kB_{jk}x_k\Rightarrow A_{ij}B_{jk}x_k=y_i$",
        "correct",
        "Einstein's convention drops the sums over repeated indices.",
        check=Identity(
            "A @ B @ x",
            {"A": (3, 4), "B": (4, 5), "x": (5,)},
            printed="einsum('ij,jk,k->i', A, B, x)",
        ),
    ),
    _e(
        "umass",
        "Implementation with einsum",
        '`np.einsum("ij, jk, k → i", A, B, x)`',
        "correct",
        "Right once the arrow is typed as -> (the slide shows it typeset); numpy ignores the "
        "spaces.",
        check=Snippet(
            "A, B, x = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)\n"
            "def printed():\n"
            "    close(np.einsum('ij, jk, k -> i', A, B, x), A @ B @ x, 'einsum against A @ B @ x')\n"
        ),
    ),
    _e(
        "umass",
        "einops",
        '`rearrange("(h 2)(w 2) c -> h w (c 4)", X)`',
        "error",
        "Invalid: the tensor comes first and the pattern second, and rearrange rejects the "
        "anonymous axes 2 and 4 ('Non-unitary anonymous axes are not supported'); name them and "
        "give their sizes. The check runs the numpy equivalent (2×2 space-to-depth).",
        corrected='`rearrange(X, "(h h2) (w w2) c -> h w (c h2 w2)", h2=2, w2=2)`',
        kind="code",
        check=Snippet(
            "H, W, C = 3, 5, 2\n"
            "X = rng.normal(size=(2 * H, 2 * W, C))\n"
            "def corrected():\n"
            "    out = X.reshape(H, 2, W, 2, C).transpose(0, 2, 4, 1, 3).reshape(H, W, 4 * C)\n"
            "    assert out.shape == (H, W, 4 * C), out.shape\n"
            "    for h, w, c, h2, w2 in [(0, 0, 0, 0, 0), (1, 3, 1, 1, 0), (2, 4, 1, 1, 1)]:\n"
            "        close(out[h, w, c * 4 + h2 * 2 + w2], X[2 * h + h2, 2 * w + w2, c], 'space-to-depth entry')\n"
        ),
    ),
    _e(
        "umass",
        "Einsum example 2",
        r"$L=\sum_i\sum_j\tr(X^{(i)T}X^{(j)})=\sum_i\sum_j\sum_k\sum_lX^{(i)}_{lk}X^{(j)}_{lk}$",
        "correct",
        "The trace of a product of two n×m matrices, summed over all pairs.",
        check=Snippet(
            "X = rng.normal(size=(3, 4, 2))                  # k = 3 matrices, each 4×2\n"
            "def printed():\n"
            "    L = sum(np.trace(X[i].T @ X[j]) for i in range(3) for j in range(3))\n"
            "    close(np.einsum('ilk,jlk->', X, X), L, 'quadruple sum against the traces')\n"
        ),
    ),
    _e(
        "umass",
        "Einsum example 2",
        r"$i=1,\dots,k$ and $\sum_k(X^{(i)T}X^{(j)})_{kk}$",
        "error",
        "k is both the number of matrices and a summed index.",
        corrected=r"$i=1,\dots,K$ and $\sum_k(X^{(i)T}X^{(j)})_{kk}$",
        kind="notation",
        check=Snippet(
            "X = rng.normal(size=(2, 4, 3))                       # K = 2 matrices, each 4×3\n"
            "K = X.shape[0]\n"
            "L = sum(np.trace(X[i].T @ X[j]) for i in range(K) for j in range(K))\n"
            "def printed():\n"
            "    # k is the number of matrices, so (·)_kk is one fixed diagonal entry, not a sum\n"
            "    k = K - 1                                        # the K-th entry, counted from 0\n"
            "    close(sum((X[i].T @ X[j])[k, k] for i in range(K) for j in range(K)), L, 'Σ_i Σ_j (X⁽ⁱ⁾ᵀX⁽ʲ⁾)_kk with k = K')\n"
            "def corrected():\n"
            "    close(sum((X[i].T @ X[j])[k, k] for i in range(K) for j in range(K) for k in range(3)), L, 'Σ_i Σ_j Σ_k (X⁽ⁱ⁾ᵀX⁽ʲ⁾)_kk')\n"
        ),
    ),
    _e(
        "umass",
        "Einsum example 2",
        '`L = np.einsum("ilk,jlk->", X, X)`',
        "correct",
        "Right when the k matrices are stacked on the first axis (X.shape = (k, n, m)), as the "
        "slide's note says.",
        check=Snippet(
            "X = rng.normal(size=(3, 4, 2))\n"
            "def printed():\n"
            "    S = X.sum(axis=0)\n"
            "    close(np.einsum('ilk,jlk->', X, X), np.sum(S * S), 'einsum against ‖Σ_i X_i‖²')\n"
        ),
    ),
]

# ------------------------------------------------------------------------------------------------
# The Cross Validated question (Y = XW + B with row vectors) and its answers.
# ------------------------------------------------------------------------------------------------
_CV = {"X": (1, 3), "W": (3, 2), "B": (1, 2)}
_CV_SETUP = (
    "DY, at = deriv('X @ W + B', 'W', {'X': (1, 3), 'W': (3, 2), 'B': (1, 2)})   # (1, 2, 3, 2)\n"
    "x = at['X'][0]\n"
    "LY = rng.normal(size=2)                      # ∂L/∂y_0, ∂L/∂y_1 of any loss\n"
    "G = np.einsum('k,kpq->pq', LY, DY[0])        # ∂L/∂w_pq in W's shape (3×2)\n"
)

CV = [
    _e(
        "cv",
        "question, parenthesis",
        "… numerator layout, dY/dL is a column …",
        "error",
        "Numerator and denominator are swapped: the derivative the question needs is dL/dY, which "
        "numerator layout makes a row vector (and the derivation uses it as a row).",
        corrected="for numerator layout, dL/dY is a row vector",
        kind="wording",
        check=Snippet(
            "d = md.derive('sum(sin(y))', 'y', shapes={'y': (2,)})     # a loss L of Y = (y_0, y_1)\n"
            "G = d.to_layout('numerator')                               # ∂L/∂Y in numerator layout\n"
            "def printed():\n"
            "    # the derivative the question multiplies by ∂Y/∂w, said to be a column\n"
            "    assert tuple(G.shape) == (2, 1), f'∂L/∂Y in numerator layout has shape {tuple(G.shape)}, a row'\n"
            "def corrected():\n"
            "    assert tuple(G.shape) == (1, 2), G.shape\n"
        ),
    ),
    _e(
        "cv",
        "question, first matrix",
        r"$\big(\pd{L}{W}\big)^\T=\begin{bmatrix}\pd{L}{w_{00}}&\pd{L}{w_{00}}\\\pd{L}{w_{10}}&\pd{L}{w_{11}}\\\pd{L}{w_{20}}&\pd{L}{w_{21}}\end{bmatrix}$",
        "error",
        "The first row repeats ∂L/∂w_00.",
        corrected=r"first row $\pd{L}{w_{00}}\;\pd{L}{w_{01}}$",
        kind="typo",
        check=Snippet(
            _CV_SETUP + "def printed():\n"
            "    P = G.copy(); P[0, 1] = G[0, 0]\n"
            "    close(P, G, 'the printed matrix against ∂L/∂W')\n"
            "def corrected():\n"
            "    close(np.array([[G[0, 0], G[0, 1]], [G[1, 0], G[1, 1]], [G[2, 0], G[2, 1]]]), G, 'the corrected matrix')\n"
        ),
    ),
    _e(
        "cv",
        "question, 'Focus on one term'",
        r"$y_0=w_{00}x_0+w_{10}x_1+w_{20}x_2+b_0$, $y_1=w_{01}x_0+w_{11}x_1+w_{21}x_2+b_1$",
        "correct",
        "The two entries of the row XW + B.",
        check=Snippet(
            "X, W, B = rng.normal(size=(1, 3)), rng.normal(size=(3, 2)), rng.normal(size=(1, 2))\n"
            "x = X[0]\n"
            "def printed():\n"
            "    y = [W[0, k] * x[0] + W[1, k] * x[1] + W[2, k] * x[2] + B[0, k] for k in range(2)]\n"
            "    close(np.array([y]), X @ W + B, 'the two sums against XW + B')\n"
        ),
    ),
    _e(
        "cv",
        "question, ∂Y/∂w_00 (and the five others)",
        r"$\pd{Y}{w_{00}}=\begin{bmatrix}x_0\\0\end{bmatrix}$",
        "error",
        "Y is a row (1×2), so its derivative by a scalar is the row [x_0, 0]; the column is the "
        "derivative of Y^T. The product with the row ∂L/∂Y still gives the right number, the "
        "inner product Σ_k ∂L/∂y_k ∂y_k/∂w_00.",
        corrected=r"$\pd{Y}{w_{00}}=\begin{bmatrix}x_0&0\end{bmatrix}$",
        kind="shape",
        check=Snippet(
            _CV_SETUP + "def printed():\n"
            "    close(np.array([[x[0]], [0.0]]), DY[:, :, 0, 0], '∂Y/∂w_00')\n"
            "def corrected():\n"
            "    close(np.array([[x[0], 0.0]]), DY[:, :, 0, 0], '∂Y/∂w_00')\n"
        ),
    ),
    _e(
        "cv",
        "question, chain rule for w_00",
        r"$\pd{L}{Y}\pd{Y}{w_{00}}=\pd{L}{y_0}x_0+\pd{L}{y_1}\cdot 0=\pd{L}{y_0}x_0$",
        "correct",
        "Only y_0 depends on w_00.",
        check=Snippet(_CV_SETUP + "def printed():\n    close(G[0, 0], LY[0] * x[0], '∂L/∂w_00')\n"),
    ),
    _e(
        "cv",
        "question, the other five derivatives",
        r"$\pd{Y}{w_{10}}=(x_1,0)$, $\pd{Y}{w_{01}}=(0,x_0)$, $\pd{Y}{w_{11}}=(0,x_1)$, "
        r"$\pd{Y}{w_{20}}=(x_2,0)$, $\pd{Y}{w_{21}}=(0,x_2)$",
        "correct",
        "The values are right (written as columns, see the entry above).",
        check=Snippet(
            _CV_SETUP + "def printed():\n"
            "    for p in range(3):\n"
            "        close(DY[0, :, p, 0], [x[p], 0.0], f'∂Y/∂w_{p}0')\n"
            "        close(DY[0, :, p, 1], [0.0, x[p]], f'∂Y/∂w_{p}1')\n"
        ),
    ),
    _e(
        "cv",
        "question, 'Finally'",
        r"$\big(\pd{L}{W}\big)^\T=\begin{bmatrix}x_0\\x_1\\x_2\end{bmatrix}\begin{bmatrix}\pd{L}{y_0}&\pd{L}{y_1}\end{bmatrix}=X^\T\pd{L}{Y}$",
        "correct",
        "In the question's numerator layout ∂L/∂W is 2×3, so its transpose has W's shape: the "
        "gradient. Checked with L = Σ sin(Y).",
        check=Derivative("sum(sin(X @ W + B))", "W", _CV, printed="X.T @ cos(X @ W + B)"),
    ),
    _e(
        "cv",
        "question, second derivation",
        r"$\pd{L}{Y}\pd{Y}{W}=\begin{bmatrix}\pd{L}{y_0}&\pd{L}{y_1}\end{bmatrix}\begin{bmatrix}\pd{y_0}{W}\\\pd{y_1}{W}\end{bmatrix}$",
        "error",
        "Stacking the two 2×3 blocks gives a 4×3 matrix, which a 1×2 row cannot multiply (the "
        "first answer's point). What is meant is a contraction over the index of Y.",
        corrected=r"$\sum_k\pd{L}{y_k}\pd{y_k}{W}$",
        kind="shape",
        check=Snippet(
            _CV_SETUP
            + "blocks = [DY[0, k].T for k in range(2)]     # ∂y_k/∂W in numerator layout, 2×3\n"
            "def printed():\n"
            "    try:\n"
            "        LY[None, :] @ np.vstack(blocks)\n"
            "    except ValueError as e:\n"
            "        raise AssertionError(f'(1×2) @ (4×3): {e}') from None\n"
            "def corrected():\n"
            "    close(LY[0] * blocks[0] + LY[1] * blocks[1], G.T, 'Σ_k ∂L/∂y_k ∂y_k/∂W against (XᵀL_Y)ᵀ')\n"
        ),
    ),
    _e(
        "cv",
        "question, second derivation, result",
        r"$\pd{L}{y_0}\begin{bmatrix}x_0&0\\x_1&0\\x_2&0\end{bmatrix}^\T+\pd{L}{y_1}\begin{bmatrix}0&x_0\\0&x_1\\0&x_2\end{bmatrix}^\T=\big(X^\T\pd{L}{Y}\big)^\T$",
        "correct",
        "The sum of the two scaled slices is the transposed gradient.",
        check=Snippet(
            _CV_SETUP + "def printed():\n"
            "    S0 = np.array([[x[0], 0], [x[1], 0], [x[2], 0]]); S1 = np.array([[0, x[0]], [0, x[1]], [0, x[2]]])\n"
            "    close(LY[0] * S0.T + LY[1] * S1.T, (np.outer(x, LY)).T, 'sum of slices against (XᵀL_Y)ᵀ')\n"
            "    close(np.outer(x, LY), G, 'XᵀL_Y against ∂L/∂W')\n"
        ),
    ),
    _e(
        "cv",
        "comment (whuber)",
        r"$W\in\R^6$, $Y\in\R^2$: the derivative is a $6\times2$ matrix with 12 entries",
        "correct",
        "12 entries in any layout; 6×2 is the denominator arrangement (numerator gives 2×6).",
        check=Snippet(
            _CV_SETUP + "dW = rng.normal(size=(3, 2))\n"
            "def printed():\n"
            "    assert DY[0].size == 12, DY.shape\n"
            "    J = DY[0].reshape(2, 6)                      # rows: y_k; columns: w_00, w_01, …, w_21\n"
            "    close(J @ dW.reshape(6), (at['X'] @ dW)[0], 'the 2×6 matrix applied to dW against X dW')\n"
        ),
    ),
    _e(
        "cv",
        "comment (BPDev)",
        r"$\pd{y_0}{W}$ is $2\times3$; $\pd{Y}{W}$ is $2\times2\times3$ or $2\times3\times2$",
        "correct",
        "2×3 is the numerator layout of a scalar by a 3×2 matrix; with Y as a vector of 2, the "
        "tensor layout is 2×3×2 (Y's axis, then W's two).",
        check=Snippet(
            "S = {'x': (3,), 'W': (3, 2), 'b': (2,)}\n"
            "def printed():\n"
            "    g = md.derive('x @ W @ e', 'W', shapes={**S, 'e': (2,)})   # y_0 when e = (1, 0)\n"
            "    assert g.to_layout('numerator').shape == (2, 3), g.to_layout('numerator').shape\n"
            "    d = md.derive('x @ W + b', 'W', shapes=S)\n"
            "    assert tuple(d.shape) == (2, 3, 2), d.shape\n"
        ),
    ),
    _e(
        "cv",
        "first answer",
        r"$\pd{L}{Y}$ is $1\times2$ and the stacked $\pd{Y}{W}$ is $4\times3$",
        "correct",
        "Two 2×3 blocks on top of each other.",
        check=Snippet(
            "def printed():\n"
            "    assert np.vstack([np.zeros((2, 3)), np.zeros((2, 3))]).shape == (4, 3)\n"
        ),
    ),
    _e(
        "cv",
        "first answer",
        r"$\pd{L}{W}=\pd{L}{y_0}\pd{y_0}{W}+\pd{L}{y_1}\pd{y_1}{W}$",
        "correct",
        "The multivariable chain rule, summed over the entries of Y.",
        check=Snippet(
            _CV_SETUP + "def printed():\n"
            "    close(LY[0] * DY[0, 0] + LY[1] * DY[0, 1], G, 'Σ_k ∂L/∂y_k ∂y_k/∂W')\n"
        ),
    ),
    _e(
        "cv",
        "first answer",
        "the … terms … goes from right to left",
        "error",
        "Subject and verb disagree.",
        corrected="… terms … go from right to left",
        kind="typo",
        check=Text(found=("goes from right to left",), absent=("go from right to left",)),
    ),
    _e(
        "cv",
        "second answer",
        r"$Y=XW+B\implies dY=X\,dW$",
        "correct",
        "The map is affine in W, so the differential is exact.",
        check=Snippet(
            "X, W, B, dW = (rng.normal(size=s) for s in [(4, 3), (3, 2), (4, 2), (3, 2)])\n"
            "def printed():\n"
            "    close((X @ (W + dW) + B) - (X @ W + B), X @ dW, 'Y(W + dW) - Y(W) against X dW')\n"
        ),
    ),
    _e(
        "cv",
        "second answer",
        r"$dL=L_Y:dY=L_Y:(X\,dW)=(X^\T L_Y):dW\implies L_W=X^\T L_Y$",
        "correct",
        "Checked for a batch X (4×3) and L = Σ Y⊙Y, so L_Y = 2Y.",
        check=Derivative(
            "sum((X @ W + B)**2)",
            "W",
            {"X": (4, 3), "W": (3, 2), "B": (4, 2)},
            printed="X.T @ (2 * (X @ W + B))",
        ),
    ),
    _e(
        "cv",
        "second answer, footnote",
        r"$A:B=\tr(A^\T B)$",
        "correct",
        "The Frobenius inner product.",
        check=Identity("sum(A * B)", {"A": (3, 4), "B": (3, 4)}, printed="trace(A.T @ B)"),
    ),
    _e(
        "cv",
        "second answer, footnote",
        r"$A:B=B:A=B^\T:A^\T$",
        "correct",
        "Symmetry and invariance under transposing both.",
        check=Identity("sum(A * B)", {"A": (3, 4), "B": (3, 4)}, printed="sum(B.T * A.T)"),
    ),
    _e(
        "cv",
        "second answer, footnote",
        r"$CA:B=C:BA^\T$",
        "correct",
        "Moving a factor across the colon transposes it.",
        check=Identity(
            "sum((C @ A) * B)",
            {"C": (3, 2), "A": (2, 4), "B": (3, 4)},
            printed="sum(C * (B @ A.T))",
        ),
    ),
]

# ------------------------------------------------------------------------------------------------
# MIT 6.3900 notes, appendix A (text extracted from the PDF).
# ------------------------------------------------------------------------------------------------
_NN = {"W": (3, 2), "a": (3,)}  # Z = Wᵀ A with W m×n, m = 3 inputs, n = 2 neurons
_NN_SETUP = (
    "D, at = deriv('W.T @ a', 'W', {'W': (3, 2), 'a': (3,)})   # D[i, j, k] = ∂z_i/∂W_jk\n"
    "W, a = at['W'], at['a']\n"
)
_SUM_LIMIT = (
    "W, a = rng.normal(size=(3, 2)), rng.normal(size=3)   # m = 3 inputs, n = 2 neurons\n"
    "m, n = W.shape\n"
    "z = W.T @ a\n"
    "def printed():\n"
    "    close(np.array([sum(W[j, i] * a[j] for j in range(n)) for i in range(n)]), z, 'Σ_{j=1}^{n} W_ji a_j against z_i')\n"
    "def corrected():\n"
    "    close(np.array([sum(W[j, i] * a[j] for j in range(m)) for i in range(n)]), z, 'Σ_{j=1}^{m} W_ji a_j against z_i')\n"
)
_LIN = (
    "def linear(expr, wrt, shapes, layout):\n"
    "    D, at = deriv(expr, wrt, shapes, layout)\n"
    "    f = md.parse(expr, shapes)\n"
    "    from matderiv.numeric.evaluation import Evaluator, bind_sizes\n"
    "    def value(x):\n"
    "        arrays = {**at, wrt: x}\n"
    "        return np.asarray(Evaluator(arrays, bind_sizes(f.variables(), arrays)).expr(f))\n"
    "    return D, at[wrt], value\n"
)

MIT = [
    _e(
        "mit6390",
        "A.1",
        r"$w^\T x=\begin{bmatrix}w_1&\cdots&w_m\end{bmatrix}\begin{bmatrix}x_1\\\vdots\\x_m\end{bmatrix}=\sum_{i=1}^m x_iw_i$",
        "correct",
        "A row times a column is a sum of products.",
        check=Identity("w @ x", {"w": (5,), "x": (5,)}, printed="sum(x * w)"),
    ),
    _e(
        "mit6390",
        "A.3",
        r"$(a\times b)\xrightarrow{(b\times c)}Y$",
        "garbled",
        "Two shapes and an arrow fused by the extraction; the point is that inner sizes must match.",
        corrected=r"$(a\times b)(b\times c)\to(a\times c)$",
        check=Snippet(
            "def corrected():\n    assert (np.ones((2, 3)) @ np.ones((3, 4))).shape == (2, 4)\n"
        ),
    ),
    _e(
        "mit6390",
        "Definition 2",
        "total derivative dB/dA: … how B affects A",
        "error",
        "Backwards: dB/dA measures how a change of A affects B.",
        corrected="… where we consider how A affects B",
        kind="wording",
        check=Snippet(
            "d = md.derive('a**3', 'a', shapes={'a': ()})             # B = A³\n"
            "a, h = 1.3, 1e-6\n"
            "dBdA = float(d.evaluate({'a': np.float64(a)}))\n"
            "def printed():\n"
            "    b = a**3                                            # how a change of B moves A: A = B^(1/3)\n"
            "    rate = ((b + h) ** (1 / 3) - b ** (1 / 3)) / h\n"
            "    assert abs(rate - dBdA) < 1e-4, f'ΔA/ΔB = {rate:.4g} against dB/dA = {dBdA:.4g}'\n"
            "def corrected():\n"
            "    rate = ((a + h)**3 - a**3) / h                      # how a change of A moves B\n"
            "    assert abs(rate - dBdA) < 1e-4, f'ΔB/ΔA = {rate:.4g} against dB/dA = {dBdA:.4g}'\n"
        ),
    ),
    _e(
        "mit6390",
        "A.4",
        r"$f=2x^2y$: $\pd{f}{x}=2(2x)y$",
        "correct",
        "y is held fixed.",
        check=Derivative("2 * x**2 * y", "x", {"x": (), "y": ()}, printed="2 * (2 * x) * y"),
    ),
    _e(
        "mit6390",
        "Definition 3",
        r"$\frac{df}{ds}=\pd{f}{x}\pd{x}{s}+\pd{f}{y}\pd{y}{s}+\pd{f}{z}\pd{z}{s}$",
        "correct",
        "Checked with f = xyz, x = cos s, y = s², z = eˢ.",
        check=Derivative(
            "cos(s) * s**2 * exp(s)",
            "s",
            {"s": ()},
            printed="(s**2 * exp(s)) * (-sin(s)) + (cos(s) * exp(s)) * (2 * s) + (cos(s) * s**2) * exp(s)",
        ),
    ),
    _e(
        "mit6390",
        "Concept 4",
        r"$\pd{b_j}{a_i}$ 'between every pair of elements $a_i$, $b_i$'",
        "error",
        "The pair must carry two different letters, as in the formula above it.",
        corrected=r"every pair $a_i$, $b_j$",
        kind="index",
        check=Snippet(
            "D, _ = deriv('C @ a', 'a', {'C': (2, 3), 'a': (3,)})     # A ∈ R³, B ∈ R²; D[j, i] = ∂b_j/∂a_i\n"
            "def printed():\n"
            "    pairs = [(i, i) for i in range(min(3, 2))]          # a_i, b_i: one letter for both\n"
            "    assert len(pairs) == D.size, f'{len(pairs)} pairs (a_i, b_i) against {D.size} derivatives'\n"
            "def corrected():\n"
            "    pairs = [(i, j) for i in range(3) for j in range(2)]\n"
            "    assert len(pairs) == D.size == 6, D.shape\n"
        ),
    ),
    _e(
        "mit6390",
        "Concept 4",
        r"$\operatorname{Size}\big(\pd{B}{A}\big)=\operatorname{Size}(B)\cdot\operatorname{Size}(A)$",
        "correct",
        "Checked on a 2×4 matrix by a 3×4 matrix: 8 · 12 entries.",
        check=Snippet(
            "D, _ = deriv('C @ M', 'M', {'C': (2, 3), 'M': (3, 4)})\n"
            "def printed():\n"
            "    assert D.size == 8 * 12, D.shape\n"
        ),
    ),
    _e(
        "mit6390",
        "A.6 example",
        r"$A\in\R^3$, $B\in\R^2$: 6 derivatives $\pd{b_i}{a_j}$",
        "correct",
        "3 inputs times 2 outputs.",
        check=Snippet(
            "D, _ = deriv('C @ a', 'a', {'C': (2, 3), 'a': (3,)})\n"
            "def printed():\n"
            "    assert D.shape == (2, 3) and D.size == 6, D.shape\n"
        ),
    ),
    _e(
        "mit6390",
        "Concept 4",
        "… will gives us …",
        "error",
        "Verb form.",
        corrected="… will give us …",
        kind="typo",
        check=Text(found=("will gives us",), absent=("will give us",)),
    ),
    _e(
        "mit6390",
        "A.8",
        r"$\Delta\mathcal L\approx\pd{\mathcal L}{w}\Delta w$",
        "correct",
        "The error of the linear approximation shrinks like Δw².",
        check=Snippet(
            _LIN + "D, w, L = linear('sin(w) * exp(w)', 'w', {'w': ()}, 'tensor')\n"
            "def printed():\n"
            "    for h in (1e-2, 1e-3):\n"
            "        err = abs(L(w + h) - L(w) - D * h)\n"
            "        assert err < 10 * h**2, f'error {err:.3g} for Δw = {h}'\n"
        ),
    ),
    _e(
        "mit6390",
        "Concept 5",
        r"$\Delta\mathcal L pprox rac{\partial\mathcal L}{\partial w}\star\Delta w$",
        "garbled",
        "The extraction read \\a and \\f of \\approx and \\frac as control characters.",
        corrected=r"$\Delta\mathcal L\approx\pd{\mathcal L}{w}\star\Delta w$",
        check=Snippet(
            _LIN + "D, w, L = linear('sum(sin(w) * w)', 'w', {'w': (4,)}, 'tensor')\n"
            "dw = rng.normal(size=4)\n"
            "def corrected():\n"
            "    for h in (1e-2, 1e-3):                              # ⋆ is the dot product for a vector w\n"
            "        err = abs(L(w + h * dw) - L(w) - D @ (h * dw))\n"
            "        assert err < 20 * h**2, f'error {err:.3g} for step {h}'\n"
        ),
    ),
    _e(
        "mit6390",
        "A.1.2",
        "because derivative are local",
        "error",
        "Agreement.",
        corrected="because derivatives are local",
        kind="typo",
        check=Text(found=("because derivative are local",), absent=("derivatives are local",)),
    ),
    _e(
        "mit6390",
        "A.2.2 example",
        r"$f=x^2$: $f'$ goes $2\to4$ for $x=1\to2$, and $2\to2.02$ for $x=1\to1.01$",
        "correct",
        "f′(x) = 2x.",
        check=Snippet(
            "d = md.derive('x**2', 'x', shapes={'x': ()})\n"
            "def printed():\n"
            "    for x, v in [(1.0, 2.0), (2.0, 4.0), (1.01, 2.02)]:\n"
            '        close(d.evaluate(x=np.float64(x)), v, f"f\'({x})")\n'
        ),
    ),
    _e(
        "mit6390",
        "Clarification 7",
        r"$f(x)\approx\theta^\T x+\theta_0$: $\pd{f}{x_i}=\theta_i$",
        "correct",
        "A hyperplane has constant slopes.",
        check=Derivative(
            "theta @ x + theta0", "x", {"theta": (4,), "x": (4,), "theta0": ()}, printed="theta"
        ),
    ),
    _e(
        "mit6390",
        "Clarification 7",
        "It's doesn't change …",
        "error",
        "Doubled verb.",
        corrected="It doesn't change …",
        kind="typo",
        check=Text(found=("It's doesn't change",), absent=("It doesn't change",)),
    ),
    _e(
        "mit6390",
        "A.10–A.16",
        r"$\Delta\nu$, $\nu_i$, $\partial s/\partial\nu$",
        "garbled",
        "The italic v of the notes comes out as the Greek ν; the vector is v throughout.",
        corrected=r"$\Delta v$, $v_i$, $\partial s/\partial v$",
        # the formulas print the Greek letter; the prose beside them, not typeset, writes v
        check=Text(found=(r"\Delta \nu", "Δv_i")),
    ),
    _e(
        "mit6390",
        "A.15",
        r"$\Delta_{\mathbf S}\approx\sum_{i=1}^m\frac{\partial_{\mathbf S}}{\partial\nu_i}\Delta\nu_i$",
        "garbled",
        "The scalar s became a subscript S.",
        corrected=r"$\Delta s\approx\sum_{i=1}^m\pd{s}{v_i}\Delta v_i$",
        check=Snippet(
            _LIN + "D, v, s = linear('sum(sin(v) * v)', 'v', {'v': (4,)}, 'mit')\n"
            "dv = rng.normal(size=4)\n"
            "def corrected():\n"
            "    for h in (1e-2, 1e-3):\n"
            "        err = abs(s(v + h * dv) - s(v) - sum(D[i, 0] * h * dv[i] for i in range(4)))\n"
            "        assert err < 20 * h**2, f'error {err:.3g} for step {h}'\n"
        ),
    ),
    _e(
        "mit6390",
        "A.17 (after A.16)",
        r"$\sum_i\pd{s}{\nu_i}\Delta\nu_i=\begin{bmatrix}\pd{s}{\nu_1}\\\pd{s}{\nu_2}\end{bmatrix}\cdot\begin{bmatrix}\Delta\nu_1\\\Delta\nu_2\end{bmatrix}\cdot\begin{bmatrix}\Delta\nu_2\\\Delta\nu_3\end{bmatrix}\cdot\cdots$",
        "garbled",
        "A runaway repetition of the extraction (and the equation number A.17 is lost); the notes "
        "show one dot product.",
        corrected=r"$\sum_{i=1}^m\pd{s}{v_i}\Delta v_i=\begin{bmatrix}\pd{s}{v_1}\\\vdots\\\pd{s}{v_m}\end{bmatrix}\cdot\begin{bmatrix}\Delta v_1\\\vdots\\\Delta v_m\end{bmatrix}$",
        check=Identity("sum(g * dv)", {"g": (4,), "dv": (4,)}, corrected="g @ dv"),
    ),
    _e(
        "mit6390",
        "Definition 9, A.18",
        r"$\Delta s=\big(\pd{s}{v}\big)^\T\Delta v$, $\pd{s}{v}$ is $(m\times1)$",
        "correct",
        "The gradient has the shape of v, and its inner product with a step predicts the change.",
        check=Snippet(
            _LIN + "D, v, s = linear('sum(sin(v) * v)', 'v', {'v': (4,)}, 'mit')\n"
            "dv = rng.normal(size=4)\n"
            "def printed():\n"
            "    assert D.shape == (4, 1), D.shape             # an (m×1) column\n"
            "    for h in (1e-2, 1e-3):\n"
            "        err = abs(s(v + h * dv) - s(v) - (D.T @ (h * dv))[0])\n"
            "        assert err < 20 * h**2, f'error {err:.3g} for step {h}'\n"
        ),
    ),
    _e(
        "mit6390",
        "A.24",
        r"$w=\begin{bmatrix}\Delta w_1\\\vdots\\\Delta w_n\end{bmatrix}=\begin{bmatrix}\Delta s\,(\partial w_1/\partial s)\\\vdots\end{bmatrix}$",
        "error",
        "The left side is the change Δw, not w.",
        corrected=r"$\Delta w=\begin{bmatrix}\Delta w_1\\\vdots\\\Delta w_n\end{bmatrix}$",
        kind="notation",
        extraction_possible=True,
        check=Snippet(
            _LIN
            + "D, s, w = linear('sin(s * c)', 's', {'s': (), 'c': (3,)}, 'mit')   # D (1×3): ∂w_i/∂s\n"
            "h = 1e-3                                                          # Δs\n"
            "def printed():\n"
            "    err = np.max(np.abs(w(s) - h * D[0]))\n"
            "    assert err < 10 * h**2, f'w against Δs ∂w/∂s: off by {err:.3g}'\n"
            "def corrected():\n"
            "    err = np.max(np.abs((w(s + h) - w(s)) - h * D[0]))\n"
            "    assert err < 10 * h**2, f'Δw against Δs ∂w/∂s: off by {err:.3g}'\n"
        ),
    ),
    _e(
        "mit6390",
        "Definition 11, A.25–A.27",
        r"$\Delta w=\big(\pd{w}{s}\big)^\T\Delta s$, $\pd{w}{s}$ is $(1\times n)$",
        "correct",
        "A vector by a scalar is a row in this convention (numerator layout makes it a column).",
        check=Snippet(
            _LIN + "D, s, w = linear('sin(s * c)', 's', {'s': (), 'c': (3,)}, 'mit')\n"
            "def printed():\n"
            "    assert D.shape == (1, 3), D.shape\n"
            "    h = 1e-3\n"
            "    err = np.max(np.abs(w(s + h) - w(s) - D.T[:, 0] * h))\n"
            "    assert err < 10 * h**2, f'error {err:.3g}'\n"
        ),
    ),
    _e(
        "mit6390",
        "A.4.1, after A.36",
        "horizontal axis … changes our w_i value",
        "error",
        "i already names the row (the v index); the column index is j, as in Definition 13.",
        corrected="… changes our w_j value",
        kind="index",
        check=Snippet(
            "D, at = deriv('A @ v', 'v', {'A': (3, 4), 'v': (4,)}, 'mit')    # v has m = 4 entries, w = Av has n = 3\n"
            "A = at['A']\n"
            "def printed():\n"
            "    # one letter i for the row (v_i) and the column (w_i): both axes would run over one range\n"
            "    assert D.shape[0] == D.shape[1], f'rows run over v_1..v_{D.shape[0]}, columns over w_1..w_{D.shape[1]}'\n"
            "def corrected():\n"
            "    for i in range(4):\n"
            "        for j in range(3):\n"
            "            close(D[i, j], A[j, i], f'entry ({i}, {j}) against ∂w_{j}/∂v_{i}')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.37",
        r"$M=\Big[\begin{bmatrix}a_1\\a_2\end{bmatrix}\;\begin{bmatrix}b_1\\b_2\\\vdots\\a_n\end{bmatrix}\cdots\begin{bmatrix}z_1\\z_2\\\vdots\\b_n\end{bmatrix}\Big]$",
        "garbled",
        "Each column's last entry was pushed one column to the right by the extraction.",
        corrected=r"$M=\Big[\begin{bmatrix}a_1\\\vdots\\a_n\end{bmatrix}\;\begin{bmatrix}b_1\\\vdots\\b_n\end{bmatrix}\cdots\begin{bmatrix}z_1\\\vdots\\z_n\end{bmatrix}\Big]$",
        check=Snippet(
            "a, b, z = (rng.normal(size=4) for _ in range(3))   # n = 4\n"
            "M = np.column_stack([a, b, z])\n"
            "def corrected():\n"
            "    for col, v in zip(M.T, (a, b, z)):\n"
            "        close(col, v, 'a column of M against its own vector, last entry included')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.42–A.43",
        r"second column $\Big[\pd{w_2}{v_1},\pd{w_2}{v_2},\dots,\pd{w_1}{v_m}\Big]^\T$",
        "error",
        "The last entry of the w_2 column is copied from the w_1 column.",
        corrected=r"last entry $\pd{w_2}{v_m}$",
        kind="index",
        extraction_possible=True,
        check=Snippet(
            "D, at = deriv('A @ v', 'v', {'A': (3, 4), 'v': (4,)}, 'mit')   # D[i, j] = ∂w_j/∂v_i\n"
            "def printed():\n"
            "    close(D[-1, 1], D[-1, 0], 'entry (m, 2) against ∂w_1/∂v_m')\n"
            "def corrected():\n"
            "    close(D[-1, 1], at['A'][1, -1], 'entry (m, 2) against ∂w_2/∂v_m')\n"
        ),
    ),
    _e(
        "mit6390",
        "Definition 13",
        "… must be a (m × n) vector",
        "error",
        "An m×n array of partial derivatives is a matrix.",
        corrected="… a (m × n) matrix",
        kind="wording",
        check=Snippet(
            "D, _ = deriv('A @ v', 'v', {'A': (3, 4), 'v': (4,)}, 'mit')    # m = 4, n = 3\n"
            "def printed():\n"
            "    assert D.ndim == 1, f'∂w/∂v has {D.ndim} axes, shape {D.shape}: a matrix'\n"
            "def corrected():\n"
            "    assert D.ndim == 2 and D.shape == (4, 3), D.shape\n"
        ),
    ),
    _e(
        "mit6390",
        "Definition 13",
        r"$\pd{w}{v}=\Big[\pd{w_j}{v_i}\Big]$, row $i$ for $v_i$, column $j$ for $w_j$",
        "correct",
        "The MIT layout is the transposed Jacobian: for w = Av it is Aᵀ.",
        check=Derivative("A @ v", "v", {"A": (3, 2), "v": (2,)}, printed="A.T", layout="mit"),
    ),
    _e(
        "mit6390",
        "A.45",
        r"$w$ is $3\times1$, $v$ is $2\times1$: $\pd{w}{v}$ is $2\times3$",
        "correct",
        "The stray 'v_1' after the matrix is a margin label the extraction pulled in.",
        check=Snippet(
            "D, _ = deriv('A @ v', 'v', {'A': (3, 2), 'v': (2,)}, 'mit')\n"
            "def printed():\n"
            "    assert D.shape == (2, 3), D.shape\n"
        ),
    ),
    _e(
        "mit6390",
        "Notation 15",
        r"$\pd{w}{v}=\begin{bmatrix}\pd{w}{v_1}\\\pd{w}{v_2}\\\vdots\\\pd{w}{v_2}\end{bmatrix}$",
        "error",
        "The last row is the derivative by v_m.",
        corrected=r"last row $\pd{w}{v_m}$",
        kind="index",
        extraction_possible=True,
        check=Snippet(
            "D, at = deriv('A @ v', 'v', {'A': (2, 3), 'v': (3,)}, 'mit')   # m = 3 rows\n"
            "def printed():\n"
            "    close(D[-1], D[1], 'the last row against ∂w/∂v_2')\n"
            "def corrected():\n"
            "    close(D[-1], at['A'][:, -1], 'the last row against ∂w/∂v_m')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.50",
        r"first column $\Big[\pd{m_{11}}{s},\pd{m_{12}}{s},\dots,\pd{m_{22}}{s}\Big]^\T$",
        "error",
        "The first column lists row 1 of M, so it ends with m_1k.",
        corrected=r"last entry $\pd{m_{1k}}{s}$",
        kind="index",
        extraction_possible=True,
        check=Snippet(
            "D, at = deriv('sin(s * C)', 's', {'s': (), 'C': (3, 4)}, 'mit')   # (k×r) = 4×3\n"
            "def printed():\n"
            "    close(D[-1, 0], D[1, 1], 'entry (k, 1) against ∂m_22/∂s')\n"
            "def corrected():\n"
            "    C, s = at['C'], at['s']\n"
            "    close(D[-1, 0], C[0, -1] * np.cos(s * C[0, -1]), 'entry (k, 1) against ∂m_1k/∂s')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.50 and Definitions 17–18",
        r"Row $i$ matches $m_{2i}$; Row $i$ matches $m_{i?}$",
        "garbled",
        "A placeholder subscript of the margin labels came out as '2' and '?'.",
        corrected=r"Row $i$ matches $m_{\cdot i}$ (Definition 17), $m_{i\cdot}$ (Definition 18)",
        check=Snippet(
            "DM, at1 = deriv('s * C', 's', {'s': (), 'C': (3, 4)}, 'mit')               # ∂M/∂s, M = sC is 3×4\n"
            "Ds, at2 = deriv('sum(C * M)', 'M', {'C': (3, 4), 'M': (3, 4)}, 'mit')      # ∂s/∂M\n"
            "def corrected():\n"
            "    for i in range(4):\n"
            "        close(DM[i], at1['C'][:, i], f'row {i} of ∂M/∂s against ∂m_·{i}/∂s')\n"
            "    for i in range(3):\n"
            "        close(Ds[i], at2['C'][i, :], f'row {i} of ∂s/∂M against ∂s/∂m_{i}·')\n"
        ),
    ),
    _e(
        "mit6390",
        "Definition 17",
        r"$\pd{M}{s}=\Big[\pd{m_{ji}}{s}\Big]_{ij}$, $(k\times r)$, the shape of $M^\T$",
        "correct",
        "A matrix by a scalar is transposed in this convention.",
        check=Derivative(
            "sin(s * C)", "s", {"s": (), "C": (3, 4)}, printed="(C * cos(s * C)).T", layout="mit"
        ),
    ),
    _e(
        "mit6390",
        "A.53",
        r"$\pd{s}{M}=\begin{bmatrix}\pd{s}{M_1}\\\pd{s}{M_2}\\\vdots\\\pd{s}{M}\end{bmatrix}$",
        "error",
        "The last row vector is M_r.",
        corrected=r"last entry $\pd{s}{M_r}$",
        kind="index",
        extraction_possible=True,
        check=Snippet(
            "D, at = deriv('sum(sin(M @ c))', 'M', {'M': (3, 4), 'c': (4,)}, 'mit')   # r×k = 3×4\n"
            "M, c = at['M'], at['c']\n"
            "Dr = md.derive('sin(m @ c)', 'm', shapes={'m': (4,), 'c': (4,)}).evaluate({'m': M[-1], 'c': c})\n"
            "def printed():\n"
            "    close(D[-1], D, 'the last row against ∂s/∂M')\n"
            "def corrected():\n"
            "    close(D[-1], Dr, 'the last row against ∂s/∂M_r')\n"
        ),
    ),
    _e(
        "mit6390",
        "Definition 18",
        r"last row $\pd{s}{s}\;\pd{s}{s}\;\cdots\;\pd{s}{s}$",
        "error",
        "The last row holds the derivatives by row r of M; ∂s/∂s would be 1.",
        corrected=r"$\pd{s}{m_{r1}}\;\pd{s}{m_{r2}}\;\cdots\;\pd{s}{m_{rk}}$",
        kind="index",
        extraction_possible=True,
        check=Snippet(
            "D, at = deriv('sum(sin(M))', 'M', {'M': (3, 4)}, 'mit')\n"
            "def printed():\n"
            "    close(D[-1], np.ones(4), 'the last row against ∂s/∂s = 1')\n"
            "def corrected():\n"
            "    close(D[-1], np.cos(at['M'][-1]), 'the last row against ∂s/∂m_rj')\n"
        ),
    ),
    _e(
        "mit6390",
        "Definition 18",
        r"$\pd{s}{M}$ is $(r\times k)$, the shape of $M$",
        "correct",
        "A scalar by a matrix has the matrix's shape.",
        check=Derivative("sum(sin(M))", "M", {"M": (3, 4)}, printed="cos(M)", layout="mit"),
    ),
    _e(
        "mit6390",
        "A.55",
        r"$\pd{\mathbf v}{\mathbf M}$? $\pd{\mathbf M}{\mathbf v}$? $\pd{\mathbf M}{\mathbf M^2}$?",
        "garbled",
        "The '2' is most likely a lost sidenote marker: the third case is a matrix by a matrix, "
        "which has four axes.",
        corrected=r"$\pd{\mathbf v}{\mathbf M}$? $\pd{\mathbf M}{\mathbf v}$? $\pd{\mathbf M}{\mathbf M}$?",
        check=Snippet(
            "D, _ = deriv('C @ M', 'M', {'C': (2, 3), 'M': (3, 4)})\n"
            "def corrected():\n"
            "    assert D.ndim == 4, D.shape\n"
        ),
    ),
    _e(
        "mit6390",
        "A.8.1, after Definition 19",
        "each axis of the output represented …",
        "error",
        "The first 'output' should be the derivative: its axes stand for the axes of the input "
        "and of the output.",
        corrected="each axis of the derivative stood for …",
        kind="wording",
        check=Snippet(
            "cases = [  # (expression, variable, shapes, axes of the output)\n"
            "    ('sum(v * v)', 'v', {'v': (4,)}, 0),\n"
            "    ('s * c', 's', {'s': (), 'c': (4,)}, 1),\n"
            "    ('A @ v', 'v', {'A': (3, 4), 'v': (4,)}, 1),\n"
            "    ('s * C', 's', {'s': (), 'C': (3, 2)}, 2),\n"
            "    ('sum(C * M)', 'M', {'C': (3, 2), 'M': (3, 2)}, 0),\n"
            "]\n"
            "def printed():\n"
            "    for expr, wrt, shapes, out in cases:\n"
            "        n_in = len(shapes[wrt])\n"
            "        assert out == n_in + out, f'{expr}: its output has {out} axes, its derivative {n_in + out}'\n"
            "def corrected():\n"
            "    for expr, wrt, shapes, out in cases:\n"
            "        D, _ = deriv(expr, wrt, shapes)\n"
            "        assert D.ndim == len(shapes[wrt]) + out, (expr, D.shape)\n"
        ),
    ),
    _e(
        "mit6390",
        "A.8.1, examples",
        r"$\partial v/\partial s$: 'one axis to represent each term $w_i$'",
        "error",
        "The vector in this example is v.",
        corrected=r"… each term $v_i$",
        kind="notation",
        check=Snippet(
            "D, at = deriv('s * c', 's', {'s': (), 'c': (4,)}, 'mit')    # v = sc has 4 entries\n"
            "n_w = 3                                                      # w = Av of the next example has 3\n"
            "def printed():\n"
            "    assert D.size == n_w, f'∂v/∂s has {D.size} entries, one per v_i, not one per w_i ({n_w})'\n"
            "def corrected():\n"
            "    assert D.shape == (1, 4), D.shape                         # a row in the notes' layout\n"
            "    close(D[0], at['c'], '∂v_i/∂s')\n"
        ),
    ),
    _e(
        "mit6390",
        "Concept 20",
        r"$\operatorname{Axes}\big(\pd{y}{x}\big)=\operatorname{Axes}(y)+\operatorname{Axes}(x)$",
        "correct",
        "Checked for every pair of a scalar, a vector and a matrix.",
        check=Snippet(
            "outs = {0: ('sum(sin(M))', {}), 1: ('sin(M) @ u', {'u': (4,)}), 2: ('sin(M)', {})}\n"
            "def printed():\n"
            "    for wrt, shape in [('s', ()), ('v', (4,)), ('N', (3, 4))]:\n"
            "        for k, (expr, extra) in outs.items():\n"
            "            e = expr.replace('M', {'s': 's * C', 'v': 'C * v', 'N': 'N'}[wrt])\n"
            "            D, _ = deriv(e, wrt, {'C': (3, 4), wrt: shape, **extra})\n"
            "            assert D.ndim == k + len(shape), (e, wrt, D.shape)\n"
        ),
    ),
    _e(
        "mit6390",
        "Clarification 21",
        "two competing definition of …",
        "error",
        "Plural.",
        corrected="… two competing definitions …",
        kind="typo",
        check=Text(found=("two competing definition of",), absent=("competing definitions",)),
    ),
    _e(
        "mit6390",
        "A.8.2, end",
        "… jumped here from X.16 …",
        "error",
        "A cross-reference left as a placeholder.",
        corrected="a real section number",
        kind="typo",
        # the placeholder occurs once, so it names no section or box of the notes
        check=Text(found=("jumped here from X.16",), unique=("X.16",)),
    ),
    _e(
        "mit6390",
        "A.56",
        r"two $2\times3$ matrices stacked in the third dimension: a $(2\times3\times2)$ block",
        "correct",
        "Stacking along a new last axis.",
        check=Snippet(
            "P = np.array([[1, 2, 3], [4, 5, 6]]); Q = np.array([[5, 7, 11], [13, 17, 19]])\n"
            "def printed():\n"
            "    T = np.stack([P, Q], axis=2)\n"
            "    assert T.shape == (2, 3, 2) and T[1, 2, 1] == 19, T.shape\n"
        ),
    ),
    _e(
        "mit6390",
        "A.57",
        r"$\begin{bmatrix}3&0&0\\0&9&0\\0&0&4\end{bmatrix}\to\begin{bmatrix}3\\9\\4\end{bmatrix}$",
        "correct",
        "A diagonal matrix kept as its diagonal.",
        check=Snippet(
            "def printed():\n    close(np.diag(np.diag([3.0, 9.0, 4.0])), [3, 9, 4], 'the diagonal')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.58",
        r"$\begin{bmatrix}1&2\\3&4\end{bmatrix}\to\begin{bmatrix}1\\3\\2\\4\end{bmatrix}$",
        "correct",
        "Stacking the columns (column-major vec).",
        check=Snippet(
            "def printed():\n"
            "    close(np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(-1, order='F'), [1, 3, 2, 4], 'vec')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.8.3, after A.58",
        "we lose a lot of information",
        "error",
        "Stacking keeps every number and can be undone given the shape; only the arrangement is "
        "given up.",
        corrected="we give up the arrangement, not the numbers",
        kind="wording",
        check=Snippet(
            "M = rng.normal(size=(3, 4))\n"
            "def corrected():\n"
            "    close(M.reshape(-1, order='F').reshape(3, 4, order='F'), M, 'unvec(vec(M))')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.8.3",
        "… used by softwares",
        "error",
        "'Software' is a mass noun.",
        corrected="… used by software",
        kind="typo",
        check=Text(found=("used by softwares",), absent=("used by software",)),
    ),
    _e(
        "mit6390",
        "Notation 26",
        r"$\pd{\mathcal L}{A^L}$ has the shape $(n^L\times1)$",
        "correct",
        "A scalar by a vector has the vector's shape.",
        check=Snippet(
            "D, at = deriv('sum(a * a)', 'a', {'a': (3,)}, 'mit')\n"
            "def printed():\n"
            "    close(D, 2 * at['a'].reshape(3, 1), 'the (n×1) gradient of Σ a²')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.61",
        r"$\pd{\mathcal L}{W^\ell}=\underbrace{\pd{Z^\ell}{Z^\ell}}_{\text{weight link}}\cdot\Big(\pd{\mathcal L}{Z^\ell}\Big)^\T$",
        "error",
        "The weight link is ∂Z/∂W (= A, Notation 30); ∂Z/∂Z is the n×n identity, which cannot "
        "multiply the 1×n row. Read with vectors, the printed form is an n-vector, not m×n. "
        "Checked with L = Σ sin(Z).",
        corrected=r"$\pd{\mathcal L}{W^\ell}=\pd{Z^\ell}{W^\ell}\Big(\pd{\mathcal L}{Z^\ell}\Big)^\T=A^{\ell-1}\Big(\pd{\mathcal L}{Z^\ell}\Big)^\T$",
        kind="typo",
        extraction_possible=True,
        check=Derivative(
            "sum(sin(W.T @ a))",
            "W",
            _NN,
            printed="eye(2) @ cos(W.T @ a)",
            corrected="outer(a, cos(W.T @ a))",
            layout="mit",
        ),
    ),
    _e(
        "mit6390",
        "A.64",
        r"$z_j=W_j^\T A$",
        "correct",
        "Neuron j sees only its own column of W.",
        check=Snippet(
            "W, a = rng.normal(size=(3, 2)), rng.normal(size=3)\n"
            "def printed():\n"
            "    close(np.array([W[:, j] @ a for j in range(2)]), W.T @ a, 'W_jᵀ A against Z')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.9.2, after A.64",
        r"$z_j$ depends on $W_j$ only; other neurons' weights do not affect $z_i$ (paraphrased)",
        "error",
        "The neuron's letter switches from j to i within two lines.",
        corrected=r"… do not affect $z_j$",
        kind="notation",
        check=Snippet(
            _NN_SETUP + "def printed():\n"
            "    for j in range(2):                                 # neuron j; the other neurons' weights W_k\n"
            "        for k in range(2):\n"
            "            if k != j:\n"
            "                for i in range(2):\n"
            "                    close(D[i, :, k], np.zeros(3), f'neuron {j}: ∂z_{i}/∂W_{k}')\n"
            "def corrected():\n"
            "    for j in range(2):\n"
            "        for k in range(2):\n"
            "            if k != j:\n"
            "                close(D[j, :, k], np.zeros(3), f'∂z_{j}/∂W_{k}')\n"
        ),
    ),
    _e(
        "mit6390",
        "Concept 28",
        r"$\pd{z_i}{W_{ik}}=0$ if $i\neq k$",
        "error",
        "The list above defines j as the weight index, which the formula never uses: as printed "
        "it covers only weight i of neuron k (true, but not the claim). Every weight of another "
        "neuron has zero effect.",
        corrected=r"$\pd{z_i}{W_{jk}}=0$ for all $j$ if $i\neq k$",
        kind="index",
        check=Snippet(
            _NN_SETUP + "def corrected():\n"
            "    for i in range(2):\n"
            "        for k in range(2):\n"
            "            if i != k:\n"
            "                close(D[i, :, k], np.zeros(3), f'∂z_{i}/∂W_jk, k = {k}')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.9.2, before A.65",
        r"'compute $\pd{z_i}{W_{ii}}$'",
        "error",
        "The derivatives about to be computed are those by the weights W_ji of neuron i.",
        corrected=r"compute $\pd{z_i}{W_{ji}}$",
        kind="index",
        check=Snippet(
            _NN_SETUP + "def printed():\n"
            "    # A.65–A.68 end in a_j, one value per input j; W_ii gives one number per neuron\n"
            "    for i in range(2):\n"
            "        close(np.full(3, D[i, i, i]), a, f'∂z_{i}/∂W_{i}{i} against (a_1, …, a_m)')\n"
            "def corrected():\n"
            "    for i in range(2):\n"
            "        close(D[i, :, i], a, f'∂z_{i}/∂W_j{i} against a_j')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.66",
        r"$z_i=\begin{bmatrix}w_{1i}&\cdots&w_{mi}\end{bmatrix}\begin{bmatrix}a_1\\\vdots\\a_m\end{bmatrix}$",
        "correct",
        "Column i of W against A.",
        check=Identity("W.T @ a", _NN, printed="einsum('ji,j->i', W, a)"),
    ),
    _e(
        "mit6390",
        "A.67",
        r"$z_i=\sum_{j=1}^{n}W_{ji}a_j$",
        "error",
        "A has m entries (W is m×n), so the sum runs to m; with n < m the printed sum drops terms.",
        corrected=r"$z_i=\sum_{j=1}^{m}W_{ji}a_j$",
        kind="summation limit",
        check=Snippet(_SUM_LIMIT),
    ),
    _e(
        "mit6390",
        "A.68",
        r"$\pd{z_i}{W_{ji}}=a_j$",
        "correct",
        "In the library's letters: D[i,p,q] = a[p] δ[i,q].",
        check=Derivative("W.T @ a", "W", _NN, printed="einsum('p,iq->ipq', a, eye(2))"),
    ),
    _e(
        "mit6390",
        "A.69–A.70",
        r"$\pd{z_i}{W_i}=\begin{bmatrix}a_1\\\vdots\\a_m\end{bmatrix}=A$",
        "correct",
        "The derivative of a neuron's output by its own weight vector is the input.",
        check=Snippet(
            _NN_SETUP + "def printed():\n"
            "    for i in range(2):\n"
            "        close(D[i, :, i], a, f'∂z_{i}/∂W_{i}')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.71",
        r"$\pd{z_i}{W_{ik}}=0$ if $i\neq k$",
        "error",
        "Concept 28's index slip, repeated in the numbered equation.",
        corrected=r"$\pd{z_i}{W_{jk}}=0$ if $i\neq k$",
        kind="index",
        check=Snippet(
            _NN_SETUP + "def corrected():\n"
            "    close(D[0, :, 1], np.zeros(3), '∂z_0/∂W_j1')\n"
            "    close(D[1, :, 0], np.zeros(3), '∂z_1/∂W_j0')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.72–A.73",
        r"$\pd{z_i}{W_k}=A$ if $i=k$, $\vec0$ if $i\neq k$",
        "correct",
        "Same neuron, the input; another neuron, zero.",
        check=Snippet(
            _NN_SETUP + "def printed():\n"
            "    for i in range(2):\n"
            "        for k in range(2):\n"
            "            close(D[i, :, k], a if i == k else np.zeros(3), f'∂z_{i}/∂W_{k}')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.74",
        r"$\pd{Z}{W}$: $A$ on the block diagonal, $\vec0$ elsewhere",
        "correct",
        "A 3-tensor drawn as a matrix of vectors; every diagonal block is A.",
        check=Snippet(
            _NN_SETUP + "def printed():\n"
            "    blocks = D.transpose(2, 0, 1)                 # [k, i, :] = ∂z_i/∂W_k\n"
            "    expected = np.einsum('ki,j->kij', np.eye(2), a)\n"
            "    close(blocks, expected, 'the block-diagonal layout')\n"
        ),
    ),
    _e(
        "mit6390",
        "Notation 30",
        r"$\underbrace{\pd{Z^\ell}{W^\ell}}_{(W^\ell\times1)}=A^{\ell-1}$",
        "error",
        "The shape label names the matrix W where a size belongs; the text below says m^ℓ × 1.",
        corrected=r"$\underbrace{\pd{Z^\ell}{W^\ell}}_{(m^\ell\times1)}=A^{\ell-1}$",
        kind="shape",
        extraction_possible=True,
        check=Snippet(
            _NN_SETUP + "def corrected():\n"
            "    assert a.reshape(-1, 1).shape == (W.shape[0], 1)\n"
            "    for k in range(2):\n"
            "        close(D[k, :, k], a, 'the compressed derivative')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.81",
        r"$z_i=\sum_{j=1}^{n}W_{ji}a_j$",
        "error",
        "A.67 again: the sum runs over the m inputs.",
        corrected=r"$z_i=\sum_{j=1}^{m}W_{ji}a_j$",
        kind="summation limit",
        check=Snippet(_SUM_LIMIT),
    ),
    _e(
        "mit6390",
        "A.82",
        r"$\pd{z_i}{a_i}=W_{ji}$",
        "error",
        "The derivative must be by a_j: as printed the right side has an unbound j, and for the "
        "diagonal entries ∂z_i/∂a_i the value is W_ii, not W_ji.",
        corrected=r"$\pd{z_i}{a_j}=W_{ji}$",
        kind="index",
        check=Snippet(
            "D, at = deriv('W.T @ a', 'a', {'W': (3, 3), 'a': (3,)})   # D[i, j] = ∂z_i/∂a_j\n"
            "W = at['W']\n"
            "def printed():\n"
            "    close(np.broadcast_to(np.diag(D), (3, 3)), W, '∂z_i/∂a_i against W_ji for all j')\n"
            "def corrected():\n"
            "    close(D, W.T, '∂z_i/∂a_j against W_ji')\n"
        ),
    ),
    _e(
        "mit6390",
        "A.83 and Notation 31",
        r"$\pd{Z^\ell}{A^{\ell-1}}=W^\ell$, $(m^\ell\times n^\ell)$, row $j$ for $a_j$",
        "correct",
        "In the MIT layout the derivative of Wᵀa by a is W itself.",
        check=Derivative("W.T @ a", "a", _NN, printed="W", layout="mit"),
    ),
    _e(
        "mit6390",
        "A.88–A.89",
        r"$\pd{a_i}{z_j}=f'(z_i)$ if $i=j$, else $0$",
        "correct",
        "Checked with f = tanh.",
        check=Derivative("tanh(z)", "z", {"z": (4,)}, printed="diag(1 - tanh(z)**2)"),
    ),
    _e(
        "mit6390",
        "Notation 33",
        r"$\pd{A^\ell}{Z^\ell}=\diag\big(f'(z_1),\dots,f'(z_n)\big)$, $(n\times n)$",
        "correct",
        "Diagonal, so the same in every layout.",
        check=Derivative("tanh(z)", "z", {"z": (4,)}, printed="diag(1 - tanh(z)**2)", layout="mit"),
    ),
    _e(
        "mit6390",
        "Concept 34",
        r"'two vectors $R$ and $Q$' with $R=\diag(r_1,\dots,r_n)$; $RQ=R*Q$",
        "error",
        "R is a diagonal matrix, not a vector, and the elementwise product is with its diagonal r: "
        "R*Q taken literally (numpy broadcasting) is an n×n matrix.",
        corrected=r"$RQ=r\odot Q$ with $r=(r_1,\dots,r_n)$",
        kind="notation",
        check=Snippet(
            "r, Q = rng.normal(size=4), rng.normal(size=4)\n"
            "R = np.diag(r)\n"
            "def printed():\n"
            "    close(R * Q, R @ Q, 'R*Q against RQ')\n"
            "def corrected():\n"
            "    close(r * Q, R @ Q, 'r⊙Q against RQ')\n"
        ),
    ),
]

# ------------------------------------------------------------------------------------------------

ERRATA: list[Erratum] = []
for _source, _entries in (("zou", ZOU), ("umass", UMASS), ("cv", CV), ("mit6390", MIT)):
    for _n, _entry in enumerate(_entries, start=1):
        assert _entry.source == _source, (_source, _entry)
        object.__setattr__(_entry, "id", f"{PREFIX[_source]}{_n}")
        ERRATA.append(_entry)


# ------------------------------------------------------------------------------------------------
# Running the checks.
# ------------------------------------------------------------------------------------------------
class ErrataTableError(Exception):
    """The table contradicts itself: a 'wrong' formula passes, or a correction fails."""


@dataclass(frozen=True)
class Outcome:
    printed: str | None  # "passes (...)", "fails: ...", or None when not checked
    corrected: str | None
    text: str | None = None  # the verdict of a Text check, or why it did not run here


#: What a Text check reports when the source texts are not beside the repository.
TEXT_NOT_RUN = (
    "checked against the source text by the test suite (sources not present in this build)"
)


def source_dir() -> Path | None:
    """The directory of the source texts: ``$MATDERIV_SOURCES``, else ``../shared/sources``
    beside the repository; None when it does not exist (a user's checkout)."""
    import os

    env = os.environ.get("MATDERIV_SOURCES")
    path = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "sources"
    return path if path.is_dir() else None


def _normalise(text: str) -> str:
    import re

    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[ \t\u00a0]+", " ", text)


def _occurrences(wording: str, text: str) -> int:
    import re

    pattern = r"(?<!\w)" + re.escape(_normalise(wording)) + r"(?!\w)"
    return len(re.findall(pattern, text))


def _run_text(entry: Erratum, check: Text, sources: Path | None) -> str:
    """Check a slip of wording against the source file; raise ErrataTableError when the table
    does not transcribe the source faithfully."""
    where = f"{entry.id} ({entry.source}, {entry.location})"
    if sources is None or not (sources / SOURCE_FILES[entry.source]).is_file():
        return TEXT_NOT_RUN
    text = _normalise((sources / SOURCE_FILES[entry.source]).read_text(encoding="utf-8"))
    problems = [f"{w!r} is not in the source" for w in check.found if not _occurrences(w, text)]
    problems += [
        f"{w!r} occurs {n} times, not once"
        for w in check.unique
        if (n := _occurrences(w, text)) != 1
    ]
    problems += [f"{w!r} is in the source" for w in check.absent if _occurrences(w, text)]
    if problems:
        raise ErrataTableError(
            f"{where}: the slip is not transcribed faithfully: " + "; ".join(problems)
        )
    verdict = "found in the source text"
    if check.unique:
        verdict += ", once"
    if check.absent:
        verdict += f"; {check.absent_means} is not"
    return verdict


def _close(a: Any, b: Any, what: str) -> None:
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise AssertionError(f"{what}: shapes {a.shape} and {b.shape} differ")
    err = float(np.max(np.abs(a - b))) if a.size else 0.0
    scale = 1.0 + float(np.max(np.abs(b))) if b.size else 1.0
    if not err <= 1e-9 * scale:
        raise AssertionError(f"{what}: they differ by up to {err:.3g}")


def _deriv(expr: str, wrt: str, shapes: dict, layout: str = "tensor") -> tuple[Any, dict]:
    import matderiv as md
    from matderiv.checks.finite import sample_inputs

    d = md.derive(expr, wrt, shapes=shapes)
    at = sample_inputs([md.parse(expr, shapes), d.wrt], rng=0)
    if layout != "tensor":
        d = d.to_layout(layout)
    return d.evaluate(at), at


def _failure_text(exc: BaseException) -> str:
    text = str(exc).strip()
    head, sep, rest = text.partition("): ")
    if sep and head.count("(") == 1 and "check failed" in head:
        text = rest  # drop "derivative check failed (full, seed 0)"
    return " ".join(text.split())


def _run(claim: Any) -> str:
    """Run one claim; return 'passes ...' or 'fails: ...' (only AssertionError counts as failing)."""
    import matderiv as md

    try:
        report = claim()
    except (AssertionError, md.ShapeError) as exc:
        return "fails: " + _failure_text(exc)
    method = getattr(report, "method", None)
    return f"passes ({method})" if method else "passes"


def _claims(check: Check) -> tuple[Any, Any]:
    import numpy as np

    import matderiv as md

    if isinstance(check, Derivative):

        def make(expr: str | None) -> Any:
            if expr is None:
                return None
            return lambda: md.check_derivative(
                check.f, expr, wrt=check.wrt, shapes=check.shapes, layout=check.layout
            )

        return make(check.printed), make(check.corrected)
    if isinstance(check, Identity):

        def make_id(expr: str | None) -> Any:
            if expr is None:
                return None
            return lambda: md.check_identity(check.lhs, expr, check.shapes)

        return make_id(check.printed), make_id(check.corrected)
    if isinstance(check, Snippet):
        namespace: dict[str, Any] = {
            "np": np,
            "md": md,
            "rng": np.random.default_rng(0),
            "close": _close,
            "deriv": _deriv,
        }
        exec(compile(check.code, "<errata snippet>", "exec"), namespace)  # noqa: S102
        return namespace.get("printed"), namespace.get("corrected")
    raise TypeError(f"unknown check {check!r}")


def run_check(entry: Erratum, sources: Path | str | None = "auto") -> Outcome:
    """Run an entry's check and enforce what its status promises.

    Raises :class:`ErrataTableError` when a correct formula fails, when a formula printed wrongly
    passes its check, when a correction (or a reconstruction of garbled text) fails, or when a
    slip of wording is not in the source text as transcribed. ``sources`` is the directory of
    the source texts (default: :func:`source_dir`); without it a Text check does not run and
    says so.
    """
    if entry.check is None:
        return Outcome(None, None)
    if isinstance(entry.check, Text):
        directory = source_dir() if sources == "auto" else sources
        assert directory is None or isinstance(directory, Path)
        return Outcome(None, None, _run_text(entry, entry.check, directory))
    printed, corrected = _claims(entry.check)
    p = _run(printed) if printed is not None else None
    c = _run(corrected) if corrected is not None else None
    where = f"{entry.id} ({entry.source}, {entry.location})"
    if entry.status == "correct" and (p is None or not p.startswith("passes")):
        raise ErrataTableError(f"{where}: a formula listed as correct does not pass: {p}")
    if entry.status == "error" and p is not None and not p.startswith("fails"):
        raise ErrataTableError(f"{where}: a formula listed as wrong passes its check")
    if entry.status in ("error", "garbled") and c is not None and not c.startswith("passes"):
        raise ErrataTableError(f"{where}: the correction fails its check: {c}")
    return Outcome(p, c)
