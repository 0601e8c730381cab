"""The coverage inventory: every concept, worked example, formula, notation and caveat of the
four source texts, and the section of the book that *teaches* it.

"Teaches" means that the section derives or explains the item in prose and equations; a result
that the library merely prints does not count. The inventory is data (``ENTRIES``); the page
``appendix-coverage.md`` renders it at build time and ``tests/book/test_coverage.py`` checks it.

Each entry's ``taught_in`` is one of

* ``None``: nothing in the book teaches the item yet (the to-do list);
* ``"chapters/<file>.md"``: the whole chapter teaches it (used for what a chapter's opening
  paragraphs teach, before its first section);
* ``"chapters/<file>.md#<anchor>"``: one section teaches it. The anchor should be an explicit
  MyST target written ``(anchor)=`` on the line right before the section's heading, so that the
  link survives a reworded heading. The labels follow one scheme, a short prefix per chapter and
  a slug for the section: ``arrays-`` (01), ``index-`` (02), ``fc-`` (03), ``rows-`` (04),
  ``layouts-`` (05), ``tensors-`` (06), ``flat-`` (07), ``nn-`` (08), ``einsum-`` (09),
  ``checks-`` (10), ``linmap-`` (14), ``wild-`` (17) and ``errata-<source>`` (the errata
  appendix). A heading's own HTML id is still accepted (computed by :func:`heading_id`, which is
  docutils' ``make_id`` of the heading's text: the book does not set ``myst_heading_anchors``),
  but it breaks as soon as the heading is reworded, and a heading whose id is empty (Chinese
  titles) or shared by two headings of the same file cannot be named that way at all.

A slip or caveat of a source is mapped to the chapter that discusses it where one does, and
otherwise to the section of the errata appendix that lists it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

#: The four sources: key -> (short name, description). Keys match book/references.bib.
SOURCES: dict[str, tuple[str, str]] = {
    "zou": ("Zou (blog post)", "Yuze Zou, 向量, 矩阵与张量梯度的理论推导"),
    "umass": ("UMass slides", "Vector, Matrix and Tensor Derivatives (UMass Amherst)"),
    "cv": ("Cross Validated", "How to derive dL/dW for Y = XW + B with row vectors"),
    "mit6390": ("MIT 6.3900 notes", "Shaunticlair Ruiz, Explanatory Notes for 6.3900, app. A"),
}

KINDS = ("concept", "example", "formula", "caveat", "notation", "definition")


class Entry(NamedTuple):
    source: str  # a key of SOURCES
    section: str  # where in the source
    id: str  # stable identifier, e.g. "mit-A.61"
    what: str  # short description, in our own words (MyST, inline maths allowed)
    kind: str  # one of KINDS
    taught_in: str | None  # "chapters/<file>.md[#anchor]" or None


# The data below is laid out by hand, one entry per few lines; keep the formatter away from it.
# fmt: off
# ruff: noqa: E501  (LaTeX descriptions are kept whole where splitting them would hurt)
# -- sections of the book, by short name: the label itself, or CHnn for a whole chapter --------
_S = {
    "CH01": "chapters/01-arrays.md",
    "arrays-count": "chapters/01-arrays.md#arrays-count",
    "arrays-definition": "chapters/01-arrays.md#arrays-definition",
    "arrays-scalar-by-matrix": "chapters/01-arrays.md#arrays-scalar-by-matrix",
    "index-delta": "chapters/02-index-notation.md#index-delta",
    "index-example-1": "chapters/02-index-notation.md#index-example-1",
    "index-example-2": "chapters/02-index-notation.md#index-example-2",
    "index-example-3": "chapters/02-index-notation.md#index-example-3",
    "index-habits": "chapters/02-index-notation.md#index-habits",
    "index-norm-example": "chapters/02-index-notation.md#index-norm-example",
    "CH03": "chapters/03-fully-connected-en.md",
    "fc-example": "chapters/03-fully-connected-en.md#fc-example",
    "fc-rule": "chapters/03-fully-connected-en.md#fc-rule",
    "fc-step-1": "chapters/03-fully-connected-en.md#fc-step-1",
    "fc-step-2": "chapters/03-fully-connected-en.md#fc-step-2",
    "fc-step-3": "chapters/03-fully-connected-en.md#fc-step-3",
    "fc-step-4": "chapters/03-fully-connected-en.md#fc-step-4",
    "CH04": "chapters/04-row-vectors.md",
    "rows-differential": "chapters/04-row-vectors.md#rows-differential",
    "rows-element": "chapters/04-row-vectors.md#rows-element",
    "rows-first-derivation": "chapters/04-row-vectors.md#rows-first-derivation",
    "rows-orientation": "chapters/04-row-vectors.md#rows-orientation",
    "rows-stacking": "chapters/04-row-vectors.md#rows-stacking",
    "layouts-five-cases": "chapters/05-layouts.md#layouts-five-cases",
    "layouts-linear-approximation": "chapters/05-layouts.md#layouts-linear-approximation",
    "layouts-partials": "chapters/05-layouts.md#layouts-partials",
    "layouts-names": "chapters/05-layouts.md#layouts-names",
    "tensors-axes": "chapters/06-tensors.md#tensors-axes",
    "tensors-first-3-tensor": "chapters/06-tensors.md#tensors-first-3-tensor",
    "tensors-meaning": "chapters/06-tensors.md#tensors-meaning",
    "flat-contract": "chapters/07-flattening.md#flat-contract",
    "flat-diagonal": "chapters/07-flattening.md#flat-diagonal",
    "flat-hide": "chapters/07-flattening.md#flat-hide",
    "flat-vec": "chapters/07-flattening.md#flat-vec",
    "nn-activation": "chapters/08-neural-networks.md#nn-activation",
    "nn-erratum": "chapters/08-neural-networks.md#nn-erratum",
    "nn-layer": "chapters/08-neural-networks.md#nn-layer",
    "nn-linking": "chapters/08-neural-networks.md#nn-linking",
    "nn-loss": "chapters/08-neural-networks.md#nn-loss",
    "einsum-convention": "chapters/09-einsum.md#einsum-convention",
    "einsum-rearrange": "chapters/09-einsum.md#einsum-rearrange",
    "einsum-stack": "chapters/09-einsum.md#einsum-stack",
    "checks-directional": "chapters/10-checks.md#checks-directional",
    "linmap-cv": "chapters/14-linear-maps.md#linmap-cv",
    "linmap-definition": "chapters/14-linear-maps.md#linmap-definition",
    "linmap-frobenius": "chapters/14-linear-maps.md#linmap-frobenius",
    "CH15": "chapters/15-backpropagation.md",
    "wild-a61": "chapters/17-layouts-in-the-wild.md#wild-a61",
    "wild-chain-order": "chapters/17-layouts-in-the-wild.md#wild-chain-order",
    "wild-transposes": "chapters/17-layouts-in-the-wild.md#wild-transposes",
    "errata-cv": "chapters/appendix-errata.md#errata-cv",
    "errata-mit6390": "chapters/appendix-errata.md#errata-mit6390",
    "errata-umass": "chapters/appendix-errata.md#errata-umass",
    None: None,
}


def _entries(source: str, rows: list[tuple[str, str, str, str, str | None]]) -> list[Entry]:
    return [Entry(source, sec, id_, what, kind, _S[at]) for sec, id_, kind, what, at in rows]


# -- Yuze Zou's blog post (Chinese) ------------------------------------------------------------
_ZOU = "基本思路 (basic idea)"
_ZOU_EX = "例子 (the example)"
_ZOU_1 = "第一项 (first factor)"
_ZOU_2 = "第二项 (second factor)"
_ZOU_C = "结合 (combining)"
_ZOU_S = "小结 (summary)"
ZOU = _entries("zou", [
    ("introduction", "zou-motivation", "concept",
     "Backpropagation needs derivatives by vectors, matrices and tensors; knowing how they are "
     "derived matters", "CH15"),
    (_ZOU, "zou-principle", "concept",
     "Start from scalar-by-scalar derivatives and only then assemble them into derivatives of "
     "scalars, vectors or matrices by scalars, vectors or matrices", "CH03"),
    (_ZOU, "zou-learned-miller", "concept",
     "Learned-Miller's advice (quoted): write one scalar entry of the output in scalar variables "
     "and use beginner's calculus on it", "CH03"),
    (_ZOU_EX, "zou-setup", "example",
     "$X$ is $B\\times N$, $W$ is $N\\times M$, targets $Y$ are $B\\times M$; a bias-free fully "
     "connected layer predicts $\\tilde Y = XW$ for a batch of $B$", "fc-example"),
    (_ZOU_EX, "zou-loss", "formula",
     "Squared error $L = \\sum_b\\sum_m (\\tilde y_{bm} - y_{bm})^2$", "fc-example"),
    (_ZOU_EX, "zou-goal", "concept",
     "$L$ is a scalar and $W$ a matrix, so first find the single entry "
     "$\\partial L/\\partial w_{nm}$", "fc-example"),
    (_ZOU_EX, "zou-chain", "formula",
     "$\\partial L/\\partial w_{nm}$ = ($\\partial L/\\partial\\tilde Y$) times "
     "($\\partial\\tilde Y/\\partial w_{nm}$), two $B\\times M$ arrays combined entry by entry and "
     "summed (an inner product)", "fc-step-1"),
    (_ZOU_1, "zou-first-entry", "formula",
     "$\\partial L/\\partial\\tilde y_{ij} = 2(\\tilde y_{ij} - y_{ij})$ from the scalar loss",
     "fc-step-2"),
    (_ZOU_1, "zou-first-matrix", "formula",
     "Reassembled: $\\partial L/\\partial\\tilde Y = 2(\\tilde Y - Y)$", "fc-step-2"),
    (_ZOU_2, "zou-second-entry", "formula",
     "Writing $\\tilde y_{ij} = \\sum_k x_{ik}w_{kj}$ out term by term: "
     "$\\partial\\tilde y_{ij}/\\partial w_{nm}$ is $x_{in}$ when $j = m$ and 0 otherwise",
     "fc-step-2"),
    (_ZOU_2, "zou-second-matrix", "example",
     "$\\partial\\tilde Y/\\partial w_{nm}$ is a $B\\times M$ matrix, zero except column $m$, "
     "which holds column $n$ of $X$", "fc-step-2"),
    (_ZOU_C, "zou-combine", "formula",
     "Summing the Hadamard product of the two factors: "
     "$\\partial L/\\partial w_{nm} = 2\\sum_i x_{in}(\\tilde y_{im} - y_{im})$", "fc-step-3"),
    (_ZOU_C, "zou-columns", "formula",
     "The same as column $n$ of $X$ dotted with column $m$ of $2(\\tilde Y - Y)$", "fc-step-3"),
    (_ZOU_C, "zou-hadamard", "notation",
     "$\\circ$ for the Hadamard (entrywise) product; $X_n$ for column $n$ of $X$", "fc-step-1"),
    (_ZOU_C, "zou-result", "formula",
     "$\\partial L/\\partial W = X^\\T\\, 2(\\tilde Y - Y) = X^\\T\\, \\partial L/\\partial\\tilde Y$",
     "fc-step-4"),
    (_ZOU_S, "zou-rule", "formula",
     "For a scalar $f(C)$ with $C = AB$: $\\partial f/\\partial B = A^\\T\\,\\partial f/\\partial C$",
     "fc-rule"),
    (_ZOU_S, "zou-twin", "formula",
     "The twin rule $\\partial f/\\partial A = (\\partial f/\\partial C) B^\\T$ (not stated in "
     "the post; same derivation)", "fc-rule"),
    (_ZOU_EX, "zou-index-reuse", "caveat",
     "The letter $m$ is both a summation index of $L$ and the fixed column of $w_{nm}$; "
     "reused index letters", "fc-example"),
])

# -- UMass Amherst slides ----------------------------------------------------------------------
UMASS = _entries("umass", [
    ("title slide", "umass-all-scalar", "concept",
     "A matrix derivative such as $\\partial h/\\partial W$ is just many scalar derivatives "
     "$\\partial h_i/\\partial W_{jk}$", "CH01"),
    ("Scalar derivatives", "umass-scalar-by-matrix", "formula",
     "$\\partial L/\\partial W$ for scalar $L$ is the matrix $[\\partial L/\\partial W_{ij}]$",
     "arrays-scalar-by-matrix"),
    ("Scalar derivatives", "umass-ndim3", "concept",
     "For $h = \\sigma(Wx + b)$ the derivative $\\partial h/\\partial W$ has three indices "
     "(ndim 3)", "index-example-1"),
    ("Rewriting matrix equations in scalars", "umass-rewrite", "formula",
     "$y = Wx + b$ becomes $y_i = \\sum_j W_{ij}x_j + b_i$", "index-habits"),
    ("Chain rule", "umass-chain", "formula",
     "For $f(x(W))$: $\\partial f/\\partial W_{ij} = \\sum_k (\\partial f/\\partial x_k)"
     "(\\partial x_k/\\partial W_{ij})$", "index-habits"),
    ("Chain rule", "umass-two-vectors", "concept",
     "A function of two vectors is a function of all $2n$ of their entries", "arrays-count"),
    ("Remove nested equations", "umass-nested", "concept",
     "Split $f(x) = \\lVert Ax\\rVert^2$ into $f(y) = \\lVert y\\rVert^2$ and $y = Ax$ before "
     "differentiating", "index-norm-example"),
    ("Remove nested equations", "umass-nested-chain", "formula",
     "$\\partial f/\\partial x_i = \\sum_k (\\partial f/\\partial y_k)(\\partial y_k/\\partial x_i)$",
     "index-norm-example"),
    ("Chain rule example", "umass-norm-scalars", "formula",
     "In scalars: $f = \\sum_k y_k^2$ and $y_i = \\sum_j A_{ij}x_j$", "index-norm-example"),
    ("Chain rule example", "umass-norm-dfdy", "formula",
     "$\\partial f/\\partial y_a = \\sum_k 2y_k\\,\\partial y_k/\\partial y_a = 2y_a$", "index-norm-example"),
    ("Chain rule example", "umass-norm-dydx", "formula",
     "$\\partial y_a/\\partial x_l = \\sum_j A_{aj}\\delta_{jl} = A_{al}$", "index-norm-example"),
    ("Chain rule example", "umass-norm-result", "example",
     "$\\partial f/\\partial x_l = \\sum_a 2y_a A_{al}$, i.e. $\\nabla f = 2A^\\T y = 2A^\\T A x$",
     "index-norm-example"),
    ("Caution", "umass-dont-repeat", "caveat",
     "Do not reuse index letters: inside $\\partial y_i/\\partial W_{jk}$ the sum needs a fresh "
     "letter ($\\sum_l W_{il}x_l$)", "index-habits"),
    ("Kronecker delta function", "umass-delta-def", "definition",
     "$\\delta_{ij}$ is 1 when $i = j$ and 0 otherwise", "index-delta"),
    ("Kronecker delta function", "umass-delta-dydy", "formula",
     "$\\partial y_a/\\partial y_k = \\delta_{ak}$", "index-delta"),
    ("Kronecker delta function", "umass-delta-identity", "concept",
     "The deltas are the entries of the identity matrix, $I = [\\delta_{ij}]$", "index-delta"),
    ("Kronecker delta function", "umass-delta-matrix", "formula",
     "$\\partial W_{ij}/\\partial W_{ab} = \\delta_{ia}\\delta_{jb}$", "index-delta"),
    ("Kronecker delta function", "umass-sifting", "formula",
     "Sifting: $\\sum_k \\gamma_k\\delta_{ak} = \\gamma_a$", "index-delta"),
    ("Kronecker delta function", "umass-double-sum", "formula",
     "$\\sum_i\\sum_j \\gamma_i\\gamma_j\\delta_{ij} = \\sum_i \\gamma_i^2$", "index-delta"),
    ("Overview (second)", "umass-recipe", "concept",
     "The recipe: modularise the equations, apply the chain rule, rewrite everything in scalars",
     "index-habits"),
    ("Example 1", "umass-delta-chain", "formula",
     "Chaining deltas: $\\sum_r \\delta_{ir}\\delta_{rj} = \\delta_{ij}$", "index-delta"),
    ("Example 1", "umass-ex1-scalars", "formula",
     "$h_i = \\sigma(y_i)$ with $y_i = \\sum_j W_{ij}x_j + b_i$", "index-example-1"),
    ("Example 1", "umass-ex1-chain", "formula",
     "$\\partial h_i/\\partial W_{jk} = \\sum_e (\\partial h_i/\\partial y_e)"
     "(\\partial y_e/\\partial W_{jk})$", "index-example-1"),
    ("Example 1", "umass-ex1-dhdy", "formula",
     "$\\partial h_i/\\partial y_e = \\sigma'(y_i)\\,\\delta_{ie}$", "index-example-1"),
    ("Example 1", "umass-ex1-dydw", "formula",
     "$\\partial y_e/\\partial W_{jk} = \\sum_a \\delta_{ej}\\delta_{ak}x_a = \\delta_{ej}x_k$",
     "index-example-1"),
    ("Example 1", "umass-ex1-result", "example",
     "$\\partial h_i/\\partial W_{jk} = \\sigma'(y_i)\\,\\delta_{ij}\\,x_k$, a 3-index array",
     "index-example-1"),
    ("Example 2", "umass-ex2-setup", "example",
     "$Y(\\theta) = (Ax(\\theta))(Bx(\\theta))^\\T$: with $p = Ax$, $q = Bx$, $Y_{ij} = p_iq_j$",
     "index-example-2"),
    ("Example 2", "umass-ex2-chain", "formula",
     "Two paths: $\\partial Y_{ij}/\\partial\\theta = \\sum_k [\\partial Y_{ij}/\\partial p_k\\,"
     "\\partial p_k/\\partial\\theta + \\partial Y_{ij}/\\partial q_k\\,\\partial q_k/\\partial\\theta]$",
     "index-example-2"),
    ("Example 2", "umass-ex2-partials", "formula",
     "$\\partial Y_{ij}/\\partial p_k = \\delta_{ik}q_j$ and $\\partial Y_{ij}/\\partial q_k = "
     "\\delta_{jk}p_i$", "index-example-2"),
    ("Example 2", "umass-ex2-inner", "formula",
     "$\\partial p_k/\\partial\\theta = \\sum_u A_{ku}\\,\\partial x_u/\\partial\\theta$, and the "
     "same with $B$ for $q$", "index-example-2"),
    ("Example 2", "umass-ex2-result", "formula",
     "$\\partial Y_{ij}/\\partial\\theta = q_j\\sum_u A_{iu}x_u' + p_i\\sum_v B_{jv}x_v'$, i.e. "
     "$(Ax')(Bx)^\\T + (Ax)(Bx')^\\T$", "index-example-2"),
    ("Example 3", "umass-ex3", "example",
     "$\\partial\\,\\tr W/\\partial W_{jk} = \\sum_i\\delta_{ij}\\delta_{ik} = \\delta_{jk}$: "
     "the gradient of the trace is $I$", "index-example-3"),
    ("Implementation with einsum", "umass-einstein", "notation",
     "Einstein notation: a repeated index is summed and the $\\sum$ is dropped", "einsum-convention"),
    ("Implementation with einsum", "umass-einsum-abx", "example",
     "$y = ABx$ as $y_i = A_{ij}B_{jk}x_k$ and `np.einsum(\"ij,jk,k->i\", A, B, x)`", "einsum-convention"),
    ("Implementation with einsum", "umass-contraction-indices", "concept",
     "Indices missing from the output are the contraction (summed) indices", "einsum-convention"),
    ("einops", "umass-einops", "example",
     "einops `rearrange` regroups $2\\times2$ pixel blocks into channels: a pure reshuffle",
     "einsum-rearrange"),
    ("Einsum example 2", "umass-einsum2-l", "example",
     "$L = \\sum_i\\sum_j \\tr(X^{(i)\\T}X^{(j)})$ over a stack of $n\\times m$ matrices",
     "einsum-stack"),
    ("Einsum example 2", "umass-einsum2-expand", "formula",
     "Expanded: $L = \\sum_{i,j,k,l} X^{(i)}_{lk}X^{(j)}_{lk}$", "einsum-stack"),
    ("Einsum example 2", "umass-einsum2-code", "example",
     "The same as `np.einsum(\"ilk,jlk->\", X, X)`", "einsum-stack"),
    ("Einsum example 2", "umass-einsum2-shape", "caveat",
     "The subscripts depend on how the stack is stored (`X.shape`)", "einsum-stack"),
    # the slides' slips
    ("Chain rule", "umass-err-chain-d", "caveat",
     "The chain-rule slide drops the $\\partial$ in $x_k/W_{ij}$", "index-habits"),
    ("Chain rule example", "umass-err-stray-delta", "caveat",
     "$\\partial f/\\partial y_a$ is printed as $2y_a\\delta_{ka}$: a delta left over after the "
     "sum over $k$ is gone", "index-norm-example"),
    ("Kronecker delta function", "umass-err-identity-display", "caveat",
     "The identity matrix is drawn with three columns beside $n$ rows", "errata-umass"),
    ("Example 1", "umass-err-delta-chain", "caveat",
     "Printed $\\sum_r\\delta_{il}\\delta_{rj} = \\delta_{ij}$; the left side is $\\delta_{il}$",
     "index-delta"),
    ("Example 1", "umass-err-ex1-notation", "caveat",
     "$x$ turns into $X_j$, $X_k$, and $\\sigma'(y_i)$ is written $\\partial\\sigma/\\partial y_i$",
     "index-example-1"),
    ("Example 2", "umass-err-ex2-case", "caveat",
     "The matrix $Y(\\theta)$ is written $y(\\theta)$", "index-example-2"),
    ("einops", "umass-err-einops", "caveat",
     "The einops line is not valid code (argument order; anonymous axes in the output)", "einsum-rearrange"),
    ("Einsum example 2", "umass-err-k", "caveat",
     "$k$ is both the number of matrices and a summation index", "einsum-stack"),
    ("Overview", "umass-err-spelling", "caveat", "'Kronocker' for Kronecker", "index-habits"),
])

# -- Cross Validated question and answers ------------------------------------------------------
_Q = "question"
_Q1 = "question: first derivation"
_Q2 = "question: second derivation"
_C = "comments (whuber, BPDev)"
_A1 = "answer 1 (gunes)"
_A2 = "answer 2 (the differential)"
CV = _entries("cv", [
    (_Q, "cv-setup", "example",
     "$Y = XW + B$ with a row vector $X$ ($1\\times3$), $W$ $3\\times2$, $Y$ and $B$ $1\\times2$",
     "CH04"),
    (_Q, "cv-row-rules", "concept",
     "Rules found for vector derivatives assume column vectors; do they hold for row vectors?",
     "rows-orientation"),
    (_Q, "cv-numerator-size", "concept",
     "Numerator layout is defined by the sizes $m$ and $n$, not by row or column orientation",
     "rows-orientation"),
    (_Q1, "cv-first-entries", "formula",
     "Each entry: $\\partial L/\\partial w_{kl} = (\\partial L/\\partial Y)(\\partial Y/\\partial "
     "w_{kl})$, a row times a column", "rows-first-derivation"),
    (_Q1, "cv-element-formulas", "formula",
     "$y_0 = w_{00}x_0 + w_{10}x_1 + w_{20}x_2 + b_0$, and likewise $y_1$", "rows-element"),
    (_Q1, "cv-dy-dwkl", "formula",
     "$\\partial Y/\\partial w_{k0} = (x_k, 0)$ and $\\partial Y/\\partial w_{k1} = (0, x_k)$",
     "rows-element"),
    (_Q1, "cv-row-times-column", "formula",
     "$(\\partial L/\\partial Y)(\\partial Y/\\partial w_{00}) = (\\partial L/\\partial y_0)\\,x_0$",
     "rows-first-derivation"),
    (_Q1, "cv-outer", "formula",
     "The result is the outer product $X^\\T\\,\\partial L/\\partial Y$ (column $x$ times row "
     "$\\partial L/\\partial Y$)", "rows-first-derivation"),
    (_Q1, "cv-typo-w00", "caveat",
     "The first matrix repeats $\\partial L/\\partial w_{00}$ where $\\partial L/\\partial w_{01}$ "
     "belongs", "rows-first-derivation"),
    (_Q1, "cv-transposed-label", "caveat",
     "The $3\\times2$ matrix is labelled $(\\partial L/\\partial W)^\\T$, i.e. the asker takes "
     "$\\partial L/\\partial W$ to be $2\\times3$", "rows-first-derivation"),
    (_Q2, "cv-3-tensor", "concept",
     "Is $\\partial Y/\\partial W$, a vector by a matrix, a third-order tensor?", "rows-element"),
    (_Q2, "cv-slices", "formula",
     "Writing $\\partial Y/\\partial W$ as a column of two matrices gives "
     "$\\sum_j (\\partial L/\\partial y_j)\\,\\partial y_j/\\partial W$", "rows-stacking"),
    (_Q2, "cv-second-transpose", "caveat",
     "The second derivation ends with $(X^\\T\\,\\partial L/\\partial Y)^\\T$, a transpose away "
     "from the first", "errata-cv"),
    (_C, "cv-linear-map", "concept",
     "$W \\in \\R^6$ and $Y \\in \\R^2$: the derivative is a linear map $\\R^6\\to\\R^2$ with 12 "
     "entries", "linmap-cv"),
    (_C, "cv-6x2", "caveat",
     "The comment calls it a $6\\times2$ matrix: the transpose of the $2\\times6$ Jacobian, a "
     "layout choice", "rows-element"),
    (_C, "cv-shapes", "concept",
     "$2\\times2\\times3$ or $2\\times3\\times2$? Both hold the same 12 numbers", "rows-element"),
    (_C, "cv-any-notation", "concept",
     "Any notation is fine if it reads as two linear functions of the six entries of $W$",
     "linmap-cv"),
    (_A1, "cv-inconsistent", "caveat",
     "Layout and row/column conventions can make results look inconsistent", "wild-transposes"),
    (_A1, "cv-right-to-left", "concept",
     "In some conventions the chain rule multiplies right to left", "wild-chain-order"),
    (_A1, "cv-mismatch", "caveat",
     "$\\partial L/\\partial Y$ ($1\\times2$) cannot multiply the stacked $4\\times3$ block",
     "rows-stacking"),
    (_A1, "cv-chain-sum", "formula",
     "Yet $\\partial L/\\partial W = \\sum_j (\\partial L/\\partial y_j)\\,\\partial y_j/\\partial W$ "
     "holds by the multivariable chain rule", "rows-stacking"),
    (_A1, "cv-block-not-tensor", "concept",
     "Stacking matrices is block concatenation, not a 3-tensor; a 2-D by 3-D product is not "
     "defined", "rows-stacking"),
    (_A2, "cv-dy", "formula", "$Y = XW + B$ gives $dY = X\\,dW$", "rows-differential"),
    (_A2, "cv-ly", "notation", "$L_Y$ for the gradient of $L$ by $Y$", "rows-differential"),
    (_A2, "cv-diff-chain", "example",
     "$dL = L_Y : dY = L_Y : (X\\,dW) = (X^\\T L_Y) : dW$, so $L_W = X^\\T L_Y$", "rows-differential"),
    (_A2, "cv-read-off", "concept",
     "Whatever multiplies $dW$ in $dL = G : dW$ is the gradient", "linmap-frobenius"),
    (_A2, "cv-frobenius", "definition", "$A : B = \\tr(A^\\T B)$", "rows-differential"),
    (_A2, "cv-frobenius-symmetry", "formula", "$A : B = B : A = B^\\T : A^\\T$", "rows-differential"),
    (_A2, "cv-frobenius-move", "formula", "$CA : B = C : BA^\\T$", "rows-differential"),
    (_A2, "cv-frobenius-step", "caveat",
     "The middle step needs $CA : B = A : C^\\T B$, which follows from the listed rules but is "
     "not one of them", "rows-differential"),
])

# -- MIT 6.3900 notes, appendix A ---------------------------------------------------------------
_A11 = "A.1 Introduction and Review"
_A111 = "A.1.1 Partial Derivatives"
_A112 = "A.1.2 Thinking about derivatives"
_A113 = "A.1.3 Derivatives: Approximation"
_A2_ = "A.2 Scalar/Vector"
_A22 = "A.2.2 Planar Approximation"
_A23 = "A.2.3 Completed scalar/vector derivative"
_A3 = "A.3 Vector/Scalar"
_A4 = "A.4 Vector/Vector"
_A5 = "A.5 General derivative"
_A51 = "A.5.1 More about vector/vector"
_A6 = "A.6 Matrix/scalar"
_A7 = "A.7 Scalar/matrix"
_A81 = "A.8.1 Other Derivatives"
_A82 = "A.8.2 Dimensions"
_A83 = "A.8.3 Dealing with Tensors"
_A91 = "A.9.1 The loss derivative"
_A92 = "A.9.2 The weight derivative"
_A93 = "A.9.3 Linking layers"
_A94 = "A.9.4 Activation function"
_A95 = "A.9.5 Element-wise multiplication"
MIT = _entries("mit6390", [
    # A.1
    (_A11, "mit-A.1", "example",
     "$w^\\T x = \\sum_i x_i w_i$: a row times a column is a sum of products", "layouts-linear-approximation"),
    (_A11, "mit-columns", "notation", "Vectors are $m\\times1$ matrices (columns)", "rows-orientation"),
    (_A11, "mit-A.2", "example",
     "Partial derivatives of 10 and $-5$ say which way $f$ moves when $x_1$ or $x_2$ grows",
     "layouts-partials"),
    (_A11, "mit-concept-1", "concept",
     "Matrix derivatives organise many scalar derivatives while respecting the rules of matrix "
     "algebra", "CH01"),
    (_A11, "mit-A.3", "concept",
     "A matrix product needs matching inner sizes, $(a\\times b)(b\\times c)$; derivatives must "
     "respect such rules", "wild-chain-order"),
    (_A111, "mit-def-2", "definition",
     "Partial derivative: all other variables held fixed (unlike the total derivative)", "CH01"),
    (_A111, "mit-A.4", "example", "$\\partial(2x^2y)/\\partial x = 4xy$ with $y$ held fixed",
     "layouts-partials"),
    (_A111, "mit-def-3", "definition",
     "Multivariable chain rule: $df/ds = \\sum_i (\\partial f/\\partial x_i)(\\partial x_i/\\partial s)$",
     "CH01"),
    (_A112, "mit-A.5", "formula",
     "The limit definition of the derivative; a derivative depends on the point", "linmap-definition"),
    (_A112, "mit-A.6", "example",
     "$A \\in \\R^3$, $B \\in \\R^2$: six derivatives $\\partial b_i/\\partial a_j$", "arrays-count"),
    (_A112, "mit-concept-4", "concept",
     "$\\partial B/\\partial A$ holds every $\\partial b_j/\\partial a_i$: size(B) times size(A) "
     "numbers", "arrays-count"),
    (_A113, "mit-A.7", "formula",
     "$\\partial\\mathcal L/\\partial w \\approx \\Delta\\mathcal L/\\Delta w$", "checks-directional"),
    (_A113, "mit-A.8", "formula",
     "$\\Delta\\mathcal L \\approx (\\partial\\mathcal L/\\partial w)\\,\\Delta w$", "arrays-definition"),
    (_A113, "mit-concept-5", "concept",
     "Derivatives predict the output change from an input change, "
     "$\\Delta\\mathcal L \\approx \\partial\\mathcal L/\\partial w \\star \\Delta w$, with a product "
     "$\\star$ to be found", "arrays-definition"),
    # A.2
    (_A2_, "mit-A.9", "notation", "$\\partial s/\\partial v$: a scalar by a vector", "arrays-definition"),
    (_A2_, "mit-A.10", "concept", "Diagram: a change $\\Delta v$ in, a change $\\Delta s$ out",
     "arrays-definition"),
    (_A2_, "mit-A.11", "concept", "$m$ input changes affect one output: $m$ derivatives",
     "arrays-definition"),
    (_A2_, "mit-A.12", "formula",
     "$\\Delta s \\approx \\partial s/\\partial v \\star \\Delta v$", "arrays-definition"),
    (_A2_, "mit-A.13", "formula", "The same with $\\Delta v$ written out by components",
     "arrays-definition"),
    (_A22, "mit-concept-6", "concept",
     "Planar approximation: for a smooth function and small enough steps the derivatives are "
     "nearly constant", "layouts-linear-approximation"),
    (_A22, "mit-clarification-small-steps", "concept",
     "Optional: 'small enough' in epsilon-delta terms ($\\lvert\\Delta x\\rvert < \\epsilon$ keeps "
     "$\\lvert\\Delta f'\\rvert < \\delta$)", "layouts-partials"),
    (_A22, "mit-clarification-7", "concept",
     "A hyperplane $\\theta^\\T x + \\theta_0$ has constant partials $\\theta_i$, so small steps "
     "along different axes combine in any order", "layouts-partials"),
    (_A22, "mit-A.14", "formula",
     "$\\Delta s$ is the sum of the changes caused by each $v_i$", "arrays-definition"),
    (_A23, "mit-def-8", "definition",
     "Chain-rule approximation: $\\Delta f \\approx \\sum_i (\\partial f/\\partial x_i)\\Delta x_i$",
     "arrays-definition"),
    (_A23, "mit-A.15", "formula",
     "$\\Delta s \\approx \\sum_i (\\partial s/\\partial v_i)\\,\\Delta v_i$", "arrays-definition"),
    (_A23, "mit-A.16", "formula", "That sum equals $\\partial s/\\partial v \\star \\Delta v$",
     "arrays-definition"),
    (_A23, "mit-A.17", "formula",
     "The sum is a dot product of the partials with $\\Delta v$ (garbled by the extraction)",
     "arrays-definition"),
    (_A23, "mit-def-9", "definition",
     "Gradient: $\\Delta s = (\\partial s/\\partial v)^\\T \\Delta v$, so $\\partial s/\\partial v$ "
     "is an $m\\times1$ column", "arrays-definition"),
    (_A23, "mit-A.18", "formula", "$\\Delta s = (\\partial s/\\partial v)^\\T\\Delta v$", "arrays-definition"),
    # A.3
    (_A3, "mit-A.19", "notation", "$\\partial w/\\partial s$: a vector by a scalar", "layouts-five-cases"),
    (_A3, "mit-A.20", "concept", "Diagram: one input change, $n$ output changes", "layouts-five-cases"),
    (_A3, "mit-A.21", "concept", "$\\Delta w$ written out: $n$ derivatives needed", "layouts-five-cases"),
    (_A3, "mit-A.22", "formula",
     "$\\Delta w \\approx \\partial w/\\partial s \\star \\Delta s$: no dot product possible", "layouts-five-cases"),
    (_A3, "mit-A.23", "formula",
     "Component by component: $\\Delta w_i = (\\partial w_i/\\partial s)\\,\\Delta s$", "layouts-five-cases"),
    (_A3, "mit-elements", "concept",
     "When matrix algebra confuses, look at one element at a time", "index-habits"),
    (_A3, "mit-A.24", "formula", "$\\Delta w$ is $\\Delta s$ times the column of partials", "layouts-five-cases"),
    (_A3, "mit-A.25", "formula",
     "$\\Delta w = (\\partial w/\\partial s)^\\T\\Delta s$: the transpose makes "
     "$\\partial w/\\partial s$ a row", "layouts-five-cases"),
    (_A3, "mit-A.26", "formula", "The row of partials, transposed, times $\\Delta s$", "layouts-five-cases"),
    (_A3, "mit-clarification-10", "caveat",
     "Other texts use the transposed convention (gradient as a row); the numbers are the same",
     "layouts-names"),
    (_A3, "mit-A.27", "formula", "$\\Delta w = (\\partial w/\\partial s)^\\T\\Delta s$ (repeated)",
     "layouts-five-cases"),
    (_A3, "mit-def-11", "definition",
     "Vector by scalar: $\\partial w/\\partial s$ is the $1\\times n$ row of "
     "$\\partial w_i/\\partial s$", "layouts-five-cases"),
    # A.4
    (_A4, "mit-A.28", "notation", "$\\partial w/\\partial v$: a vector by a vector", "layouts-five-cases"),
    (_A4, "mit-A.29", "concept", "Diagram: $\\Delta v$ in, $\\Delta w$ out", "layouts-five-cases"),
    (_A4, "mit-A.30", "concept", "$m$ inputs, $n$ outputs: $mn$ derivatives", "arrays-count"),
    (_A4, "mit-A.31", "formula",
     "$\\Delta w = (\\partial w/\\partial v)^\\T\\Delta v$ as the defining rule", "layouts-five-cases"),
    (_A4, "mit-A.32", "formula", "The same with both vectors written out", "layouts-five-cases"),
    (_A4, "mit-A.33", "formula",
     "One input $v_i$: $\\Delta w = (\\partial w/\\partial v_i)^\\T\\Delta v_i$", "layouts-five-cases"),
    (_A4, "mit-A.34", "formula",
     "$\\partial w/\\partial v_i$ is a row (the vector-by-scalar case)", "layouts-five-cases"),
    (_A4, "mit-A.35", "formula",
     "One output $w_j$: $\\Delta w_j = (\\partial w_j/\\partial v)^\\T\\Delta v$", "layouts-five-cases"),
    (_A4, "mit-A.36", "formula",
     "$\\partial w_j/\\partial v$ is a column (the gradient case)", "layouts-five-cases"),
    # A.5
    (_A5, "mit-A.37", "concept", "A matrix as a row of column vectors (stack of vectors)",
     "flat-hide"),
    (_A5, "mit-A.38", "notation", "$M = [\\vec a\\ \\vec b\\ \\cdots\\ \\vec z]$", "flat-hide"),
    (_A5, "mit-concept-12", "concept",
     "Simplify by treating a vector as a scalar, then expanding it again; operations must match",
     "flat-hide"),
    (_A5, "mit-A.39", "formula",
     "$\\Delta w = (\\partial w/\\partial v)^\\T\\Delta v$ with the whole $v$ treated as a scalar",
     "layouts-partials"),
    (_A5, "mit-A.40", "formula", "The same with only $\\Delta w$ expanded", "layouts-partials"),
    (_A5, "mit-A.41", "formula",
     "$\\partial w/\\partial v = [\\partial w_1/\\partial v, \\dots, \\partial w_n/\\partial v]$: "
     "column $j$ belongs to $w_j$", "layouts-five-cases"),
    (_A5, "mit-A.42", "formula", "The first column expanded into $\\partial w_1/\\partial v_i$",
     "layouts-five-cases"),
    (_A5, "mit-A.43", "formula", "The second column expanded", "layouts-five-cases"),
    (_A5, "mit-A.44", "formula",
     "The full $m\\times n$ matrix with $\\partial w_j/\\partial v_i$ in row $i$, column $j$ "
     "(number lost in extraction)", "layouts-five-cases"),
    (_A5, "mit-def-13", "definition",
     "Vector by vector: $\\partial w/\\partial v$ is $m\\times n$, rows for inputs, columns for "
     "outputs", "layouts-five-cases"),
    (_A51, "mit-A.45", "example",
     "$w$ $3\\times1$, $v$ $2\\times1$: a $2\\times3$ matrix", "layouts-names"),
    (_A51, "mit-notation-14", "notation",
     "Entry $(i, j)$ of $\\partial w/\\partial v$ is $\\partial w_j/\\partial v_i$", "layouts-five-cases"),
    (_A51, "mit-notation-15", "notation",
     "Compressed forms: a row of columns $\\partial w_j/\\partial v$ or a column of rows "
     "$\\partial w/\\partial v_i$", "layouts-five-cases"),
    # A.6
    (_A6, "mit-A.46", "notation", "$\\partial M/\\partial s$: a matrix by a scalar", "layouts-five-cases"),
    (_A6, "mit-A.47", "notation", "$M$ is $r\\times k$ with entries $m_{ij}$", "layouts-five-cases"),
    (_A6, "mit-concept-16", "concept",
     "A matrix is a column of row vectors (or a row of columns)", "layouts-five-cases"),
    (_A6, "mit-A.48", "formula", "$M$ as the column of its rows $M_1, \\dots, M_r$", "layouts-five-cases"),
    (_A6, "mit-A.49", "formula",
     "$\\partial M/\\partial s = [\\partial M_1/\\partial s \\cdots \\partial M_r/\\partial s]$",
     "layouts-five-cases"),
    (_A6, "mit-A.50", "formula", "Expanded: row $i$ of $M$ becomes column $i$", "layouts-five-cases"),
    (_A6, "mit-def-17", "definition",
     "Matrix by scalar: $\\partial M/\\partial s$ is $k\\times r$, the shape of $M^\\T$", "layouts-five-cases"),
    # A.7
    (_A7, "mit-A.51", "notation", "$\\partial s/\\partial M$: a scalar by a matrix",
     "layouts-five-cases"),
    (_A7, "mit-A.52", "formula", "$M$ as the column of its rows", "layouts-five-cases"),
    (_A7, "mit-A.53", "formula", "$\\partial s/\\partial M$ as a column of row gradients", "layouts-five-cases"),
    (_A7, "mit-A.54", "formula", "Expanded into the $r\\times k$ array of "
     "$\\partial s/\\partial m_{ij}$", "layouts-five-cases"),
    (_A7, "mit-def-18", "definition",
     "Scalar by matrix: $\\partial s/\\partial M$ is $r\\times k$, the shape of $M$",
     "layouts-five-cases"),
    # A.8
    (_A81, "mit-A.55", "concept",
     "Vector by matrix, matrix by vector, matrix by matrix: too many axes for a matrix", "tensors-axes"),
    (_A81, "mit-def-19", "definition",
     "An axis is an index that can be varied; scalar 0, vector 1, matrix 2", "tensors-axes"),
    (_A81, "mit-concept-20", "concept",
     "axes($\\partial y/\\partial x$) = axes($y$) + axes($x$)", "tensors-axes"),
    (_A82, "mit-clarification-21", "caveat",
     "Two meanings of 'dimension': number of entries (vector-style) vs number of axes "
     "(array-style)", "tensors-axes"),
    (_A83, "mit-def-22", "definition",
     "An array is an ordered collection stored together; a matrix is a vector of vectors",
     "tensors-meaning"),
    (_A83, "mit-def-23", "definition",
     "In ML a tensor is a multidimensional array; with $c$ axes a $c$-tensor", "tensors-meaning"),
    (_A83, "mit-A.56", "example",
     "A $2\\times3\\times2$ 3-tensor as two $2\\times3$ matrices stacked front to back",
     "tensors-meaning"),
    (_A83, "mit-clarification-24", "caveat",
     "Not a physicist's tensor; the tensor product is not the generalised matrix product, "
     "contraction is", "tensors-meaning"),
    (_A83, "mit-A.57", "example",
     "Diagonal compression: a diagonal matrix kept as the vector of its diagonal", "flat-diagonal"),
    (_A83, "mit-A.58", "example",
     "Stacking the columns of a matrix into one vector (loses the 2-D structure)", "flat-vec"),
    (_A83, "mit-hide", "concept",
     "Hiding dimensions: treat a vector as a scalar, for high-level reasoning", "flat-hide"),
    (_A83, "mit-contract", "concept",
     "Tensor contraction reproduces the matrix product; software uses it for the chain rule",
     "flat-contract"),
    (_A83, "mit-clarification-25", "caveat",
     "No consistent notation for 3-tensor derivatives; compute the chain rule directly instead",
     "flat-contract"),
    # A.9
    (_A91, "mit-A.59", "formula",
     "$\\partial\\mathcal L/\\partial A^L$: scalar by vector, shape of $A^L$", "nn-loss"),
    (_A91, "mit-notation-26", "notation",
     "$\\partial\\mathcal L/\\partial A^L$ is $n^L\\times1$", "nn-loss"),
    (_A92, "mit-A.60", "concept",
     "$\\partial Z^\\ell/\\partial W^\\ell$ is vector by matrix: three axes", "tensors-first-3-tensor"),
    (_A92, "mit-A.61", "formula",
     "$\\partial\\mathcal L/\\partial W = (\\partial Z/\\partial W)(\\partial\\mathcal L/\\partial Z)^\\T$:"
     " the chain rule reordered for shapes", "wild-a61"),
    (_A92, "mit-reorder", "caveat",
     "Why backpropagation formulas reverse the order and transpose: shape consistency", "wild-a61"),
    (_A92, "mit-A.62", "notation",
     "$W = [W_1 \\cdots W_n]$: one column of weights per neuron", "flat-hide"),
    (_A92, "mit-A.63", "notation", "$W_i = (w_{1i}, \\dots, w_{mi})^\\T$", "flat-hide"),
    (_A92, "mit-concept-27", "concept",
     "Too many axes? Differentiate by one piece ($W_i$) first", "flat-hide"),
    (_A92, "mit-A.64", "formula", "$z_j = W_j^\\T A$: each neuron uses its own weights",
     "flat-hide"),
    (_A92, "mit-concept-28", "concept",
     "Weights of neuron $k$ do not affect $z_i$ for $i \\ne k$: those derivatives are 0",
     "tensors-first-3-tensor"),
    (_A92, "mit-A.65", "formula", "$z_i = W_i^\\T A$", "flat-hide"),
    (_A92, "mit-A.66", "formula", "The same as a row times a column", "flat-hide"),
    (_A92, "mit-A.67", "formula",
     "$z_i = \\sum_j W_{ji}a_j$ (printed with upper limit $n$; $a$ has $m$ entries)",
     "nn-erratum"),
    (_A92, "mit-A.68", "formula", "$\\partial z_i/\\partial W_{ji} = a_j$", "tensors-first-3-tensor"),
    (_A92, "mit-A.69", "formula", "$\\partial z_i/\\partial W_i$ stacked into a vector",
     "flat-hide"),
    (_A92, "mit-A.70", "formula", "$\\partial z_i/\\partial W_i = A$", "flat-hide"),
    (_A92, "mit-A.71", "formula", "$\\partial z_i/\\partial W_{jk} = 0$ when $i \\ne k$",
     "tensors-first-3-tensor"),
    (_A92, "mit-A.72", "formula", "$\\partial z_i/\\partial W_k = \\vec 0$ when $i \\ne k$",
     "flat-hide"),
    (_A92, "mit-A.73", "formula", "$\\partial z_i/\\partial W_k$ is $A$ if $i = k$, else $\\vec 0$",
     "flat-hide"),
    (_A92, "mit-A.74", "formula",
     "$\\partial Z/\\partial W$ as a block-diagonal matrix with $A$ on the diagonal (really a "
     "3-tensor)", "flat-hide"),
    (_A92, "mit-concept-29", "concept",
     "Two redundancies: off-diagonal blocks are zero, diagonal blocks are equal", "flat-hide"),
    (_A92, "mit-A.75", "formula", "Drop the zeros: diagonal to a column of $A$'s", "flat-hide"),
    (_A92, "mit-A.76", "formula", "Drop the repeats: the column of $A$'s to one $A$", "flat-hide"),
    (_A92, "mit-notation-30", "notation",
     "$\\partial Z^\\ell/\\partial W^\\ell$ condensed to $A^{\\ell-1}$, $m^\\ell\\times1$", "flat-hide"),
    (_A93, "mit-A.77", "notation", "$\\partial Z^\\ell/\\partial A^{\\ell-1}$: vector by vector",
     "nn-linking"),
    (_A93, "mit-A.78", "formula", "The layer $Z = W^\\T A$", "nn-layer"),
    (_A93, "mit-A.79", "notation", "$W$ as columns $W_i$ again", "nn-layer"),
    (_A93, "mit-A.80", "formula", "$z_i$ as the row $W_i^\\T$ times the column $A$", "flat-hide"),
    (_A93, "mit-A.81", "formula",
     "$z_i = \\sum_j W_{ji}a_j$ (upper limit printed as $n$, should be $m$)", "nn-erratum"),
    (_A93, "mit-A.82", "formula",
     "$\\partial z_i/\\partial a_j = W_{ji}$ (printed with $a_i$ on the left)", "nn-erratum"),
    (_A93, "mit-A.83", "formula",
     "$\\partial z_i/\\partial a_j$ sits at row $j$, column $i$, as $W_{ji}$ does: "
     "$\\partial Z/\\partial A = W$", "nn-linking"),
    (_A93, "mit-notation-31", "notation",
     "$\\partial Z^\\ell/\\partial A^{\\ell-1} = W^\\ell$, $m^\\ell\\times n^\\ell$", "nn-linking"),
    (_A94, "mit-A.84", "notation", "$\\partial A^\\ell/\\partial Z^\\ell$", "nn-activation"),
    (_A94, "mit-A.85", "formula", "$A = f(Z)$, $f$ applied entry by entry", "nn-activation"),
    (_A94, "mit-A.86", "formula", "The same written out by components", "nn-activation"),
    (_A94, "mit-concept-32", "concept",
     "An activation depends only on its own neuron's pre-activation; other derivatives are 0",
     "nn-activation"),
    (_A94, "mit-A.87", "formula", "$a_i = f(z_i)$", "nn-activation"),
    (_A94, "mit-A.88", "formula", "$\\partial a_i/\\partial z_i = f'(z_i)$", "nn-activation"),
    (_A94, "mit-A.89", "formula",
     "$\\partial a_i/\\partial z_j = f'(z_i)$ if $i = j$, else 0", "nn-activation"),
    (_A94, "mit-notation-33", "notation",
     "$\\partial A^\\ell/\\partial Z^\\ell = \\diag(f'(Z^\\ell))$, $n^\\ell\\times n^\\ell$",
     "nn-activation"),
    (_A95, "mit-A.90", "formula", "Compressed: the vector $f'(Z)$", "flat-diagonal"),
    (_A95, "mit-concept-34", "concept",
     "$\\diag(r)\\,q = r \\odot q$: the chain rule through an activation is elementwise",
     "nn-activation"),
    # slips that a reader trips over
    (_A5, "mit-err-A.43", "caveat",
     "(A.43): the last entry of the second column reads $\\partial w_1/\\partial v_m$", "errata-mit6390"),
    (_A5, "mit-err-def-13", "caveat", "Definition 13 calls the $m\\times n$ matrix a vector",
     "errata-mit6390"),
    (_A51, "mit-err-notation-15", "caveat",
     "Notation 15 ends the column with $\\partial w/\\partial v_2$ instead of $v_m$", "errata-mit6390"),
    (_A6, "mit-err-A.50", "caveat",
     "(A.50): the first column ends with $m_{22}$ instead of $m_{1k}$", "errata-mit6390"),
    (_A7, "mit-err-A.53", "caveat",
     "(A.53) ends with $\\partial s/\\partial M$ instead of $\\partial s/\\partial M_r$", "errata-mit6390"),
    (_A92, "mit-err-A.61", "caveat",
     "(A.61) prints the weight link as $\\partial Z/\\partial Z$", "wild-a61"),
    (_A92, "mit-err-concept-28", "caveat",
     "Concept 28 and (A.71) write $W_{ik}$, reusing $i$ for the weight's row", "errata-mit6390"),
    (_A95, "mit-err-concept-34", "caveat",
     "Concept 34 calls the diagonal matrix $R$ a vector", "nn-activation"),
])

# fmt: on

ENTRIES: list[Entry] = ZOU + UMASS + CV + MIT


# -- resolving taught_in ------------------------------------------------------------------------
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,}|:{3,})(.*)$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LABEL = re.compile(r"^\s{0,3}\(([^()\s]+)\)=\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def heading_id(text: str) -> str:
    """The HTML id Sphinx gives a heading: docutils' ``make_id`` of its text (links reduced to
    their text; $, backticks and emphasis marks are non-alphanumeric and fold into hyphens)."""
    s = _LINK.sub(r"\1", text).lower()
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", " ".join(s.split()))
    return re.sub(r"^[-0-9]+|-+$", "", s)


def outline(path: Path) -> tuple[list[tuple[int, str]], dict[str, str]]:
    """The headings (level, text) and explicit ``(label)=`` targets of a MyST file, ignoring
    everything inside fenced blocks (code cells, directives). Labels map to the text of the
    heading that follows them (blank lines between are allowed), or to ``""`` when something
    else follows."""
    headings: list[tuple[int, str]] = []
    labels: dict[str, str] = {}
    pending: list[str] = []  # labels waiting for their heading
    fence: str | None = None
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if lines and lines[0].strip() == "---":  # front matter
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    for line in lines[start:]:
        m = _FENCE.match(line)
        if fence is not None:
            if (
                m
                and m.group(1)[0] == fence[0]
                and len(m.group(1)) >= len(fence)
                and not m.group(2).strip()
            ):
                fence = None
            continue
        if not line.strip():
            continue
        if lab := _LABEL.match(line):
            labels[lab.group(1)] = ""
            pending.append(lab.group(1))
            continue
        if m:
            fence = m.group(1)
        elif h := _HEADING.match(line):
            headings.append((len(h.group(1)), h.group(2)))
            for name in pending:
                labels[name] = h.group(2)
        pending = []
    return headings, labels


def title(path: Path) -> str:
    """The first heading of a chapter (its title), or the file name."""
    heads, _ = outline(path)
    return heads[0][1] if heads else path.name


def resolve(taught_in: str | None, book: Path) -> tuple[str, str]:
    """Classify one ``taught_in``: returns (status, detail) with status one of

    ``"none"`` (not taught yet), ``"label"``/``"heading"``/``"file"`` (found: an explicit label,
    a heading, a whole file; detail is the text of the heading the label or id names, ``""`` for
    a file or a label that precedes no heading), or ``"error"`` (detail says what is wrong).
    """
    if taught_in is None:
        return "none", ""
    file, _, anchor = taught_in.partition("#")
    if not file.startswith("chapters/") or not file.endswith(".md"):
        return "error", f"{taught_in!r}: expected 'chapters/<file>.md[#anchor]'"
    path = book / file
    if not path.is_file():
        return "error", f"{taught_in!r}: book/{file} does not exist"
    if not anchor:
        return "file", ""
    heads, labels = outline(path)
    if anchor in labels:
        return "label", labels[anchor]
    matches = [text for _, text in heads if heading_id(text) == anchor]
    if len(matches) == 1:
        return "heading", matches[0]
    if len(matches) > 1:
        return "error", f"{taught_in!r}: {len(matches)} headings share this id; add a label"
    known = ", ".join(sorted({heading_id(t) for _, t in heads if heading_id(t)} | set(labels)))
    return "error", f"{taught_in!r}: no heading or (label)= with this anchor (known: {known})"


def summary(book: Path) -> dict[str, dict[str, int]]:
    """Counts per source: entries, covered (the section exists), not yet covered, errors."""
    out = {}
    for key in SOURCES:
        rows = [resolve(e.taught_in, book)[0] for e in ENTRIES if e.source == key]
        out[key] = {
            "entries": len(rows),
            "covered": sum(s in ("label", "heading", "file") for s in rows),
            "not yet": rows.count("none"),
            "errors": rows.count("error"),
        }
    return out
